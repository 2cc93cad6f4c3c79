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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone Spark cluster on 127.0.0.1 (submit-scripts/dp-local-cluster: a Master and 2 Workers from the
 * Maven-resolved jars; executors in their own JVMs, the app jar shipped with spark.jars) runs a short dp-train
 * job in barrier mode, and its model equals, to the bit, local mode's for the same insecure test seed (run there
 * with one Spark job per step, so the step mode is checked too). Prints the cluster's time per step.
 */
class LocalClusterIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPTS = HOME.resolve("submit-scripts");

    @TempDir static Path dir;
    private static String master;

    private static String run(Path log, Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).directory(dir.toFile());
        pb.environment().remove("SPARK_HOME");
        EmbeddedArchive.use(pb.environment()); // the class-data archive, recorded once for the IT phase
        pb.environment().put("DPSPARK_CLUSTER_DIR", dir.resolve("cluster").toString());
        pb.environment().putAll(env);
        pb.redirectOutput(log.toFile());
        pb.redirectError(dir.resolve(log.getFileName() + ".err").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), String.join(" ", cmd) + " did not finish in 10 minutes");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: "
                + Files.readString(dir.resolve(log.getFileName() + ".err"), StandardCharsets.UTF_8));
        return out;
    }

    @BeforeAll
    static void startCluster() throws Exception {
        master = run(dir.resolve("start.txt"), Map.of(), SCRIPTS.resolve("dp-local-cluster").toString(), "start").trim();
        assertTrue(master.matches("spark://127\\.0\\.0\\.1:\\d+"), master);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        run(dir.resolve("stop.txt"), Map.of(), SCRIPTS.resolve("dp-local-cluster").toString(), "stop");
    }

    private static JsonNode train(String name, String masterUrl, String mode) throws Exception {
        Path out = dir.resolve("model-" + name);
        List<String> cmd = new ArrayList<>(List.of(SCRIPTS.resolve("dp-train").toString(), "--demo", "--epochs", "1",
                "--partitions", "2", "--insecure-test-seed", "7", "--step-mode", mode, "--master", masterUrl,
                "--output", out.toString()));
        String stdout = run(dir.resolve(name + ".txt"), Map.of("DPSPARK_DRIVER_MEMORY", "1g", "SPARK_LOCAL_IP", "127.0.0.1",
                "DPSPARK_JAVA_OPTS", "-Dspark.driver.host=127.0.0.1 -Dspark.executor.memory=512m"),
                cmd.toArray(String[]::new));
        System.out.println("LocalClusterIT " + name + ": " + stdout.lines().findFirst().orElse(""));
        return new ObjectMapper().readTree(out.resolve("model.json").toFile());
    }

    @Test
    void standaloneCluster_barrierMode_sameModelAsLocalMode() throws Exception {
        JsonNode cluster = train("cluster", master, "barrier");
        JsonNode local = train("local", "local[2]", "job");
        // model.json format 2: the flat parameter vector (weights, then the intercept), compared exactly.
        assertEquals(21, local.get("params").size());
        assertEquals(local.get("params"), cluster.get("params"));
        JsonNode report = new ObjectMapper().readTree(dir.resolve("model-cluster").resolve("report.json").toFile());
        assertEquals("barrier", report.at("/training/step_mode").asText());
        assertTrue(report.at("/spark_master").asText().startsWith("spark://127.0.0.1:"), report.toString());
        assertTrue(report.at("/training/millis_per_step").asDouble() > 0);
        // The executors ran in the Workers' own JVMs: each Worker made an application folder.
        for (int w = 1; w <= 2; w++) {
            try (var apps = Files.list(dir.resolve("cluster").resolve("work-" + w))) {
                assertTrue(apps.findAny().isPresent(), "worker " + w + " launched no executor");
            }
        }
    }
}
