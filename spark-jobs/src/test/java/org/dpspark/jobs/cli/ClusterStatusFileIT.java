package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-train in standalone CLUSTER deploy mode on dp-local-cluster: spark-submit ({@code
 * org.apache.spark.deploy.SparkSubmit} from the Maven classpath, as no Spark distribution is installed) asks the
 * Master to launch the driver in a Worker, and waits for it ({@code spark.standalone.submit.waitAppCompletion}).
 * The driver's exit code does not reach spark-submit there; the {@code --status-file} carries it. Skipped, saying
 * why, when the cluster cannot start.
 */
class ClusterStatusFileIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPTS = HOME.resolve("submit-scripts");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As submit-scripts/common.sh's DPSPARK_JAVA_OPENS: Spark and Arrow on Java 17. */
    private static final List<String> OPENS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    @TempDir static Path dir;
    private static String master;

    private record Result(int code, String out, String err) {}

    private static Result exec(String name, long minutes, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("SPARK_HOME");
        EmbeddedArchive.use(pb.environment()); // the class-data archive, recorded once for the IT phase
        pb.environment().put("DPSPARK_CLUSTER_DIR", dir.resolve("cluster").toString());
        pb.environment().put("DPSPARK_WORKER_CORES", "2");
        pb.environment().put("DPSPARK_WORKER_MEMORY", "1536m");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not finish in " + minutes + " minutes: " + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void startCluster() throws Exception {
        Result r = exec("start", 4, List.of(SCRIPTS.resolve("dp-local-cluster").toString(), "start"));
        Assumptions.assumeTrue(r.code() == 0 && r.out().strip().matches("spark://127\\.0\\.0\\.1:\\d+"),
                "dp-local-cluster could not start here, so cluster deploy mode is not tested: " + r.err().strip());
        master = r.out().strip();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (master != null) {
            exec("stop", 2, List.of(SCRIPTS.resolve("dp-local-cluster").toString(), "stop"));
        }
    }

    private static Path shadedJar() throws IOException {
        try (Stream<Path> s = Files.list(HOME.resolve("spark-jobs/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("dpspark-jobs-.*-shaded\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("the shaded jar is not built"));
        }
    }

    /** spark-submit --deploy-mode cluster of dp-train with {@code args}; returns what spark-submit returned. */
    private static Result submit(String name, String... args) throws Exception {
        Path jar = shadedJar();
        String cp = jar + ":" + Files.readString(HOME.resolve("spark-jobs/target/embedded-classpath.txt")).strip();
        String opens = String.join(" ", OPENS);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(OPENS);
        cmd.addAll(List.of("-Xmx256m", "-cp", cp, "org.apache.spark.deploy.SparkSubmit",
                "--master", master, "--deploy-mode", "cluster",
                "--conf", "spark.standalone.submit.waitAppCompletion=true",
                "--conf", "spark.driver.memory=640m", "--conf", "spark.executor.memory=512m",
                "--conf", "spark.driver.extraJavaOptions=" + opens + " -Dspark.driver.host=127.0.0.1",
                "--conf", "spark.executor.extraJavaOptions=" + opens,
                "--conf", "spark.ui.enabled=false",
                "--class", DpTrain.class.getName(), jar.toString()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Result r = exec(name, 5, cmd);
        System.out.printf("ClusterStatusFileIT %s: spark-submit returned %d in %.1f s%n", name, r.code(),
                (System.nanoTime() - t0) / 1e9);
        return r;
    }

    /** The drivers' stdout and stderr as the Workers kept them (for failure messages). */
    private static String driverLogs() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(dir.resolve("cluster"))) {
            for (Path p : s.filter(f -> f.getParent().getFileName().toString().startsWith("driver-")
                    && (f.getFileName().toString().equals("stderr") || f.getFileName().toString().equals("stdout")))
                    .collect(Collectors.toList())) {
                sb.append("\n== ").append(p).append('\n').append(Files.readString(p));
            }
        }
        return sb.toString();
    }

    /** spark-submit's last line "State of driver driver-... is FAILED, exiting spark-submit JVM.", or a note. */
    private static String driverState(Result r) {
        return (r.out() + "\n" + r.err()).lines().filter(l -> l.contains("State of driver"))
                .reduce((first, last) -> last) // the final state; a RUNNING one is logged when the driver starts
                .map(l -> l.substring(l.indexOf("State of driver"))).orElse("(spark-submit logged no driver state)");
    }

    private static JsonNode status(Path file, Result submitted) throws IOException {
        assertTrue(Files.exists(file), "no status file; spark-submit said: " + submitted.err() + driverLogs());
        return JSON.readTree(file.toFile());
    }

    @Test
    void clusterDeployMode_badFlagValue_statusFileSaysTwo() throws Exception {
        Path status = dir.resolve("bad/status.json");
        Result r = submit("bad-flag", "--demo", "--epsilon", "-1", "--output", dir.resolve("never").toString(),
                "--status-file", status.toUri().toString());
        JsonNode s = status(status, r);
        assertEquals(2, s.get("exit_code").asInt(), s.toString());
        assertEquals("bad_input", s.get("outcome").asText());
        assertTrue(s.get("message").asText().startsWith("dp-train: error: --epsilon"), s.toString());
        // What standalone spark-submit reports for a driver that exited 2 (recorded, not a contract of dpspark): the
        // Master saw the driver FAIL, and spark-submit still returned 0.
        System.out.println("ClusterStatusFileIT bad-flag: spark-submit exit " + r.code() + ", " + driverState(r)
                + "; status file: " + s);
        assertTrue(driverState(r).contains("FAILED"), driverState(r));
        assertEquals(0, r.code(), "spark-submit now reports the driver's failure itself: " + r.err());
    }

    @Test
    void clusterDeployMode_demoRun_statusFileSaysSuccessWithTheLedgerEntry() throws Exception {
        String ledger = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
        CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "demo", "--epsilon", "5",
                "--delta", "1e-5", "--ledger", ledger);
        assertEquals(0, set.code(), set.err());
        Path status = dir.resolve("ok/status.json");
        Path model = dir.resolve("model-ok");
        Result r = submit("demo", "--demo", "--epsilon", "1", "--delta", "1e-6", "--steps", "20", "--partitions", "2",
                "--step-mode", "job", "--ledger", ledger, "--dataset-id", "demo", "--job-id", "cluster-ok",
                "--output", model.toString(), "--status-file", status.toString());
        JsonNode s = status(status, r);
        assertEquals(0, s.get("exit_code").asInt(), s + driverLogs());
        assertEquals("success", s.get("outcome").asText());
        assertEquals("demo", s.get("dataset_id").asText());
        assertEquals("cluster-ok", s.get("job_id").asText());
        assertTrue(s.get("epsilon").asDouble() > 0 && s.get("epsilon").asDouble() <= 1.0, s.toString());
        assertEquals(1e-6, s.get("delta").asDouble(), 0.0);
        assertTrue(s.get("ledger_commit_seq").asLong() > 0, s.toString());
        assertTrue(Files.exists(model.resolve("model.json")));
        assertEquals(0, r.code(), r.err());
        assertTrue(driverState(r).contains("FINISHED"), driverState(r));
        System.out.println("ClusterStatusFileIT demo: spark-submit exit " + r.code() + ", " + driverState(r)
                + "; status file: " + s);
    }
}
