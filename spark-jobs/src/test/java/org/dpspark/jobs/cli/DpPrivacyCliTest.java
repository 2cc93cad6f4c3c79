package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dp-privacy, run in-process (no Spark): results equal the accountants', bad input exits 2 and writes nothing. */
class DpPrivacyCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DpPrivacy.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static double pld(double q, double sigma, long steps, double delta) {
        PldAccountant a = new PldAccountant();
        a.compose(new DpEvent(q, sigma, steps));
        return a.epsilon(delta);
    }

    private static double rdp(double q, double sigma, long steps, double delta) {
        RdpAccountant a = new RdpAccountant();
        a.compose(new DpEvent(q, sigma, steps));
        return a.epsilon(delta);
    }

    /** The example: N = 60000, B = 256, sigma 1.1, 60 epochs (T = floor(60 * 60000 / 256) = 14062). */
    @Test
    void epsilonCase_json_givesBothAccountantsAndTheSmaller() throws Exception {
        Run r = run("--rows", "60000", "--batch-size", "256", "--noise-multiplier", "1.1", "--epochs", "60",
                "--delta", "1e-5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = JSON.readTree(r.out());
        double q = 256 / 60000.0;
        assertEquals(q, n.get("sampling_rate").asDouble(), 0);
        assertEquals(14062, n.get("steps").asLong());
        assertEquals(rdp(q, 1.1, 14062, 1e-5), n.at("/epsilon/rdp").asDouble(), 0);
        assertEquals(pld(q, 1.1, 14062, 1e-5), n.at("/epsilon/pld").asDouble(), 0);
        assertEquals("pld", n.at("/best/accountant").asText());
        assertEquals(n.at("/epsilon/pld").asDouble(), n.at("/best/epsilon").asDouble(), 0);
        // The figures: RDP about 2.60, PLD about 2.38.
        assertEquals(2.60, n.at("/epsilon/rdp").asDouble(), 0.01);
        assertEquals(2.38, n.at("/epsilon/pld").asDouble(), 0.01);
    }

    /**
     * --secure-aggregation: the same plan as dp-train's for masking (TrainConfig's plan over the same dim and parties),
     * beside the central mode's; its epsilon recomputed independently by the RDP accountant from the DDG event.
     */
    @Test
    void secureAggregation_printsTheDistributedPlan_asDpTrainWouldRunIt() throws Exception {
        Run r = run("--rows", "32561", "--batch-size", "256", "--epochs", "15", "--epsilon", "1", "--delta", "1e-5",
                "--secure-aggregation", "masking", "--dim", "105", "--parties", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = JSON.readTree(r.out());
        org.dpspark.jobs.train.TrainConfig cfg = org.dpspark.jobs.train.TrainConfig.builder().epochs(15).batchSize(256)
                .targetEpsilon(1.0).delta(1e-5).secureAggregation(org.dpspark.jobs.train.SecureAggregation.MASKING)
                .build();
        org.dpspark.accountant.plan.PrivacyPlan plan = cfg.plan(32561, 105, 2);
        assertEquals(plan.noiseMultiplier(), n.at("/secure_aggregation/noise_multiplier").asDouble(), 0.0);
        assertEquals(2, n.at("/secure_aggregation/parties").asInt());
        assertEquals(40, n.at("/secure_aggregation/bits").asInt());
        RdpAccountant a = new RdpAccountant();
        a.compose(plan.events().get(0));
        assertTrue(plan.events().get(0).isDiscrete());
        assertEquals(a.epsilon(1e-5), n.at("/secure_aggregation/epsilon").asDouble(), 1e-12);
        assertTrue(n.at("/secure_aggregation/epsilon").asDouble() <= 1.0);
        assertTrue(n.at("/secure_aggregation/noise_multiplier").asDouble() > n.at("/best/noise_multiplier").asDouble(),
                "the DDG's general subsampling bound needs more noise than the central claim");
        Run text = run("--rows", "32561", "--batch-size", "256", "--epochs", "15", "--epsilon", "1",
                "--secure-aggregation", "masking", "--dim", "105", "--parties", "2", "--secagg-colluding", "1");
        assertTrue(text.out().contains("secure aggregation (masking, n = 2, t = 1, b = 40): sigma = "), text.out());
        Run bad = run("--rows", "32561", "--batch-size", "256", "--epochs", "15", "--epsilon", "1",
                "--secure-aggregation", "masking", "--dim", "105", "--parties", "2", "--secagg-colluding", "2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("dp-privacy: error: --secagg-colluding "), bad.err());
        Run missing = run("--rows", "32561", "--batch-size", "256", "--epochs", "15", "--epsilon", "1",
                "--secure-aggregation", "masking");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--dim"), missing.err());
    }

    @Test
    void calibrationCase_text_sigmaMeetsTargetUnderItsAccountant() {
        Run r = run("--q", "0.04", "--epsilon", "8", "--steps", "2000", "--delta", "1e-5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rdp: sigma = ") && r.out().contains("pld: sigma = ") && r.out().contains("best: pld"),
                r.out());
        double sigma = Double.parseDouble(r.out().replaceAll("(?s).*best: pld, sigma = ([0-9.]+).*", "$1"));
        assertTrue(pld(0.04, sigma, 2000, 1e-5) <= 8, "sigma " + sigma); // printed rounded up: still meets it
        assertEquals(1.2915, sigma, 0.005); // Opacus's PRV value
    }

    @Test
    void csvSweep_oneRowPerCase_matchesAccountants() throws Exception {
        Path in = dir.resolve("cases.csv");
        Files.writeString(in, "q,sigma,steps,delta,target_epsilon\n"
                + "0.0025,1.3,6000,1e-5,\n"
                + "0.04,,2250,1e-5,8\n"
                + "1,2,1,1e-6,\n");
        Path out = dir.resolve("out.csv");
        Run r = run("--csv-in", in.toString(), "--csv-out", out.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(4, lines.size());
        assertEquals(String.join(",", DpPrivacy.CSV_OUT_COLUMNS), lines.get(0));
        String[] first = lines.get(1).split(",", -1);
        assertEquals(rdp(0.0025, 1.3, 6000, 1e-5), Double.parseDouble(first[5]), 0);
        assertEquals(pld(0.0025, 1.3, 6000, 1e-5), Double.parseDouble(first[6]), 0);
        assertEquals("pld", first[9]);
        String[] second = lines.get(2).split(",", -1);
        assertEquals("", second[5]);
        assertTrue(Double.parseDouble(second[8]) < Double.parseDouble(second[7]), lines.get(2)); // sigma_pld < sigma_rdp
        assertTrue(Double.parseDouble(second[11]) <= 8, lines.get(2));
        String[] third = lines.get(3).split(",", -1);
        assertEquals(BestAccountant.bound(List.of(new DpEvent(1, 2, 1)), 1e-6).epsilon(), Double.parseDouble(third[11]), 0);
        // Exists now: refused without --overwrite.
        Run again = run("--csv-in", in.toString(), "--csv-out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--overwrite"), again.err());
    }

    @Test
    void badCsv_namesRowAndColumn_exit2_writesNothing() throws Exception {
        String[][] cases = {
            {"q,sigma,steps,delta\n0.01,1,100,1e-5\n0.01,abc,100,1e-5\n", "row 3, column 'sigma'"},
            {"q,sigma,steps,delta\n1.5,1,100,1e-5\n", "row 2, column 'q'"},
            {"q,sigma,steps,delta\n0.1,1,10.5,1e-5\n", "row 2, column 'steps'"},
            {"q,sigma,steps\n0.1,1,10\n", "lacks column 'delta'"},
            {"q,sigma,steps,delta,target_epsilon\n0.1,1,10,1e-5,2\n", "row 2: give exactly one"},
            {"q,sigma,steps,delta\n0.1,1,10\n", "row 2 has 3 fields"},
            {"q,target_epsilon,steps,delta\n1,1e-9,1,1e-5\n", "data row 1: column 'target_epsilon' cannot be calibrated"},
        };
        for (String[] c : cases) {
            Path in = dir.resolve("bad.csv");
            Files.writeString(in, c[0]);
            Path out = dir.resolve("never.csv");
            Run r = run("--csv-in", in.toString(), "--csv-out", out.toString());
            assertEquals(2, r.code(), c[1] + ": " + r.err());
            assertTrue(r.err().contains(c[1]) && r.err().startsWith("dp-privacy: error: --csv-in"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), c[1]);
            try (var s = Files.list(dir)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
            }
        }
    }

    @Test
    void badFlags_nameTheFlag_exit2() {
        String[][] cases = {
            {"--q 0.1 --batch-size 10 --rows 100 --noise-multiplier 1 --steps 10", "exactly one of --batch-size"},
            {"--batch-size 10 --noise-multiplier 1 --steps 10", "--batch-size needs --rows"},
            {"--q 0 --noise-multiplier 1 --steps 10", "--q must be"},
            {"--q 0.1 --noise-multiplier NaN --steps 10", "--noise-multiplier must be"},
            {"--q 0.1 --epsilon 1 --noise-multiplier 1 --steps 10", "exactly one of --noise-multiplier"},
            {"--q 0.1 --epsilon 1 --steps 10 --epochs 1", "exactly one of --epochs"},
            {"--q 0.1 --epsilon 1 --steps 0", "--steps must be"},
            {"--rows 1000 --batch-size 10 --epsilon 1 --steps 10 --delta 0.01", "--delta 0.01 must be < 1/N"},
            {"--q 0.1 --epsilon -1 --steps 10", "--epsilon must be"},
            {"--q 0.1 --noise-multiplier 1 --steps 10 --delta 1", "--delta must be"},
            {"--csv-out x.csv --q 0.1 --noise-multiplier 1 --steps 10", "--csv-out needs --csv-in"},
        };
        for (String[] c : cases) {
            Run r = run(c[0].split(" "));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]), c[0] + ": " + r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void maxRowsPerUser_printsTheGroupPrivacyOfTheRowLevelRun() throws Exception {
        Run r = run("--q", "0.01", "--noise-multiplier", "1.0", "--steps", "1000", "--delta", "1e-6",
                "--max-rows-per-user", "5", "--json");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(r.out());
        double eps = n.at("/best/epsilon").asDouble();
        assertEquals(5 * eps, n.at("/group_privacy/epsilon").asDouble(), 1e-12);
        assertEquals(Math.min(1.0, 5 * Math.exp(4 * eps) * 1e-6), n.at("/group_privacy/delta").asDouble(), 1e-18);
        Run text = run("--q", "0.01", "--noise-multiplier", "1.0", "--steps", "1000", "--delta", "1e-6",
                "--max-rows-per-user", "500");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("a user with 500 rows is protected at epsilon") && text.out().contains(
                "(no guarantee)"), text.out());
    }
}
