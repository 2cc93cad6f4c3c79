package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos on a real standalone cluster (submit-scripts/dp-local-cluster: a Master and 2 Workers of 2 cores; an app
 * takes 2 one-core executors, one per Worker): dp-train, run through submit-scripts as a user would (the driver in
 * its own JVM, client deploy mode), has a JVM killed with SIGKILL mid-run.
 * <ul>
 *   <li>An executor JVM, in barrier mode (the barrier stage is retried from the driver's state) and in job mode (the
 *       step's tasks are retried): the Master launches a replacement executor and the run finishes with the same
 *       model, to the bit, as an undisturbed run under the same insecure test seed, with one reservation and one
 *       commit in the ledger.
 *   <li>The driver JVM, after its first checkpoints: the ledger holds the attempt's reservation, open and charged;
 *       the Master ends the dead app's executors; the same command with {@code --resume}, on a new driver, finishes
 *       the job from the newest checkpoint with the undisturbed run's model, to the bit, and the ledger still holds
 *       one reservation, now with one commit: charged once.
 *   <li>A Worker JVM (last: the cluster keeps one Worker): the run finishes on the remaining Worker (exit 0, one
 *       commit), or fails cleanly (exit 1, one line on stderr naming the recovery command, the reservation open and
 *       charged). Which one happened is printed.
 * </ul>
 * One cluster serves the whole class, and the undisturbed reference runs (one per step mode) run once, side by side,
 * before the cases. Each run gets a driver port of its own, so that a case finds its own executors by their
 * {@code --driver-url} even while another app's are still ending. The children's output (Spark's executor-lost
 * warnings included) goes to files in the class's folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterChaosIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPTS = HOME.resolve("submit-scripts");
    private static final String DATASET = "chaos";
    /**
     * Epochs of 40 steps: barrier steps take about a millisecond (4 on a loaded 2-core machine), job steps tens to
     * hundreds; either way a run outlasts a kill after its first epoch line.
     */
    private static final Map<String, Integer> EPOCHS = Map.of("barrier", 100, "job", 3);

    @TempDir static Path dir;

    private Path cluster;
    private String master;
    /** The undisturbed run's model parameters, by step mode. */
    private final Map<String, JsonNode> reference = new ConcurrentHashMap<>();
    private final Map<String, Double> referenceSeconds = new ConcurrentHashMap<>();
    /** The dp-train runs of the current case. */
    private final List<Run> started = new ArrayList<>();

    private record Run(Process process, Path out, Path err, int driverPort) {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void startClusterAndReferenceRuns() throws Exception {
        TwoFeatureCsv.write(dir, "train", 2000, 5);
        cluster = dir.resolve("cluster");
        Run r = start("cluster-start", Map.of(), List.of(SCRIPTS.resolve("dp-local-cluster").toString(), "start"), 0);
        assertEquals(0, finish(r, 4), r.stderr());
        master = r.stdout().strip();
        assertTrue(master.matches("spark://127\\.0\\.0\\.1:\\d+"), master);
        // The undisturbed runs, side by side (the cluster has the 4 slots two apps take).
        long t0 = System.nanoTime();
        Map<String, Run> calm = new java.util.LinkedHashMap<>();
        for (String mode : EPOCHS.keySet()) {
            Run run = train("calm-" + mode, "calm-" + mode, mode, ledger("reference-" + mode), List.of());
            run.process().onExit().thenRun(() -> referenceSeconds.put(mode, (System.nanoTime() - t0) / 1e9));
            calm.put(mode, run);
        }
        try {
            for (Map.Entry<String, Run> e : calm.entrySet()) {
                assertEquals(0, finish(e.getValue(), 8), e.getValue().stderr());
                reference.put(e.getKey(), params(dir.resolve("model-calm-" + e.getKey())));
            }
        } finally {
            calm.values().forEach(c -> c.process().destroyForcibly()); // after a failure, the other one
        }
    }

    @AfterAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        Run r = start("cluster-stop", Map.of(), List.of(SCRIPTS.resolve("dp-local-cluster").toString(), "stop"), 0);
        finish(r, 2);
        // An executor whose Worker was killed ends itself (its WorkerWatcher); any left over is ended here, by pid.
        executors(0).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Leaves the cluster calm for the next case: a run a failed assertion left going is ended, and the finished apps'
     * executors are gone (bounded; not a failure).
     */
    @AfterEach
    void endRunsAndAwaitNoExecutors() throws Exception {
        started.forEach(r -> r.process().destroyForcibly());
        started.clear();
        awaitExecutorsGone(0, 30);
    }

    private Run start(String name, Map<String, String> env, List<String> cmd, int driverPort) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("SPARK_HOME");
        EmbeddedArchive.use(pb.environment()); // the class-data archive, recorded once for the IT phase
        pb.environment().put("DPSPARK_CLUSTER_DIR", cluster.toString());
        pb.environment().put("DPSPARK_WORKER_CORES", "2");
        pb.environment().put("DPSPARK_WORKER_MEMORY", "1536m");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(env);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        return new Run(pb.start(), out, err, driverPort);
    }

    private static int finish(Run r, long minutes) throws Exception {
        if (!r.process().waitFor(minutes, TimeUnit.MINUTES)) {
            r.process().destroyForcibly();
            fail("did not finish in " + minutes + " minutes: " + r.stderr());
        }
        return r.process().exitValue();
    }

    /**
     * This cluster's executor JVMs (their classpath names the cluster's SPARK_HOME); with a driver port, only the
     * executors of the app whose driver listens there (their {@code --driver-url}).
     */
    private List<ProcessHandle> executors(int driverPort) {
        String home = cluster.resolve("spark-home").toString();
        String driver = "CoarseGrainedScheduler@127.0.0.1:" + driverPort + " ";
        return ProcessHandle.allProcesses().filter(p -> {
            String line = p.info().commandLine().orElse("") + " ";
            return line.contains("CoarseGrainedExecutorBackend") && line.contains(home)
                    && (driverPort == 0 || line.contains(driver));
        }).toList();
    }

    /** Waits up to {@code seconds} until no executor of the app (0: of any app) is alive; the seconds it took, or -1. */
    private double awaitExecutorsGone(int driverPort, long seconds) throws InterruptedException {
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (executors(driverPort).isEmpty()) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(200);
        }
        return -1;
    }

    /** A scratch ledger of its own for a case. */
    private static String ledger(String name) {
        // No budget for the dataset: an insecure test seed may not be charged to one (TrainingRun refuses it), but
        // is still reserved and committed in the ledger.
        return org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger-" + name));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * dp-train on the cluster: 2000 rows, batches of 50, the mode's {@link #EPOCHS}, 2 partitions, insecure test seed
     * 11, output {@code model-<jobId>}, its driver on a port of its own; {@code more} flags appended.
     */
    private Run train(String name, String jobId, String mode, String ledger, List<String> more) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPTS.resolve("dp-train").toString(), "--input",
                dir.resolve("train.csv").toString(), "--format", "csv", "--spec", dir.resolve("spec.json").toString(),
                "--epsilon", "1", "--epochs", String.valueOf(EPOCHS.get(mode)), "--batch-size", "50", "--partitions",
                "2", "--insecure-test-seed", "11", "--step-mode", mode, "--master", master, "--output",
                dir.resolve("model-" + jobId).toString(), "--ledger", ledger, "--dataset-id", DATASET, "--job-id",
                jobId));
        cmd.addAll(more);
        int port = freePort();
        Run r = start(name, Map.of("DPSPARK_DRIVER_MEMORY", "1g",
                "DPSPARK_JAVA_OPTS", "-Dspark.driver.host=127.0.0.1 -Dspark.driver.port=" + port
                        + " -Dspark.executor.memory=512m -Dspark.executor.cores=1 -Dspark.cores.max=2"
                        + " -Dspark.ui.enabled=false"), cmd, port);
        started.add(r);
        return r;
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

    private static List<LedgerEntry> entries(String ledger, String jobId, EntryType type) {
        DatasetState s = PrivacyLedger.open(ledger, null).state(DATASET);
        return s.entries().stream().filter(e -> jobId.equals(e.jobId()) && e.type() == type).toList();
    }

    /** The step of the newest checkpoint file in {@code ckpt} (checkpoint-STEP.json), or 0 when it has none. */
    private static long newestCheckpointStep(Path ckpt) throws IOException {
        if (!Files.isDirectory(ckpt)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(ckpt)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("checkpoint-") && n.endsWith(".json"))
                    .mapToLong(n -> Long.parseLong(n.substring("checkpoint-".length(), n.length() - ".json".length())))
                    .max().orElse(0);
        }
    }

    private void killOneExecutorMidRun(String mode) throws Exception {
        String ledger = ledger("executor-" + mode);
        Run chaos = train("chaos-" + mode, "chaos-" + mode, mode, ledger, List.of());
        assertTrue(awaitFirstEpoch(chaos, 240), "no epoch line before the run ended: " + chaos.stderr());
        List<ProcessHandle> executors = executors(chaos.driverPort());
        assertEquals(2, executors.size(), "executors: " + executors);
        ProcessHandle victim = executors.get(0);
        assertTrue(victim.destroyForcibly(), "could not kill executor " + victim.pid());
        int code = finish(chaos, 6);
        assertEquals(0, code, "the run did not survive the executor's death: " + chaos.stderr());
        assertFalse(victim.isAlive());
        // The driver saw the executor die while the run was going on (not after it).
        assertTrue(chaos.stderr().contains("Lost executor"), "no executor was lost: " + chaos.stderr());

        assertEquals(reference.get(mode), params(dir.resolve("model-chaos-" + mode)), "a retried stage changed the model");
        assertEquals(1, entries(ledger, "chaos-" + mode, EntryType.RESERVATION).size());
        assertEquals(1, entries(ledger, "chaos-" + mode, EntryType.COMMIT).size());
        assertEquals(0, entries(ledger, "chaos-" + mode, EntryType.ABORT).size());
        String retried = chaos.stderr().lines().filter(l -> l.contains("recomputed by the retried stage"))
                .map(l -> l.substring(l.indexOf("step "))).findFirst().orElse("no barrier step recomputed");
        System.out.printf("ClusterChaosIT %s: executor pid %d killed after the first epoch line (%s); run exit 0,"
                + " same model as the undisturbed run (which took %.1f s, beside the other mode's), one reservation,"
                + " one commit%n", mode, victim.pid(), retried, referenceSeconds.getOrDefault(mode, Double.NaN));
    }

    @Test
    @Order(1)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void killOneExecutorMidRun_barrierMode_sameModel_oneReservationOneCommit() throws Exception {
        killOneExecutorMidRun("barrier");
    }

    @Test
    @Order(2)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void killOneExecutorMidRun_jobMode_sameModel_oneReservationOneCommit() throws Exception {
        killOneExecutorMidRun("job");
    }

    @Test
    @Order(3)
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void killDriverMidRun_resumeOnANewDriver_sameModel_chargedOnce() throws Exception {
        String mode = "barrier";
        String job = "driver-kill";
        String ledger = ledger(job);
        Path ckpt = dir.resolve("ckpt-" + job);
        List<String> checkpoints = List.of("--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "20");
        Run doomed = train("driver-killed", job, mode, ledger, checkpoints);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (newestCheckpointStep(ckpt) == 0 && doomed.process().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(newestCheckpointStep(ckpt) > 0, "no checkpoint before the driver ended: " + doomed.stderr());
        // dp-train execs the driver's java (the class-data archive exists, see EmbeddedArchive): the process is the driver JVM. (Its whole command
        // line: ProcessHandle.Info cuts it at a page, inside the class path.)
        ProcessHandle driver = doomed.process().toHandle();
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(driver.pid()), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        assertTrue(cmdline.contains(" org.dpspark.jobs.cli.DpTrain "), "not the driver JVM: " + driver.info().command());
        // kill -9 of the driver's pid (only that process: not the test's process group)
        Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(driver.pid())).redirectErrorStream(true)
                .start();
        assertEquals(0, kill.waitFor(), new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(doomed.process().waitFor(60, TimeUnit.SECONDS), "the driver did not die");
        assertEquals(137, doomed.process().exitValue(), "the driver was not killed mid-run: " + doomed.stderr());
        long killedAfter = newestCheckpointStep(ckpt);
        long steps = 40L * EPOCHS.get(mode);
        assertTrue(killedAfter < steps, "the run had ended before the kill: checkpoint at step " + killedAfter);
        assertTrue(Files.notExists(dir.resolve("model-" + job)), "the killed driver published a model");

        // The attempt is charged, as designed: its one reservation stays open with the whole run's events.
        DatasetState open = PrivacyLedger.open(ledger, null).state(DATASET);
        DatasetState.JobCharge charge = open.latest(job).orElseThrow();
        assertEquals(DatasetState.JobStatus.OPEN, charge.status());
        assertEquals(charge.reservation().events(), charge.charged());
        assertEquals(1, entries(ledger, job, EntryType.RESERVATION).size());
        assertEquals(0, entries(ledger, job, EntryType.COMMIT).size());
        double spent = open.spentEpsilon();
        assertTrue(spent > 0, "nothing charged: " + spent);

        // The Master ends the dead app's executors once the driver's connection is gone: wait for that (bounded),
        // so that the new driver does not queue behind them.
        double freedAfter = awaitExecutorsGone(doomed.driverPort(), 90);
        assertTrue(freedAfter >= 0, "the killed driver's executors still run 90 s later: "
                + executors(doomed.driverPort()));

        // The same command with --resume, on a new driver.
        List<String> resume = new ArrayList<>(checkpoints);
        resume.add("--resume");
        Run resumed = train("driver-resumed", job, mode, ledger, resume);
        assertEquals(0, finish(resumed, 8), "the resume failed: " + resumed.stderr());
        String said = resumed.stdout() + resumed.stderr();
        assertTrue(said.contains("resuming job '" + job + "' at step " + killedAfter + "/" + steps), said);
        assertFalse(said.contains("\tat "), "a stack trace on the console:\n" + said);

        assertEquals(reference.get(mode), params(dir.resolve("model-" + job)),
                "the resumed run's model is not the undisturbed run's");
        DatasetState after = PrivacyLedger.open(ledger, null).state(DATASET);
        assertEquals(1, after.attempts(job).size(), "the resume was charged as another attempt");
        assertEquals(DatasetState.JobStatus.COMMITTED, after.latest(job).orElseThrow().status());
        assertEquals(1, entries(ledger, job, EntryType.RESERVATION).size());
        assertEquals(1, entries(ledger, job, EntryType.COMMIT).size());
        assertEquals(0, entries(ledger, job, EntryType.ABORT).size());
        assertEquals(spent, after.spentEpsilon(), 0.0, "the resume changed what the dataset was charged");
        System.out.printf("ClusterChaosIT driver: driver pid %d killed (SIGKILL) after the checkpoint of step %d/%d;"
                + " the reservation open and charged (epsilon %.4f); its executors gone %.1f s later; --resume on a"
                + " new driver: exit 0, same model as the undisturbed run, one reservation, one commit, epsilon"
                + " unchanged%n", driver.pid(), killedAfter, steps, spent, freedAfter);
    }

    @Test
    @Order(4) // last: the cluster keeps one Worker
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void killOneWorkerMidRun_finishesOnTheOtherOrFailsCleanly() throws Exception {
        String ledger = ledger("worker");
        Run chaos = train("worker-kill", "worker-kill", "barrier", ledger, List.of());
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
    }
}
