package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos on a real standalone cluster (submit-scripts/dp-local-cluster: a Master and 2 Workers of 2 cores; the app
 * takes 2 one-core executors, one per Worker): dp-train, run through submit-scripts as a user would, has a JVM of
 * the cluster killed with SIGKILL after its first epoch line.
 * <ul>
 *   <li>An executor JVM, in barrier mode (the barrier stage is retried from the driver's state) and in job mode (the
 *       step's tasks are retried): the Master launches a replacement executor and the run finishes with the same
 *       model, to the bit, as an undisturbed run under the same insecure test seed, with one reservation and one
 *       commit in the ledger.
 *   <li>A Worker JVM: the run finishes on the remaining Worker (exit 0, one commit), or fails cleanly (exit 1, one
 *       line on stderr naming the recovery command, the reservation open and charged). Which one happened is printed.
 * </ul>
 * The children's output (Spark's executor-lost warnings included) goes to files in the test's folder. Each case
 * starts its own cluster (about a minute on a loaded 2-core machine).
 */
class ClusterChaosIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPTS = HOME.resolve("submit-scripts");
    private static final String DATASET = "chaos";

    @TempDir Path dir;

    private record Run(Process process, Path out, Path err) {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }
    }

    private Run start(String name, Path clusterDir, Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("SPARK_HOME");
        pb.environment().put("DPSPARK_CDS", "0"); // no class-data archive recorded by the suite
        pb.environment().put("DPSPARK_CLUSTER_DIR", clusterDir.toString());
        pb.environment().put("DPSPARK_WORKER_CORES", "2");
        pb.environment().put("DPSPARK_WORKER_MEMORY", "1536m");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(env);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        return new Run(pb.start(), out, err);
    }

    private static int finish(Run r, long minutes) throws Exception {
        if (!r.process().waitFor(minutes, TimeUnit.MINUTES)) {
            r.process().destroyForcibly();
            fail("did not finish in " + minutes + " minutes: " + r.stderr());
        }
        return r.process().exitValue();
    }

    private String startCluster(Path clusterDir) throws Exception {
        Run r = start("start-" + clusterDir.getFileName(), clusterDir, Map.of(),
                List.of(SCRIPTS.resolve("dp-local-cluster").toString(), "start"));
        assertEquals(0, finish(r, 4), r.stderr());
        String url = r.stdout().strip();
        assertTrue(url.matches("spark://127\\.0\\.0\\.1:\\d+"), url);
        return url;
    }

    private void stopCluster(Path clusterDir) throws Exception {
        Run r = start("stop-" + clusterDir.getFileName(), clusterDir, Map.of(),
                List.of(SCRIPTS.resolve("dp-local-cluster").toString(), "stop"));
        finish(r, 2);
        // An executor whose Worker was killed ends itself (its WorkerWatcher); any left over is ended here, by pid.
        executors(clusterDir).forEach(ProcessHandle::destroyForcibly);
    }

    /** This cluster's executor JVMs: their classpath names the cluster's SPARK_HOME. */
    private static List<ProcessHandle> executors(Path clusterDir) {
        String home = clusterDir.resolve("spark-home").toString();
        return ProcessHandle.allProcesses().filter(p -> {
            String line = p.info().commandLine().orElse("");
            return line.contains("CoarseGrainedExecutorBackend") && line.contains(home);
        }).toList();
    }

    private String ledger() throws Exception {
        // No budget for the dataset: an insecure test seed may not be charged to one, but is still reserved and
        // committed in the ledger.
        return org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
    }

    /** dp-train on the cluster: 2000 rows, batches of 50, {@code epochs} epochs, 2 partitions, seed 11. */
    private Run train(String name, Path clusterDir, String master, String mode, String ledger, int epochs)
            throws IOException {
        Path csv = dir.resolve("train.csv");
        if (Files.notExists(csv)) {
            TwoFeatureCsv.write(dir, "train", 2000, 5);
        }
        List<String> cmd = new ArrayList<>(List.of(SCRIPTS.resolve("dp-train").toString(), "--input", csv.toString(),
                "--format", "csv", "--spec", dir.resolve("spec.json").toString(), "--epsilon", "1", "--epochs",
                String.valueOf(epochs), "--batch-size", "50", "--partitions", "2", "--insecure-test-seed", "11",
                "--step-mode", mode, "--master", master, "--output", dir.resolve("model-" + name).toString(),
                "--ledger", ledger, "--dataset-id", DATASET, "--job-id", name));
        return start(name, clusterDir, Map.of("DPSPARK_DRIVER_MEMORY", "1g",
                "DPSPARK_JAVA_OPTS", "-Dspark.driver.host=127.0.0.1 -Dspark.executor.memory=512m"
                        + " -Dspark.executor.cores=1 -Dspark.cores.max=2 -Dspark.ui.enabled=false"), cmd);
    }

    /** Waits until the run printed its first epoch line (stdout or stderr); false if it ended first. */
    private static boolean awaitFirstEpoch(Run r, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if ((r.stdout() + r.stderr()).contains("epoch 1/")) {
                return true;
            }
            if (!r.process().isAlive()) {
                return false;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static JsonNode params(Path model) throws IOException {
        return new ObjectMapper().readTree(model.resolve("model.json").toFile()).get("params");
    }

    private List<LedgerEntry> entries(String ledger, String jobId, EntryType type) {
        DatasetState s = PrivacyLedger.open(ledger, null).state(DATASET);
        return s.entries().stream().filter(e -> jobId.equals(e.jobId()) && e.type() == type).toList();
    }

    private void killOneExecutorMidRun(String mode) throws Exception {
        Path cluster = dir.resolve("cluster-" + mode);
        String master = startCluster(cluster);
        try {
            String ledger = ledger();
            long t0 = System.nanoTime();
            // Barrier steps take about a millisecond, job steps tens to hundreds (loaded 2-core machine): either way
            // the run outlasts the kill, which comes after epoch 1 of 40 steps.
            int epochs = mode.equals("barrier") ? 100 : 5;
            Run calm = train("calm-" + mode, cluster, master, mode, ledger, epochs);
            assertEquals(0, finish(calm, 6), calm.stderr());
            double calmSeconds = (System.nanoTime() - t0) / 1e9;

            Run chaos = train("chaos-" + mode, cluster, master, mode, ledger, epochs);
            assertTrue(awaitFirstEpoch(chaos, 240), "no epoch line before the run ended: " + chaos.stderr());
            List<ProcessHandle> executors = executors(cluster);
            assertEquals(2, executors.size(), "executors: " + executors);
            ProcessHandle victim = executors.get(0);
            assertTrue(victim.destroyForcibly(), "could not kill executor " + victim.pid());
            int code = finish(chaos, 6);
            assertEquals(0, code, "the run did not survive the executor's death: " + chaos.stderr());
            assertTrue(!victim.isAlive());
            // The driver saw the executor die while the run was going on (not after it).
            assertTrue(chaos.stderr().contains("Lost executor"), "no executor was lost: " + chaos.stderr());

            assertEquals(params(dir.resolve("model-calm-" + mode)), params(dir.resolve("model-chaos-" + mode)),
                    "a retried stage changed the model");
            assertEquals(1, entries(ledger, "chaos-" + mode, EntryType.RESERVATION).size());
            assertEquals(1, entries(ledger, "chaos-" + mode, EntryType.COMMIT).size());
            assertEquals(0, entries(ledger, "chaos-" + mode, EntryType.ABORT).size());
            String retried = chaos.stderr().lines().filter(l -> l.contains("recomputed by the retried stage"))
                    .map(l -> l.substring(l.indexOf("step "))).findFirst().orElse("no barrier step recomputed");
            System.out.printf("ClusterChaosIT %s: executor pid %d killed after the first epoch line (%s); run exit 0,"
                    + " same model as the undisturbed run (which took %.1f s), one reservation, one commit%n", mode,
                    victim.pid(), retried, calmSeconds);
        } finally {
            stopCluster(cluster);
        }
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void killOneExecutorMidRun_barrierMode_sameModel_oneReservationOneCommit() throws Exception {
        killOneExecutorMidRun("barrier");
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void killOneExecutorMidRun_jobMode_sameModel_oneReservationOneCommit() throws Exception {
        killOneExecutorMidRun("job");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void killOneWorkerMidRun_finishesOnTheOtherOrFailsCleanly() throws Exception {
        Path cluster = dir.resolve("cluster-worker");
        String master = startCluster(cluster);
        try {
            String ledger = ledger();
            Run chaos = train("worker-kill", cluster, master, "barrier", ledger, 100);
            assertTrue(awaitFirstEpoch(chaos, 240), "no epoch line before the run ended: " + chaos.stderr());
            // dp-local-cluster's pids file: the Master, then the Workers.
            List<String> pids = Files.readAllLines(cluster.resolve("pids"));
            long workerPid = Long.parseLong(pids.get(1).strip());
            Optional<ProcessHandle> worker = ProcessHandle.of(workerPid);
            assertTrue(worker.isPresent() && worker.get().destroyForcibly(), "could not kill Worker " + workerPid);
            int code = finish(chaos, 8);
            List<LedgerEntry> reservations = entries(ledger, "worker-kill", EntryType.RESERVATION);
            List<LedgerEntry> commits = entries(ledger, "worker-kill", EntryType.COMMIT);
            List<LedgerEntry> aborts = entries(ledger, "worker-kill", EntryType.ABORT);
            assertEquals(1, reservations.size());
            assertEquals(0, aborts.size(), "the reservation was freed though the run released estimates");
            if (code == 0) {
                assertEquals(1, commits.size());
                assertTrue(Files.exists(dir.resolve("model-worker-kill").resolve("model.json")));
                System.out.println("ClusterChaosIT worker: Worker pid " + workerPid
                        + " killed after the first epoch line; the run finished on the other Worker (exit 0, one commit)");
            } else {
                assertEquals(1, code, "neither success nor a clean failure: " + chaos.stderr());
                assertEquals(0, commits.size());
                DatasetState s = PrivacyLedger.open(ledger, null).state(DATASET);
                DatasetState.JobCharge c = s.latest("worker-kill").orElseThrow();
                assertEquals(DatasetState.JobStatus.OPEN, c.status());
                assertEquals(c.reservation().events(), c.charged());
                assertTrue(chaos.stderr().contains("dp-ledger resolve --dataset-id " + DATASET + " --job-id worker-kill"),
                        chaos.stderr());
                System.out.println("ClusterChaosIT worker: Worker pid " + workerPid
                        + " killed after the first epoch line; the run failed cleanly (exit 1, reservation open)");
            }
        } finally {
            stopCluster(cluster);
        }
    }
}
