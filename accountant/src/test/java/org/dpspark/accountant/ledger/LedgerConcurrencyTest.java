package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.calibration.NoiseCalibration;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight OS processes (separate JVMs on the accountant's test classpath: these classes, the Hadoop client and
 * Jackson) reserve at the same moment, each a job of epsilon 0.5, against a budget of epsilon 2.0 on the local file
 * system; twenty rounds, each on a fresh dataset. Composed with RDP, 13 such jobs fit in epsilon 2.0 (adding
 * epsilons would say 4), so each round's dataset first gets {@value #PRIOR} committed jobs of the same kind from this
 * JVM, leaving room for fewer than eight. In every round exactly as many are admitted as the composed budget allows
 * (computed here, independently of the ledger, by composing k copies of the job on one accountant), every admitted
 * job is in the log, every other one was told it was refused, and the spend never exceeds the budget. Optionally
 * (on HDFS, in ledger-hdfs-it) the admitted jobs then commit at the same moment, and every acknowledged commit is in
 * the log.
 *
 * <p>The scenario ({@link #eightProcessesAgainstOneBudget}) takes the ledger's URI, so ledger-hdfs-it runs the
 * same on HDFS.
 */
class LedgerConcurrencyTest {
    private static final int PROCESSES = 8;
    private static final int ROUNDS = 20;
    private static final double DELTA = 1e-5;
    private static final double BUDGET = 2.0;
    private static final double JOB_EPSILON = 0.5;
    private static final double Q = 0.01;
    private static final long STEPS = 1000;
    private static final int PRIOR = 8;

    @TempDir Path dir;

    private record Worker(Process process, PrintWriter in, BufferedReader out) {}

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void eightProcesses_neverOverdraw_andNoReservationIsLost() throws Exception {
        eightProcessesAgainstOneBudget(dir.toUri().toString(), false);
    }

    /**
     * The scenario on the ledger at {@code ledgerUri} (a URI the worker JVMs can open with the default Hadoop
     * configuration; no ledger there yet). With {@code commits}, each round's admitted jobs then commit at the same
     * moment (this doubles the scenario's time, so the local unit test leaves it to the HDFS integration test).
     */
    static void eightProcessesAgainstOneBudget(String ledgerUri, boolean commits) throws Exception {
        double sigma = NoiseCalibration.calibrateNoiseMultiplier(JOB_EPSILON, DELTA, Q, STEPS, RdpAccountant::new);
        // Independently: the largest k whose k-fold composition fits.
        int fit = 0;
        for (int k = 1; k <= PRIOR + PROCESSES; k++) {
            RdpAccountant acc = new RdpAccountant();
            acc.compose(new DpEvent(Q, sigma, k * STEPS));
            double eps = acc.epsilon(DELTA);
            assertTrue(Math.abs(eps - BUDGET) > 1e-6, "k = " + k + " lands on the budget: the test would be fragile");
            if (eps <= BUDGET) {
                fit = k;
            }
        }
        // Adding epsilons would allow 4 in all; composition allows more than the prior jobs, but not all eight more.
        int allowed = fit - PRIOR;
        assertTrue(fit > BUDGET / JOB_EPSILON && allowed > 0 && allowed < PROCESSES, "fit = " + fit);
        List<DpEvent> job = List.of(new DpEvent(Q, sigma, STEPS));

        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                workers.add(start());
            }
            for (Worker w : workers) {
                assertEquals("READY", w.out().readLine());
            }
            PrivacyLedger ledger = PrivacyLedger.builder(ledgerUri).accountant(RdpAccountant::new)
                    .create(LedgerPolicy.defaults());
            for (int round = 1; round <= ROUNDS; round++) {
                String ds = "round-" + round;
                ledger.setBudget(ds, new Budget(BUDGET, DELTA, Budget.ROW));
                for (int j = 0; j < PRIOR; j++) {
                    ledger.reserve(ds, "prior-" + j, "sha256:concurrency", job, DELTA);
                    ledger.commit(ds, "prior-" + j, job, JOB_EPSILON, DELTA, "file:/models/prior-" + j);
                }
                for (int i = 0; i < PROCESSES; i++) {
                    workers.get(i).in().println(String.format(Locale.ROOT, "reserve %s %s job-%d-%d %s %s %d %s",
                            ledgerUri, ds, round, i, Q, sigma, STEPS, DELTA));
                }
                for (Worker w : workers) {
                    w.in().flush();
                }
                Set<String> admitted = new HashSet<>();
                int refused = 0;
                for (Worker w : workers) {
                    String line = w.out().readLine();
                    assertTrue(line != null && !line.startsWith("ERROR"), "round " + round + ": " + line);
                    String[] p = line.split(" ", 3);
                    if (p[0].equals("OK")) {
                        admitted.add(p[1]);
                    } else {
                        assertEquals("REFUSED", p[0], line);
                        assertTrue(p[2].contains("exhausted") && p[2].contains("remaining"), line);
                        refused++;
                    }
                }
                assertEquals(allowed, admitted.size(), "round " + round + ": admitted " + admitted);
                assertEquals(PROCESSES - allowed, refused);
                DatasetState s = PrivacyLedger.builder(ledgerUri).accountant(RdpAccountant::new).build().state(ds); // a fresh reader: from the files
                Set<String> logged = new HashSet<>();
                for (DatasetState.JobCharge c : s.charges()) {
                    if (!c.jobId().startsWith("prior-")) {
                        logged.add(c.jobId());
                    }
                }
                assertEquals(admitted, logged, "round " + round);
                assertEquals(1 + 2 * PRIOR + allowed, s.entries().size()); // budget, prior jobs, one per admitted
                assertTrue(s.spentEpsilon() <= BUDGET, "overdrawn: " + s.spentEpsilon());
                if (!commits) {
                    continue;
                }
                // The admitted jobs commit at the same moment: every acknowledged commit is in the log.
                List<Worker> committing = new ArrayList<>();
                for (int i = 0; i < PROCESSES; i++) {
                    String jobId = String.format(Locale.ROOT, "job-%d-%d", round, i);
                    if (admitted.contains(jobId)) {
                        workers.get(i).in().println(String.format(Locale.ROOT, "commit %s %s %s %s %s %d %s %s",
                                ledgerUri, ds, jobId, Q, sigma, STEPS, DELTA, JOB_EPSILON));
                        workers.get(i).in().flush();
                        committing.add(workers.get(i));
                    }
                }
                Set<String> acknowledged = new HashSet<>();
                for (Worker w : committing) {
                    String line = w.out().readLine();
                    assertTrue(line != null && line.startsWith("OK "), "round " + round + " commit: " + line);
                    acknowledged.add(line.split(" ")[1]);
                }
                assertEquals(admitted, acknowledged);
                DatasetState after = PrivacyLedger.builder(ledgerUri).accountant(RdpAccountant::new).build().state(ds);
                for (String jobId : admitted) {
                    assertEquals(DatasetState.JobStatus.COMMITTED, after.latest(jobId).orElseThrow().status(), jobId);
                }
                assertEquals(1 + 2 * PRIOR + 2 * allowed, after.entries().size());
                assertEquals(s.spentEpsilon(), after.spentEpsilon(), 1e-12, "a commit of the reserved events");
            }
        } finally {
            for (Worker w : workers) {
                w.in().println("quit");
                w.in().flush();
            }
            for (Worker w : workers) {
                if (!w.process().waitFor(10, TimeUnit.SECONDS)) {
                    w.process().destroyForcibly();
                }
            }
        }
    }

    private static Worker start() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", cp, ReserveWorker.class.getName());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        return new Worker(p, new PrintWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)),
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }

}
