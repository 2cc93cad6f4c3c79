package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.core.optim.OptimizerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint format (no Spark): exact round trip, what it never holds, the refusals, the newest file wins. */
class CheckpointTest {
    @TempDir Path dir;

    private static Checkpoint.Identity identity(String jobId, double clip) {
        Map<String, String> plan = new LinkedHashMap<>();
        plan.put("sampling rate q", "0.05");
        plan.put("clip norm C", Double.toString(clip));
        return new Checkpoint.Identity(jobId, "ds", 1, "dev", plan, 0.05, 1.1, 40);
    }

    private static Checkpoint checkpoint(long step) {
        double[] params = {0.1, -Math.PI, Double.MIN_VALUE, -0.0};
        return new Checkpoint(identity("job", 1.0), step, 0, params,
                new OptimizerState(step, List.of(new double[] {1e-300, 2}, new double[] {3, 4})), 1234,
                List.of(0.69), List.of(0.07), List.of(1.5), 0.123456789, 3);
    }

    @Test
    void roundTrip_isExact_andHoldsNoSecret() {
        Checkpoint c = checkpoint(13);
        byte[] bytes = c.toBytes();
        Checkpoint back = Checkpoint.fromBytes(bytes, "test");
        assertArrayEquals(c.params(), back.params(), 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.params()[3]));
        assertEquals(c.optimizer().steps(), back.optimizer().steps());
        assertArrayEquals(c.optimizer().buffer(0), back.optimizer().buffer(0), 0.0);
        assertArrayEquals(c.optimizer().buffer(1), back.optimizer().buffer(1), 0.0);
        assertEquals(c.identity(), back.identity());
        assertEquals(13, back.step());
        assertEquals(1234, back.noiseDraws());
        assertEquals(c.epochLossSum(), back.epochLossSum(), 0.0);
        assertEquals(List.of(0.69), back.lossPerEpoch());
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"events_so_far\"") && json.contains("\"ledger_attempt\" : 1"), json);
        for (String secret : List.of("key", "secret", "seed", "gradient", "clipped")) {
            assertFalse(json.toLowerCase(java.util.Locale.ROOT).contains(secret), secret + " in " + json);
        }
    }

    @Test
    void identity_refusal_namesTheFirstDifference() {
        Checkpoint.Identity a = identity("job", 1.0);
        assertNull(a.refusal(identity("job", 1.0)));
        assertEquals("its job id is 'job', this run's is 'other'", a.refusal(identity("other", 1.0)));
        assertEquals("its plan's clip norm C is 1.0, this run's is 0.5", a.refusal(identity("job", 0.5)));
        Checkpoint.Identity newer = new Checkpoint.Identity("job", "ds", 1, "0.2.0", a.plan(), 0.05, 1.1, 40);
        assertEquals("it was written by code version dev, this is 0.2.0", a.refusal(newer));
    }

    @Test
    void store_newestWins_oldOnesPruned_otherFormatsRefused() throws Exception {
        Configuration conf = new Configuration();
        String d = dir.resolve("ckpt").toString();
        assertTrue(Checkpointer.latest(conf, d).isEmpty());
        Checkpointer w = new Checkpointer(conf, d, identity("job", 1.0), 5, 0, 0, null);
        for (long s : new long[] {5, 10, 15}) {
            w.save(checkpoint(s));
        }
        assertEquals(15, Checkpointer.latest(conf, d).orElseThrow().step());
        try (var files = Files.list(Path.of(d))) {
            assertEquals(2, files.filter(f -> f.getFileName().toString().startsWith("checkpoint-")).count());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.fromBytes("{\"format\":99}".getBytes(StandardCharsets.UTF_8), "x"));
    }
}
