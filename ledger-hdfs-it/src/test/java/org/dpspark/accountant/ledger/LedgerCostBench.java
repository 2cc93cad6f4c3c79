package org.dpspark.accountant.ledger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (nothing is asserted on time): the cost of one job's ledger traffic, a reserve and its
 * commit, on the local file system and on HDFS (an in-process MiniDFSCluster on this machine, so the network is
 * loopback), side by side in one JVM. Rounds alternate local and HDFS so both see the same machine load; each
 * round is one job on one dataset whose log grows by two entries per round, with a budget checked every time
 * (RDP, so the composition cost is small and the same on both). Prints the medians and writes them to
 * target/ledger-cost.md; results go to docs/benchmarks.md. Runs only when asked:
 *
 * <pre>
 *   mvn -B -o -q -pl ledger-hdfs-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dit.test=LedgerCostBench -Ddpspark.bench=true [-Ddpspark.bench.rounds=50]
 * </pre>
 */
@EnabledIfSystemProperty(named = "dpspark.bench", matches = "true")
class LedgerCostBench {
    private static final double DELTA = 1e-5;
    private static final List<DpEvent> JOB = List.of(new DpEvent(0.01, 1.0, 1000));
    private static final int WARMUP = 10;

    @TempDir Path dir;

    private static final class Side {
        final String name;
        final PrivacyLedger ledger;
        final List<Double> reserveMs = new ArrayList<>();
        final List<Double> commitMs = new ArrayList<>();
        final List<Double> totalMs = new ArrayList<>();

        Side(String name, PrivacyLedger ledger) {
            this.name = name;
            this.ledger = ledger;
        }

        void round(int i, boolean measured) {
            String job = "job-" + i;
            long t0 = System.nanoTime();
            ledger.reserve("ds", job, "sha256:bench", JOB, DELTA);
            long t1 = System.nanoTime();
            ledger.commit("ds", job, JOB, 0.1, DELTA, "file:/models/" + job);
            long t2 = System.nanoTime();
            if (measured) {
                reserveMs.add((t1 - t0) / 1e6);
                commitMs.add((t2 - t1) / 1e6);
                totalMs.add((t2 - t0) / 1e6);
            }
        }
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void reserveAndCommit_localBesideHdfs() throws IOException {
        int rounds = Integer.getInteger("dpspark.bench.rounds", 50);
        String loadBefore = loadAverage();
        try (HdfsCluster hdfs = HdfsCluster.start()) {
            Side local = side("local", dir.resolve("ledger").toString(), null);
            Side remote = side("hdfs", hdfs.freshLocation("bench"), hdfs.conf());
            for (int i = 0; i < WARMUP + rounds; i++) {
                boolean measured = i >= WARMUP;
                local.round(i, measured);
                remote.round(i, measured);
            }
            String loadAfter = loadAverage();
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "%d rounds (after %d warm-up rounds), alternating; "
                    + "/proc/loadavg before: %s; after: %s%n%n", rounds, WARMUP, loadBefore, loadAfter));
            out.append("| file system | reserve+commit median ms | p10 | p90 | reserve median ms | commit median ms |\n");
            out.append("|---|---|---|---|---|---|\n");
            for (Side s : List.of(local, remote)) {
                out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", s.name,
                        quantile(s.totalMs, 0.5), quantile(s.totalMs, 0.1), quantile(s.totalMs, 0.9),
                        quantile(s.reserveMs, 0.5), quantile(s.commitMs, 0.5)));
            }
            out.append(String.format(Locale.ROOT, "%nratio hdfs/local (median reserve+commit): %.2f%n",
                    quantile(remote.totalMs, 0.5) / quantile(local.totalMs, 0.5)));
            System.out.print(out);
            Path report = Path.of("target", "ledger-cost.md");
            Files.writeString(report, out.toString(), StandardCharsets.UTF_8);
        }
    }

    private static Side side(String name, String location, org.apache.hadoop.conf.Configuration conf) {
        PrivacyLedger.create(location, conf, LedgerPolicy.defaults());
        PrivacyLedger l = PrivacyLedger.builder(location).conf(conf).user("bench").codeVersion("bench")
                .accountant(RdpAccountant::new).build();
        l.setBudget("ds", new Budget(1000, DELTA, Budget.ROW));
        return new Side(name, l);
    }

    private static double quantile(List<Double> xs, double p) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        double pos = p * (a.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, a.length - 1);
        return a[lo] + (pos - lo) * (a[hi] - a[lo]);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }
}
