package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Locale;
import java.util.SplittableRandom;
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
 * dp-train at the user level, end to end on local[2]: the unit in the plan, the report, the model and the ledger;
 * user-level DP-SGD and DP-FedAvg train; a budget held in another unit refuses the job before any spend; the bad
 * inputs of issue 12 are refused with one line; and the same insecure seed reproduces the same model (the bounding,
 * the user sample and the updates are functions of the job's keys).
 */
class UserLevelRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "{\"format_version\":1,\"name\":\"u\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static final int USERS = 400;
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("UserLevelRunTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 400 users with 1 to 40 rows each (heavy at the low end); a user's trait shifts its labels. */
    private Path data(boolean withNullUser) throws IOException {
        Path csv = dir.resolve(withNullUser ? "nulls.csv" : "users.csv");
        SplittableRandom r = new SplittableRandom(12);
        List<String> lines = new ArrayList<>(List.of("uid,a,b,label"));
        for (int u = 0; u < USERS; u++) {
            int rows = 1 + (int) Math.floor(40 * Math.pow(r.nextDouble(), 3));
            double trait = r.nextDouble(-1, 1);
            for (int i = 0; i < rows; i++) {
                double a = r.nextDouble(-1, 1);
                double b = r.nextDouble(-1, 1);
                int y = r.nextDouble() < 1 / (1 + Math.exp(-(3 * a - 2 * b + 2 * trait))) ? 1 : 0;
                lines.add(String.format(Locale.ROOT, "u%d,%.4f,%.4f,%d", u, a, b, y));
            }
        }
        if (withNullUser) {
            lines.add(",0.1,0.2,1");
        }
        Files.write(csv, lines);
        Files.writeString(dir.resolve("spec.json"), SPEC);
        return csv;
    }

    private List<String> args(Path csv, String out, String... more) {
        List<String> a = new ArrayList<>(List.of("--input", csv.toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--privacy-unit", "user", "--user-col", "uid",
                "--max-rows-per-user", "8", "--noise-multiplier", "1.0", "--epochs", "3", "--batch-size", "40",
                "--learning-rate", "0.5", "--partitions", "2", "--ledger", TestLedgers.init(dir.resolve("ledger")),
                "--output", dir.resolve(out).toString()));
        a.addAll(List.of(more));
        return a;
    }

    private CliRun train(List<String> args) {
        return CliRun.capture(DpTrain::run, args.toArray(String[]::new));
    }

    @Test
    void userLevelDpSgd_plansOverUsers_andSaysSoEverywhere() throws IOException {
        CliRun r = train(args(data(false), "m", "--dataset-id", "customers"));
        assertEquals(0, r.code(), r.err());
        JsonNode rep = JSON.readTree(dir.resolve("m").resolve("report.json").toFile());
        assertEquals("user", rep.at("/privacy/unit").asText());
        assertTrue(rep.at("/privacy/adjacency").asText().contains("at most 8 per user"), rep.toString());
        assertEquals(40.0 / USERS, rep.at("/privacy/sampling_rate").asDouble(), 0.0, "q = B_users / N_users");
        assertEquals(30, rep.at("/privacy/steps").asLong(), "T = floor(E N_users / B)");
        SavedModel m = SavedModel.read(new Configuration(), dir.resolve("m").toString());
        assertEquals("user", m.provenance().claim().unit());
        assertEquals("dp-sgd", m.provenance().trainer().trainer());
        assertEquals(null, m.provenance().trainer().localEpochs());
        assertTrue(rep.at("/evaluation").isMissingNode());
        // The ledger holds the job in the dataset's unit: a budget per row refuses the user-level job, and back.
        PrivacyLedger l = PrivacyLedger.open(dir.resolve("ledger").toString(), new Configuration());
        assertTrue(l.state("customers").spentEpsilon() > 0);
        // A dry run plans over users too.
        CliRun dry = train(args(data(false), "never", "--dataset-id", "customers", "--dry-run"));
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("plan: N = " + USERS + ", q = 0.1, steps = 30"), dry.out());
    }

    @Test
    void aBudgetHeldPerRow_refusesAUserLevelJob_beforeAnySpend() throws IOException {
        Path csv = data(false);
        String ledger = TestLedgers.init(dir.resolve("ledger"));
        CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "rows", "--epsilon", "5", "--delta",
                "1e-6", "--ledger", ledger);
        assertEquals(0, set.code(), set.err());
        CliRun r = train(args(csv, "m", "--dataset-id", "rows"));
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains("is held per row, but this job protects each user"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(0.0, PrivacyLedger.open(ledger, new Configuration()).state("rows").spentEpsilon(), 0.0);
        assertFalse(Files.exists(dir.resolve("m")));
        CliRun perUser = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "users", "--epsilon", "5",
                "--delta", "1e-6", "--privacy-unit", "user", "--ledger", ledger);
        assertEquals(0, perUser.code(), perUser.err());
        assertEquals(0, train(args(csv, "m2", "--dataset-id", "users")).code());
        // The unit is recorded in the job's reservation and commit, and shown by dp-ledger.
        CliRun history = CliRun.capture(DpLedger::run, "history", "--dataset-id", "users", "--ledger", ledger);
        assertEquals(0, history.code(), history.err());
        assertEquals(3, history.out().lines().filter(l -> l.contains(" per user")).count(), history.out());
        CliRun show = CliRun.capture(DpLedger::run, "show", "--dataset-id", "users", "--ledger", ledger);
        assertTrue(show.out().contains("committed per user"), show.out());
        // dp-ledger check answers in the job's unit, as dp-train would.
        String[] plan = {"--rows", "400", "--batch-size", "4", "--steps", "1", "--noise-multiplier", "10"};
        CliRun asRows = CliRun.capture(DpLedger::run, concat(new String[] {"check", "--dataset-id", "users", "--ledger",
                ledger}, plan));
        assertEquals(ExitCode.BAD_INPUT.code(), asRows.code(), asRows.out() + asRows.err());
        assertTrue(asRows.err().contains("is held per user, but this job protects each row"), asRows.err());
        CliRun asUsers = CliRun.capture(DpLedger::run, concat(new String[] {"check", "--dataset-id", "users", "--ledger",
                ledger, "--privacy-unit", "user"}, plan));
        assertEquals(0, asUsers.code(), asUsers.err());
        assertTrue(asUsers.out().startsWith("fits: dataset users"), asUsers.out());
    }

    @Test
    void dpFedAvg_trainsAtTheUserLevel() throws IOException {
        CliRun r = train(dedupe(args(data(false), "f", "--algorithm", "fedavg", "--local-epochs", "2",
                "--local-learning-rate", "0.2", "--local-batch-size", "4", "--learning-rate", "1")));
        assertEquals(0, r.code(), r.err());
        SavedModel m = SavedModel.read(new Configuration(), dir.resolve("f").toString());
        assertEquals("user", m.provenance().claim().unit());
        // The provenance names the algorithm and its local training, and counts epochs over users.
        var trainer = m.provenance().trainer();
        assertEquals("fedavg", trainer.trainer());
        assertEquals(2, trainer.localEpochs());
        assertEquals(0.2, trainer.localLearningRate(), 0.0);
        assertEquals(4, trainer.localBatchSize());
        JsonNode rep = JSON.readTree(dir.resolve("f").resolve("report.json").toFile());
        assertEquals(2, rep.at("/trainer/local_training/epochs").asInt(), rep.at("/trainer").toString());
        assertEquals(rep.at("/training/epochs").asDouble(), trainer.epochs(), 0.0);
        // On unregistered rows the user-level loss has a ledger dataset of its own (one unit per dataset), so a
        // row-level job on the same rows is not locked out, and is charged apart.
        String perUser = rep.at("/ledger/dataset_id").asText();
        assertTrue(perUser.startsWith("unbudgeted-rows-v1-") && perUser.endsWith("-per-user"), perUser);
        CliRun rowLevel = CliRun.capture(DpTrain::run, "--input", dir.resolve("users.csv").toString(), "--format",
                "csv", "--spec", dir.resolve("spec.json").toString(), "--noise-multiplier", "1.0", "--epochs", "1",
                "--batch-size", "40", "--ledger", dir.resolve("ledger").toString(), "--output",
                dir.resolve("rows").toString());
        assertEquals(0, rowLevel.code(), rowLevel.err());
        JsonNode rowRep = JSON.readTree(dir.resolve("rows").resolve("report.json").toFile());
        assertEquals(perUser.substring(0, perUser.length() - "-per-user".length()),
                rowRep.at("/ledger/dataset_id").asText());
        assertEquals("row", rowRep.at("/privacy/unit").asText());
        // The true weights of a and b are (3, -2): the server steps learn their signs.
        assertTrue(m.params()[0] > 0 && m.params()[1] < 0, java.util.Arrays.toString(m.params()));
    }

    @Test
    void theSameInsecureSeed_reproducesTheBoundingTheSampleAndTheModel() throws IOException {
        Path csv = data(false);
        assertEquals(0, train(args(csv, "s1", "--insecure-test-seed", "3", "--step-mode", "job")).code());
        assertEquals(0, train(args(csv, "s2", "--insecure-test-seed", "3", "--step-mode", "barrier")).code());
        double[] a = SavedModel.read(new Configuration(), dir.resolve("s1").toString()).params();
        double[] b = SavedModel.read(new Configuration(), dir.resolve("s2").toString()).params();
        assertArrayEquals(a, b, 0.0);
    }

    @Test
    void badInput_isRefusedWithOneLine_andNothingCharged() throws IOException {
        Path csv = data(false);
        List<List<String>> cases = List.of(
                args(csv, "x", "--max-rows-per-user", "0"),
                args(csv, "x", "--batch-size", "401"),
                args(csv, "x", "--user-col", "a"),
                args(data(true), "x"));
        List<String> expected = List.of("--max-rows-per-user must be >= 1", "--batch-size 401 (the expected users per step) is larger than the number of users, 400",
                "--user-col 'a': the privacy-unit column cannot also be a feature", "column 'uid': 1 null or empty user ids");
        for (int i = 0; i < cases.size(); i++) {
            List<String> a = new ArrayList<>(cases.get(i));
            // later flags win in picocli only for repeatable options: drop the defaults the case overrides
            CliRun r = train(dedupe(a));
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), i + ": " + r.err());
            assertTrue(r.err().contains(expected.get(i)), i + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        CliRun rowLevel = CliRun.capture(DpTrain::run, "--input", csv.toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--max-rows-per-user", "5", "--noise-multiplier", "1",
                "--output", dir.resolve("x").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), rowLevel.code(), rowLevel.err());
        assertTrue(rowLevel.err().contains("--max-rows-per-user bounds each user's rows: it needs --user-col"),
                rowLevel.err());
        // Null ids dropped by a declared choice, with the count reported.
        CliRun dropped = train(dedupe(args(data(true), "d", "--null-users", "drop")));
        assertEquals(0, dropped.code(), dropped.err());
        assertTrue(dropped.err().contains("dropped 1 rows without a user id"), dropped.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    /** The last value of each flag given twice (the case's own), keeping the order of first appearance. */
    private static List<String> dedupe(List<String> a) {
        java.util.LinkedHashMap<String, String> flags = new java.util.LinkedHashMap<>();
        for (int i = 0; i < a.size(); i++) {
            String f = a.get(i);
            String v = i + 1 < a.size() && !a.get(i + 1).startsWith("--") ? a.get(++i) : null;
            flags.remove(f);
            flags.put(f, v);
        }
        List<String> out = new ArrayList<>();
        flags.forEach((f, v) -> {
            out.add(f);
            if (v != null) {
                out.add(v);
            }
        });
        return out;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
