package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-ledger as a data owner uses it: init (only on purpose), register, show, history with attempts, resolve of an
 * attempt, and every subcommand refusing a location that holds no ledger. No SparkSession.
 */
class DpLedgerCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static CliRun ledger(String... args) {
        return CliRun.capture(DpLedger::run, args);
    }

    private String loc() {
        return dir.resolve("ledger").toString();
    }

    @Test
    void init_createsTheLedgerWithItsPolicy_once() throws IOException {
        CliRun r = ledger("init", "--ledger", loc(), "--epsilon-ceiling", "8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = JSON.readTree(r.out());
        assertEquals(8.0, n.get("epsilon_ceiling").asDouble());
        assertFalse(n.get("allow_unbudgeted").asBoolean());
        assertTrue(Files.isRegularFile(dir.resolve("ledger/ledger.json")));
        assertEquals(8.0, PrivacyLedger.open(loc(), null).policy().epsilonCeiling());
        CliRun again = ledger("init", "--ledger", loc());
        assertEquals(ExitCode.BAD_INPUT.code(), again.code());
        assertTrue(again.err().contains("already exists") && again.err().strip().lines().count() == 1, again.err());
        CliRun bad = ledger("init", "--ledger", dir.resolve("other").toString(), "--epsilon-ceiling", "NaN");
        assertEquals(ExitCode.BAD_INPUT.code(), bad.code());
        assertTrue(bad.err().contains("--epsilon-ceiling"), bad.err());
        assertFalse(Files.exists(dir.resolve("other")));
    }

    @Test
    void everySubcommand_refusesAMissingLedger_inOneLine_namingItAndInit() {
        String missing = dir.resolve("typo").toString();
        String[][] commands = {
            {"show"}, {"history", "--dataset-id", "d"}, {"set-budget", "--dataset-id", "d", "--epsilon", "1", "--delta", "1e-6"},
            {"register", "--dataset-id", "d", "--location", dir.toString()},
            {"resolve", "--dataset-id", "d", "--job-id", "j", "--commit"},
            {"check", "--dataset-id", "d", "--sampling-rate", "0.01", "--steps", "10", "--noise-multiplier", "1"}};
        for (String[] c : commands) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(c), java.util.stream.Stream.of(
                    "--ledger", missing)).toArray(String[]::new);
            CliRun r = ledger(args);
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains("does not exist") && r.err().contains("dp-ledger init --ledger file:" + missing)
                    && r.err().strip().lines().count() == 1, r.err());
        }
        assertFalse(Files.exists(Path.of(missing)), "a command created the ledger");
    }

    @Test
    void register_normalizesLocationsAndTables_showListsThem_andAnotherDatasetsLocationIsAConflict() throws IOException {
        assertEquals(0, ledger("init", "--ledger", loc()).code());
        Path data = Files.createDirectories(dir.resolve("data/adult"));
        CliRun r = ledger("register", "--ledger", loc(), "--dataset-id", "adult", "--location", data + "/",
                "--table", "Census.Adult", "--fingerprint", "rows-v1:abc");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("file:" + data + ", table:census.adult, fingerprints rows-v1:abc"), r.out());
        JsonNode show = JSON.readTree(ledger("show", "--ledger", loc(), "--dataset-id", "adult", "--json").out());
        assertEquals(List.of("file:" + data, "table:census.adult"),
                JSON.convertValue(show.get("registered_locations"), List.class));
        assertEquals("rows-v1:abc", show.at("/registered_fingerprints/0").asText());
        assertTrue(ledger("show", "--ledger", loc()).out().contains("registered: file:" + data), "show text");
        CliRun clash = ledger("register", "--ledger", loc(), "--dataset-id", "copy", "--location",
                data.resolve("part-0.csv").toString());
        assertEquals(ExitCode.LEDGER_CONFLICT.code(), clash.code(), clash.err());
        assertTrue(clash.err().contains("already registered to dataset 'adult'"), clash.err());
        CliRun badTable = ledger("register", "--ledger", loc(), "--dataset-id", "t", "--table", "a b");
        assertEquals(ExitCode.BAD_INPUT.code(), badTable.code());
        assertTrue(badTable.err().contains("--table"), badTable.err());
        String history = ledger("history", "--ledger", loc(), "--dataset-id", "adult").out();
        assertTrue(history.contains("register") && history.contains("table:census.adult"), history);
        // --location table:db.name is the same table (the ledger's own form, as dp-train records --table)
        CliRun asLocation = ledger("register", "--ledger", loc(), "--dataset-id", "other", "--location",
                "table:spark_catalog.Census.Adult");
        assertEquals(ExitCode.LEDGER_CONFLICT.code(), asLocation.code(), asLocation.err());
        CliRun newTable = ledger("register", "--ledger", loc(), "--dataset-id", "other", "--location", "TABLE:sales");
        assertEquals(0, newTable.code(), newTable.err());
        assertTrue(newTable.out().contains("table:default.sales"), newTable.out());
    }

    @Test
    void historyAndShow_listEveryAttempt_andResolveSettlesTheOneNamed() {
        assertEquals(0, ledger("init", "--ledger", loc()).code());
        PrivacyLedger l = PrivacyLedger.open(loc(), null);
        List<DpEvent> plan = List.of(new DpEvent(0.01, 1.0, 100));
        l.reserve("d", "airflow-run", "rows-v1:aa", plan, 1e-5); // killed
        l.reserve("d", "airflow-run", "rows-v1:aa", plan, 1e-5); // the retry
        String history = ledger("history", "--ledger", loc(), "--dataset-id", "d").out();
        assertTrue(history.contains("job airflow-run attempt 1") && history.contains("job airflow-run attempt 2"),
                history);
        String show = ledger("show", "--ledger", loc(), "--dataset-id", "d").out();
        assertTrue(show.contains("airflow-run (attempt 1)") && show.contains("airflow-run (attempt 2)"), show);
        CliRun resolve = ledger("resolve", "--ledger", loc(), "--dataset-id", "d", "--job-id", "airflow-run",
                "--attempt", "1", "--commit");
        assertEquals(0, resolve.code(), resolve.err());
        assertEquals(org.dpspark.accountant.ledger.DatasetState.JobStatus.COMMITTED,
                l.state("d").attempt("airflow-run", 1).orElseThrow().status());
        CliRun none = ledger("resolve", "--ledger", loc(), "--dataset-id", "d", "--job-id", "airflow-run",
                "--attempt", "1", "--commit");
        assertEquals(ExitCode.LEDGER_CONFLICT.code(), none.code(), none.err());
    }

    @Test
    void historyAndShow_nameAHyperparameterSearch() throws IOException {
        assertEquals(0, ledger("init", "--ledger", loc()).code());
        PrivacyLedger l = PrivacyLedger.open(loc(), null);
        DpEvent search = DpEvent.repeatAndSelect(0.01, 1.5, 100, new DpEvent.Selection(
                org.dpspark.accountant.TrialCount.geometric(10), 100));
        l.reserve("d", "tune", "rows-v1:aa", List.of(search), 1e-5);
        String history = ledger("history", "--ledger", loc(), "--dataset-id", "d").out();
        assertTrue(history.contains("steps=100 per trial, search over truncated negative binomial (eta = 1, "
                + "gamma = 0.1, mean 10) trials, score sigma=100"), history);
        CliRun show = ledger("show", "--ledger", loc(), "--dataset-id", "d", "--json");
        assertEquals(0, show.code(), show.err());
        JsonNode e = JSON.readTree(show.out()).findValue("charged_events").get(0);
        assertEquals("repeat_and_select", e.get("mechanism").asText(), e.toString());
        assertEquals(100, e.get("score_sigma").asDouble(), 0);
    }

    @Test
    void check_refusesAWeakPlan_unlessAllowed_withTheLedgersCeiling() {
        assertEquals(0, ledger("init", "--ledger", loc(), "--epsilon-ceiling", "2").code());
        CliRun weak = ledger("check", "--ledger", loc(), "--dataset-id", "d", "--sampling-rate", "0.01", "--steps",
                "1000", "--epsilon", "3");
        assertEquals(ExitCode.BAD_INPUT.code(), weak.code(), weak.err());
        assertTrue(weak.err().contains("--epsilon 3 is above the ceiling of 2")
                && weak.err().contains("pass --allow-weak-privacy"), weak.err());
        CliRun allowed = ledger("check", "--ledger", loc(), "--dataset-id", "d", "--sampling-rate", "0.01", "--steps",
                "1000", "--epsilon", "3", "--allow-weak-privacy");
        assertEquals(0, allowed.code(), allowed.err());
    }
}
