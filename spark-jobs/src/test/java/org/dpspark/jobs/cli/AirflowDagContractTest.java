package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract between the exit codes of the dpspark commands and examples/airflow/dpspark_dag.py, which Airflow
 * cannot run here: every {@link ExitCode} has the reaction the DAG's EXIT_CODE_REACTIONS gives it (read from the
 * DAG with Python's ast module), its tasks raise the matching Airflow exceptions when run against stand-ins for
 * Airflow's classes, the real commands exit with those codes in representative cases, and the DAG's operators carry
 * what the contract needs (the check first, the job id from run_id, retries). Skipped without python3. No SparkSession: the
 * cases run dp-ledger and dp-train's pre-flight (which refuse before Spark starts); that dp-train itself exits 3 and 4
 * after a real run is DpTrainLedgerTest's and BudgetIntegrityTest's.
 */
class AirflowDagContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DAG = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize()
            .resolve("examples/airflow/dpspark_dag.py");

    /** What the DAG must do with each exit code; a new ExitCode does not compile until it is given a reaction. */
    private static String reaction(ExitCode code) {
        return switch (code) {
            case SUCCESS -> "success";
            case FAILURE -> "retry";
            case BAD_INPUT, LEDGER_CONFLICT -> "fail";
            case BUDGET_EXHAUSTED -> "skip";
        };
    }

    /** The Airflow exception each reaction raises (none for success). */
    private static final Map<String, String> RAISES = Map.of("retry", "AirflowException", "fail",
            "AirflowFailException", "skip", "AirflowSkipException");

    /**
     * Reads the DAG with ast (no Airflow needed) and prints JSON: the reaction table, react()'s default and the
     * exception raised per reaction, every operator call's task_id, class and constant keywords, the default_args'
     * retries, and the >> edges between task variables.
     */
    private static final String READ_DAG = """
        import ast, json, sys
        tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
        out = {"reactions": None, "default": None, "raises": {}, "tasks": {}, "vars": {}, "edges": [], "default_args": {}}
        def const(node):
            if isinstance(node, ast.List):
                return [const(e) for e in node.elts]
            try:
                return ast.literal_eval(node)
            except Exception:
                return ast.unparse(node)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "EXIT_CODE_REACTIONS" for t in node.targets):
                out["reactions"] = {str(k): v for k, v in ast.literal_eval(node.value).items()}
            if isinstance(node, ast.FunctionDef) and node.name == "react":
                for sub in ast.walk(node):
                    if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "get"
                            and isinstance(sub.func.value, ast.Name) and sub.func.value.id == "EXIT_CODE_REACTIONS"):
                        out["default"] = ast.literal_eval(sub.args[1])
                    if isinstance(sub, ast.If) and isinstance(sub.test, ast.Compare):
                        r = ast.literal_eval(sub.test.comparators[0])
                        first = sub.body[0]
                        if isinstance(first, ast.Raise):
                            out["raises"][r] = first.exc.func.id
                        elif isinstance(first, ast.Return):
                            out["raises"][r] = None
                last = node.body[-1]
                if isinstance(last, ast.Raise):
                    out["raises"]["<otherwise>"] = last.exc.func.id
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "DAG":
                for kw in node.keywords:
                    if kw.arg == "default_args":
                        out["default_args"] = {k: const(v) for k, v in zip([ast.literal_eval(k) for k in kw.value.keys], kw.value.values)}
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
                kws = {kw.arg: const(kw.value) for kw in node.value.keywords if kw.arg}
                if "task_id" in kws:
                    out["tasks"][kws["task_id"]] = {"class": node.value.func.id, "kwargs": kws}
                    out["vars"][node.targets[0].id] = kws["task_id"]
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.RShift):
                out["edges"].append([ast.unparse(node.value.left), ast.unparse(node.value.right)])
            if isinstance(node, ast.ClassDef):
                out.setdefault("classes", {})[node.name] = [ast.unparse(b) for b in node.bases]
        print(json.dumps(out))
        """;

    private static JsonNode dag;

    @TempDir Path dir;

    @BeforeAll
    static void readDag() throws IOException, InterruptedException {
        if (!python3()) {
            return; // the tests that read or run the DAG are skipped (requirePython)
        }
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", READ_DAG, DAG.toString());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        assertEquals(0, p.exitValue(), "python3 could not read " + DAG + " (a syntax error?)");
        dag = JSON.readTree(out);
    }

    private static void requirePython() {
        assumeTrue(dag != null, "python3 not found: the checks of examples/airflow/dpspark_dag.py are skipped");
    }

    private static boolean python3() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void everyExitCode_hasTheReactionTheContractGivesIt_inTheDag() {
        requirePython();
        Map<String, String> expected = new TreeMap<>();
        for (ExitCode c : ExitCode.values()) {
            expected.put(Integer.toString(c.code()), reaction(c));
        }
        Map<String, String> inDag = new TreeMap<>();
        dag.get("reactions").fields().forEachRemaining(e -> inDag.put(e.getKey(), e.getValue().asText()));
        assertEquals(expected, inDag);
        // A code the DAG does not know is what ExitCode.of makes of it: a failure, retried.
        assertEquals(ExitCode.FAILURE, ExitCode.of(97));
        assertEquals(reaction(ExitCode.FAILURE), dag.get("default").asText());
        // Each reaction raises Airflow's exception for it (success returns).
        for (ExitCode c : ExitCode.values()) {
            String r = reaction(c);
            JsonNode raised = r.equals("retry") ? dag.at("/raises/<otherwise>") : dag.at("/raises/" + r);
            assertEquals(RAISES.get(r), raised.isNull() ? null : raised.asText(), c + " -> " + r);
        }
    }

    @Test
    void dag_checksTheBudgetFirst_thenTrainsWithTheRunIdAsJobId_andRetriesFailuresOnly() {
        requirePython();
        JsonNode tasks = dag.get("tasks");
        JsonNode check = tasks.get("dp_ledger_check");
        JsonNode train = tasks.get("dp_train");
        assertTrue(check != null && train != null, tasks.toString());
        // the check runs first
        List<String> edges = new ArrayList<>();
        for (JsonNode e : dag.get("edges")) {
            edges.add(dag.at("/vars/" + e.get(0).asText()).asText() + " >> " + dag.at("/vars/" + e.get(1).asText()).asText());
        }
        assertEquals(List.of("dp_ledger_check >> dp_train"), edges);
        // training: a SparkSubmitOperator running DpTrain, job id = run_id, the status file per try
        String cls = train.get("class").asText();
        assertTrue(cls.equals("SparkSubmitOperator") || dag.at("/classes/" + cls).toString().contains("SparkSubmitOperator"),
                cls + " is not a SparkSubmitOperator");
        assertEquals("org.dpspark.jobs.cli.DpTrain", train.at("/kwargs/java_class").asText());
        List<String> args = new ArrayList<>();
        train.at("/kwargs/application_args").forEach(a -> args.add(a.asText()));
        int job = args.indexOf("--job-id");
        assertTrue(job >= 0 && args.get(job + 1).replace(" ", "").equals("{{run_id}}"), args.toString());
        String status = train.at("/kwargs/status_file").asText().replace(" ", "");
        assertTrue(status.contains("{{run_id}}") && status.contains("{{ti.try_number}}"), status);
        // failures are retried: both tasks have retries
        assertTrue(dag.at("/default_args/retries").asInt() > 0, dag.get("default_args").toString());
        assertTrue(train.at("/kwargs/retries").asInt() > 0 && check.at("/kwargs/retries").asInt() > 0, tasks.toString());
        // the check plans the job dp-train will reserve: the same epsilon, delta, epochs and batch size
        assertEquals("check_budget", check.at("/kwargs/python_callable").asText());
        for (String flag : List.of("--epsilon", "--delta", "--epochs", "--batch-size", "--ledger", "--dataset-id")) {
            assertTrue(args.contains(flag), "dp_train lacks " + flag);
        }
    }

    /**
     * The DAG run against stand-ins for the Airflow names it imports (airflow_dag_harness.py): the check task with a
     * dp-ledger that exits with each code, the training task with a spark-submit that writes each code to the status
     * file (or none), succeeding or failing as spark-submit would. Each ends as the contract says.
     */
    @Test
    void dag_raisesWhatEachExitCodeMeans_whenItsTasksRun() throws IOException, InterruptedException {
        requirePython();
        Path harness = dir.resolve("harness.py");
        try (var in = AirflowDagContractTest.class.getResourceAsStream("airflow_dag_harness.py")) {
            Files.copy(in, harness);
        }
        ProcessBuilder pb = new ProcessBuilder("python3", harness.toString(), DAG.toString(), dir.toString());
        Path err = dir.resolve("harness.err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the harness did not finish");
        assertEquals(0, p.exitValue(), Files.readString(err));
        JsonNode got = JSON.readTree(out);
        for (int code : new int[] {0, 1, 2, 3, 4, 97}) {
            String want = reaction(ExitCode.of(code));
            int c = code == 97 ? 7 : code; // the harness's unknown code
            assertEquals(want, got.get("check " + c).asText(), "check, exit " + c + ": " + got);
            // the status file decides, whether spark-submit itself succeeded or not (cluster mode: it says nothing)
            assertEquals(want, got.get("train " + c).asText(), "train, exit " + c + ": " + got);
            assertEquals(want, got.get("train " + c + " submit-failed").asText(), "train, exit " + c + ": " + got);
        }
        // no status file: the driver never wrote its outcome; a failure, retried
        assertEquals("retry", got.get("train none").asText());
        assertEquals("retry", got.get("train none submit-failed").asText());
        assertEquals("--status-file", got.at("/status arg/0").asText());
    }

    // The real commands, in the cases the DAG reacts to.

    private static CliRun ledger(String... args) {
        return CliRun.capture(DpLedger::run, args);
    }

    private static CliRun train(String... args) {
        return CliRun.capture(DpTrain::run, args);
    }

    /** A command run in a case the DAG meets, and the exit code it must give. */
    private record Case(String name, CliRun run, ExitCode want) {}

    @Test
    void theCommands_exitWithTheCodesTheDagReactsTo() {
        String l = dir.resolve("ledger").toString();
        assertEquals(0, ledger("init", "--ledger", l).code());
        for (String[] budget : new String[][] {{"small", "0.5"}, {"adult", "5"}}) {
            assertEquals(0, ledger("set-budget", "--ledger", l, "--dataset-id", budget[0], "--epsilon", budget[1],
                    "--delta", "1e-5").code());
        }
        // "adult" has committed the job "scheduled__1" (the API, as dp-train would: reserve, then commit)
        PrivacyLedger pl = PrivacyLedger.open(l, new org.apache.hadoop.conf.Configuration());
        List<DpEvent> events = List.of(new DpEvent(0.01, 1.1, 1000));
        pl.reserve("adult", "scheduled__1", "rows-v1:abc", events, 1e-5);
        pl.commit("adult", "scheduled__1", events, 0.9, 1e-5, null);
        String[] plan = {"--rows", "32561", "--batch-size", "256", "--epochs", "15", "--epsilon", "1", "--delta", "1e-5"};
        String[] check = {"check", "--ledger", l, "--json", "--dataset-id"};
        String[] dryRun = {"--dry-run", "--ledger", l, "--dataset-id", "adult", "--job-id"};

        List<Case> cases = List.of(
                new Case("dp-ledger check, fits", ledger(concat(check, "adult", plan)), ExitCode.SUCCESS),
                new Case("dp-ledger check, budget too small", ledger(concat(check, "small", plan)),
                        ExitCode.BUDGET_EXHAUSTED),
                new Case("dp-ledger check, bad flag", ledger(concat(check, "adult", "--no-such-flag")),
                        ExitCode.BAD_INPUT),
                new Case("dp-train, bad flag", train("--no-such-flag"), ExitCode.BAD_INPUT),
                new Case("dp-train --dry-run, fits", train(concat(dryRun, "scheduled__2", plan)), ExitCode.SUCCESS),
                new Case("dp-train --dry-run, job id committed", train(concat(dryRun, "scheduled__1", plan)),
                        ExitCode.LEDGER_CONFLICT));
        for (Case c : cases) {
            CliRun r = c.run();
            assertEquals(c.want().code(), r.code(), c.name() + ": " + r.out() + r.err());
            if (dag != null) {
                assertEquals(reaction(c.want()), dag.at("/reactions/" + r.code()).asText(), c.name());
            }
            if (c.want() != ExitCode.SUCCESS && c.want() != ExitCode.BUDGET_EXHAUSTED) {
                // the DAG's message: an error's first line on stderr names the command and the cause
                String first = r.err().strip().lines().findFirst().orElse("");
                assertTrue(first.matches("dp-(ledger|train): error: .+"), c.name() + ": " + r.err());
            }
        }
        // The check's JSON answer carries the refusal's message, which the DAG puts in the skip.
        JsonNode refused = readJson(cases.get(1).run().out());
        assertTrue(!refused.get("fits").asBoolean() && refused.get("message").asText().contains("budget"),
                refused.toString());
    }

    private static JsonNode readJson(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    private static String[] concat(String[] head, String middle, String... tail) {
        List<String> out = new ArrayList<>(List.of(head));
        out.add(middle);
        out.addAll(List.of(tail));
        return out.toArray(String[]::new);
    }
}
