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
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ledger.TestLedgers;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-audit, --no-dp and --regularizer pdp from the command line on local[2]: an audit on a budgeted dataset is
 * charged like any job and writes its report; --public-data cannot dodge a registered dataset; a non-private run
 * says it has no guarantee (report and model), is refused on a budgeted dataset (exit 3) and recorded nowhere
 * otherwise; the PDP term with DP-SGD keeps the guarantee and says so; bad audit and regularizer flags are refused
 * with one line, exit 2, nothing charged.
 */
class DpAuditCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpAuditCliTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private Path data(String name, int seed) throws IOException {
        return TwoFeatureCsv.write(dir, name, 3000, seed);
    }

    private String ledger() {
        return TestLedgers.init(dir.resolve("ledger"));
    }

    /** Registers rows.csv as dataset "rows" with a budget of 5. */
    private Path budgeted() throws IOException {
        Path csv = data("rows", 4);
        if (spent("rows") == 0 && !Files.exists(dir.resolve("registered"))) {
            CliRun reg = CliRun.capture(DpLedger::run, "register", "--dataset-id", "rows", "--location", csv.toString(),
                    "--ledger", ledger());
            assertEquals(0, reg.code(), reg.err());
            CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "rows", "--epsilon", "5",
                    "--delta", "1e-5", "--ledger", ledger());
            assertEquals(0, set.code(), set.err());
            Files.createFile(dir.resolve("registered"));
        }
        return csv;
    }

    private double spent(String dataset) {
        if (!Files.exists(dir.resolve("ledger"))) {
            return 0;
        }
        return PrivacyLedger.open(dir.resolve("ledger").toString(), new Configuration()).state(dataset).spentEpsilon();
    }

    private int entries() {
        PrivacyLedger l = PrivacyLedger.open(ledger(), new Configuration());
        return l.datasets().stream().mapToInt(d -> l.state(d).entries().size()).sum();
    }

    private CliRun run(Function<String[], Integer> main, Path csv, String... more) {
        List<String> a = new ArrayList<>(List.of("--input", csv.toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--epochs", "2", "--batch-size", "300", "--learning-rate", "0.5",
                "--partitions", "2", "--ledger", ledger()));
        a.addAll(List.of(more));
        return CliRun.capture(main, a.toArray(String[]::new));
    }

    @Test
    void audit_onABudgetedDataset_isChargedLikeAnyJob_andReportsEachGame() throws IOException {
        Path csv = budgeted();
        Path report = dir.resolve("audit.json");
        CliRun r = run(DpAudit::run, csv, "--epsilon", "1", "--canaries", "200", "--canary-kind", "both",
                "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("audit (white-box): 200 canaries"), r.out());
        assertTrue(r.out().contains("audit (black-box): 200 canaries"), r.out());
        JsonNode rep = JSON.readTree(report.toFile());
        double claimed = rep.at("/claimed/epsilon").asDouble();
        assertTrue(claimed > 0.9 && claimed <= 1.0, rep.toString());
        assertEquals(claimed, spent("rows"), 1e-9, "charged like any job");
        assertEquals(2, rep.get("games").size());
        for (JsonNode g : rep.get("games")) {
            assertEquals(200, g.get("canaries").asInt());
            assertEquals(40, g.get("guesses").asInt(), "default guesses: m / 5");
            assertTrue(g.get("correct").asInt() <= 40);
            assertTrue(g.get("epsilon_lower_bound").asDouble() <= claimed, g.toString());
            assertFalse(g.get("exceeds_claim").asBoolean());
            assertTrue(g.at("/membership_inference/auc").isNumber(), g.toString());
        }
        assertEquals(0.95, rep.at("/setup/confidence").asDouble(), 1e-12);
        assertTrue(rep.at("/timing/audit_run_seconds").asDouble() > 0);
        assertFalse(Files.exists(dir.resolve("model.json")), "an audit publishes no model");

        // --public-data cannot make a registered dataset's audit free
        CliRun dodge = run(DpAudit::run, csv, "--epsilon", "1", "--canaries", "50", "--public-data", "--report",
                dir.resolve("dodge.json").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), dodge.code(), dodge.err());
        assertTrue(dodge.err().strip().startsWith("dp-audit: error: --public-data: the input belongs to dataset 'rows'"),
                dodge.err());
        assertEquals(claimed, spent("rows"), 1e-9, "nothing more charged");
        assertFalse(Files.exists(dir.resolve("dodge.json")));
    }

    @Test
    void audit_underSecureAggregation_canariesJoinTheMaskedSums_andPublicDataChargesNothing() throws IOException {
        Path csv = data("public-masked", 12);
        int before = entries();
        Path report = dir.resolve("masked.json");
        CliRun r = run(DpAudit::run, csv, "--epsilon", "2", "--secure-aggregation", "masking", "--canaries", "100",
                "--public-data", "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = JSON.readTree(report.toFile());
        assertEquals("masking", rep.at("/training/privacy/secure_aggregation/mode").asText(), rep.toString());
        JsonNode g = rep.get("games").get(0);
        assertEquals("white-box", g.get("kind").asText());
        assertTrue(g.get("epsilon_lower_bound").asDouble() <= rep.at("/claimed/epsilon").asDouble());
        assertEquals(before, entries(), "an audit on public data is recorded nowhere");
        assertTrue(rep.at("/training/ledger/reason").asText().contains("--public-data"), rep.at("/training/ledger")
                .toString());
        // the dry run plans the same vectors (the canary coordinates included), so it shows the sigma that ran
        CliRun dry = run(DpAudit::run, csv, "--epsilon", "2", "--secure-aggregation", "masking", "--canaries", "100",
                "--public-data", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        String planned = dry.out().lines().filter(l -> l.startsWith("secure aggregation:")).findFirst().orElseThrow();
        String ran = r.out().lines().filter(l -> l.startsWith("secure aggregation:")).findFirst().orElseThrow();
        assertEquals(ran, planned);
        assertTrue(ran.contains("vectors of 104 coordinates"), ran); // 2 weights, the intercept, the loss, 100 canaries
    }

    @Test
    void noDp_onABudgetedDataset_refusedWithExit3_nothingTrainedOrRecorded() throws IOException {
        Path csv = budgeted();
        int before = entries();
        CliRun r = run(DpTrain::run, csv, "--no-dp", "--output", dir.resolve("nodp").toString());
        assertEquals(ExitCode.BUDGET_EXHAUSTED.code(), r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains("dataset 'rows'") && err.contains("cannot be committed against a budget"), err);
        assertFalse(Files.exists(dir.resolve("nodp")));
        assertEquals(before, entries());
    }

    @Test
    void noDp_onUnregisteredData_runsLedgerless_andSaysItHasNoGuarantee() throws IOException {
        Path csv = data("public", 9);
        int before = entries();
        CliRun r = run(DpTrain::run, csv, "--no-dp", "--regularizer", "pdp", "--pdp-strength", "0.01", "--output",
                dir.resolve("plain").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("privacy: NONE: no differential-privacy guarantee"), r.out());
        assertEquals(before, entries(), "a non-private run is recorded nowhere");
        JsonNode rep = JSON.readTree(dir.resolve("plain").resolve("report.json").toFile());
        assertEquals(PrivacyClaim.NO_GUARANTEE, rep.at("/privacy/guarantee").asText(), rep.toString());
        assertTrue(rep.at("/privacy/epsilon").isMissingNode(), "no epsilon at all: " + rep.at("/privacy"));
        assertTrue(rep.at("/ledger/reason").asText().contains("non-private run"), rep.at("/ledger").toString());
        assertTrue(rep.at("/training/regularizer/guarantee").asText().startsWith("none"), rep.toString());
        SavedModel m = SavedModel.read(new Configuration(), dir.resolve("plain").toString());
        assertFalse(m.provenance().claim().guaranteed());
        assertTrue(m.provenance().claim().toString().startsWith(PrivacyClaim.NO_GUARANTEE));
    }

    @Test
    void pdpWithDpSgd_keepsTheGuarantee_andTheReportSaysSo() throws IOException {
        Path csv = budgeted();
        double before = spent("rows");
        CliRun r = run(DpTrain::run, csv, "--epsilon", "1", "--regularizer", "pdp", "--pdp-strength", "0.05",
                "--output", dir.resolve("pdp").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = JSON.readTree(dir.resolve("pdp").resolve("report.json").toFile());
        double eps = rep.at("/privacy/epsilon").asDouble();
        assertTrue(eps > 0.9 && eps <= 1.0, rep.at("/privacy").toString());
        assertEquals(before + eps, spent("rows"), 1e-6);
        assertEquals("pdp", rep.at("/training/regularizer/kind").asText());
        assertEquals(0.05, rep.at("/training/regularizer/strength").asDouble(), 0);
        assertTrue(rep.at("/training/regularizer/guarantee").asText().startsWith("unchanged"), rep.toString());
    }

    /** Exit 2, one line naming the flag, no output, nothing charged. */
    private void assertRefused(CliRun r, String command, String flag, Path out) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith(command + ": error: ") && err.contains(flag), err);
        assertFalse(Files.exists(out), "no partial output");
        assertEquals(0.0, spent("rows"), 0.0, "nothing charged");
    }

    @Test
    void badInput_refusedWithOneLine_exit2_nothingCharged() throws IOException {
        Path csv = budgeted();
        Path rep = dir.resolve("bad.json");
        assertRefused(run(DpAudit::run, csv, "--epsilon", "1", "--canaries", "1", "--report", rep.toString()),
                "dp-audit", "--canaries", rep);
        assertRefused(run(DpAudit::run, csv, "--epsilon", "1", "--audit-beta", "0", "--report", rep.toString()),
                "dp-audit", "--audit-beta", rep);
        assertRefused(run(DpAudit::run, csv, "--epsilon", "1", "--audit-beta", "1.5", "--report", rep.toString()),
                "dp-audit", "--audit-beta", rep);
        assertRefused(run(DpAudit::run, csv, "--epsilon", "1", "--canaries", "10", "--audit-guesses", "11",
                "--report", rep.toString()), "dp-audit", "--audit-guesses", rep);
        assertRefused(run(DpAudit::run, csv, "--epsilon", "1", "--regularizer", "pdp", "--pdp-strength", "-0.1",
                "--report", rep.toString()), "dp-audit", "--pdp-strength", rep);
        Path out = dir.resolve("badtrain");
        assertRefused(run(DpTrain::run, csv, "--epsilon", "1", "--regularizer", "pdp", "--pdp-strength", "-1",
                "--output", out.toString()), "dp-train", "--pdp-strength", out);
        assertRefused(run(DpTrain::run, csv, "--no-dp", "--epsilon", "1", "--output", out.toString()), "dp-train",
                "--no-dp", out);
        assertRefused(run(DpTrain::run, csv, "--noise-multiplier", "0", "--output", out.toString()), "dp-train",
                "--no-dp", out);
        assertRefused(run(DpAudit::run, csv, "--no-dp", "--epsilon", "2", "--report", rep.toString()), "dp-audit",
                "--no-dp", rep);
        assertRefused(run(DpAudit::run, csv, "--epsilon", "1", "--canary-kind", "grey-box", "--report",
                rep.toString()), "dp-audit", "--canary-kind", rep);
    }
}
