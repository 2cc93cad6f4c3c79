package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ledger.TestLedgers;
import org.dpspark.jobs.model.SavedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-train with --secure-aggregation masking, end to end on local[2]: the plan is the distributed discrete
 * Gaussian's, the ledger records it, the report and the model name the mechanism, n, t and b; and a bad secure
 * configuration is refused with exit 2 and one line naming the flag, before anything is reserved.
 */
class SecureAggregationCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("SecureAggregationCliTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private Path data() throws IOException {
        return TwoFeatureCsv.write(dir, "rows", 4000, 4);
    }

    private CliRun train(String out, String... more) throws IOException {
        if (!Files.exists(dir.resolve("ledger"))) {
            CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "rows", "--epsilon", "5",
                    "--delta", "1e-5", "--ledger", TestLedgers.init(dir.resolve("ledger")));
            assertEquals(0, set.code(), set.err());
        }
        List<String> a = new ArrayList<>(List.of("--input", data().toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--epsilon", "1", "--epochs", "2", "--batch-size", "200",
                "--learning-rate", "0.5", "--partitions", "2", "--ledger", TestLedgers.init(dir.resolve("ledger")),
                "--dataset-id", "rows", "--output", dir.resolve(out).toString()));
        a.addAll(List.of(more));
        return CliRun.capture(DpTrain::run, a.toArray(String[]::new));
    }

    private double spent() {
        PrivacyLedger l = PrivacyLedger.open(dir.resolve("ledger").toString(), new Configuration());
        return l.state("rows").spentEpsilon();
    }

    @Test
    void masking_trains_andTheReportNamesTheMechanismNTAndB() throws IOException {
        CliRun r = train("m", "--secure-aggregation", "masking", "--secagg-colluding", "1", "--secagg-bits", "36");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("secure aggregation: masking, distributed discrete Gaussian over n = 2 parties, "
                + "t = 1 may collude, b = 36 bits"), r.out());
        JsonNode rep = JSON.readTree(dir.resolve("m").resolve("report.json").toFile());
        JsonNode sa = rep.at("/privacy/secure_aggregation");
        assertFalse(sa.isMissingNode(), rep.toString());
        assertEquals("masking", sa.get("mode").asText());
        assertEquals("distributed discrete Gaussian", sa.get("mechanism").asText());
        assertEquals(2, sa.get("parties").asInt());
        assertEquals(1, sa.get("colluding").asInt());
        assertEquals(36, sa.get("bits").asInt());
        assertEquals("rdp", rep.at("/privacy/accountant").asText(), "the DDG is accounted by RDP");
        double eps = rep.at("/privacy/epsilon").asDouble();
        assertTrue(eps <= 1.0 && eps > 0.9, "calibrated to the target: " + eps);
        assertEquals(eps, spent(), 1e-9, "the ledger charged the DDG's epsilon");
        SavedModel m = SavedModel.read(new Configuration(), dir.resolve("m").toString());
        assertEquals(2, m.provenance().claim().secureAggregation().parties());
        double acc = rep.at("/evaluation/accuracy").isMissingNode() ? Double.NaN : rep.at("/evaluation/accuracy").asDouble();
        assertTrue(Double.isNaN(acc) || acc > 0.6, rep.toString());
    }

    /** Exit 2, one line on stderr starting with the flag, no output, nothing reserved. */
    private void assertRefused(CliRun r, String flag, String out) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("dp-train: error: " + flag + " "), err);
        assertFalse(Files.exists(dir.resolve(out)), "no partial output");
        assertEquals(0.0, spent(), 0.0, "nothing reserved");
    }

    @Test
    void badSecureConfigurations_refusedWithTheFlag_beforeAnySpend() throws IOException {
        assertRefused(train("x1", "--secure-aggregation", "masking", "--secagg-colluding", "2"), "--secagg-colluding",
                "x1");
        assertRefused(train("x2", "--secure-aggregation", "masking", "--secagg-bits", "12"), "--secagg-bits", "x2");
        assertRefused(train("x3", "--secure-aggregation", "masking", "--step-mode", "job"), "--secure-aggregation",
                "x3");
        assertRefused(train("x4", "--secure-aggregation", "homomorphic"), "--secure-aggregation", "x4");
        assertRefused(train("x5", "--secagg-colluding", "1"), "--secure-aggregation", "x5");
        assertRefused(train("x6", "--secure-aggregation", "masking", "--secagg-bits", "63"), "--secagg-bits", "x6");
    }
}
