package org.dpspark.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The embedded runner's class-data archive (submit-scripts/common.sh, docs/benchmarks.md "Time to first step") for the
 * drivers that the integration tests start through the scripts: recorded once per build, by the first caller, with a
 * one-epoch {@code dp-train --demo}, and mapped by every later start, which then loads Spark's classes from the
 * archive instead of the jars. With the archive in place the scripts exec the driver's java, so a test's process is
 * the driver JVM itself (ClusterChaosIT kills it by that pid).
 *
 * <p>If the recording fails, the tests run without the archive ({@code DPSPARK_CDS=0}), as before: slower, not
 * different.
 */
final class EmbeddedArchive {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static Boolean recorded;

    private EmbeddedArchive() {
    }

    /** Sets DPSPARK_CDS in {@code env}: 1 once the archive exists (recording it first if needed), else 0. */
    static void use(Map<String, String> env) {
        env.put("DPSPARK_CDS", ready() ? "1" : "0");
    }

    private static synchronized boolean ready() {
        if (recorded == null) {
            recorded = record();
        }
        return recorded;
    }

    private static boolean record() {
        try {
            Path dir = Files.createTempDirectory("dpspark-cds-");
            ProcessBuilder pb = new ProcessBuilder(HOME.resolve("submit-scripts/dp-train").toString(), "--demo",
                    "--epochs", "1", "--output", dir.resolve("model").toString(), "--master", "local[2]")
                    .directory(dir.toFile());
            pb.environment().remove("SPARK_HOME");
            pb.environment().put("DPSPARK_CDS", "1");
            pb.environment().put("DPSPARK_DRIVER_MEMORY", "2g");
            pb.redirectErrorStream(true);
            pb.redirectOutput(dir.resolve("record.txt").toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            Path cds = HOME.resolve("spark-jobs/target/cds");
            try (var files = Files.list(cds)) {
                return p.exitValue() == 0 && files.anyMatch(f -> f.getFileName().toString().endsWith(".jsa"));
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
