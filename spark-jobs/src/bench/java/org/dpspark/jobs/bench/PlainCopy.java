package org.dpspark.jobs.bench;

import java.util.Locale;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The baseline of issue 15's dp-prepare throughput: a plain Spark copy of a CSV table (with header) to Parquet, as
 * dpspark's DataReader reads CSV (every column a string, no schema inference), no transformation.
 *
 * <p>Usage: {@code PlainCopy IN OUT [MASTER]} (master default local[2]); OUT is replaced. Times one
 * {@code spark.read().option("header", "true").csv(IN).write().parquet(OUT)} from the start of the read to the end of
 * the write (the session is started before the clock starts and the rows are counted after it stops, from the
 * Parquet copy's footers), then prints {@code plain-copy: rows=N seconds=S rows/s=R} on stdout. A second line,
 * {@code plain-copy with session start: seconds=S2 rows_per_s=R2}, times from the start of main (session start
 * included) to the end of the write: dp-prepare's own "seconds" are counted that way (from the start of its command,
 * before its session starts), so this second figure compares like with like.
 */
public final class PlainCopy {

    private PlainCopy() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: PlainCopy IN OUT [MASTER]");
            System.exit(2);
        }
        long started = System.nanoTime();
        String in = args[0];
        String out = args[1];
        String master = args.length > 2 ? args[2] : "local[2]";
        SparkSession spark = SparkSession.builder().appName("PlainCopy").master(master)
                .config("spark.ui.showConsoleProgress", "false").getOrCreate();
        try {
            long t0 = System.nanoTime();
            spark.read().option("header", "true").csv(in).write().mode(SaveMode.Overwrite).parquet(out);
            long t1 = System.nanoTime();
            double seconds = (t1 - t0) / 1e9;
            double withSession = (t1 - started) / 1e9;
            long rows = spark.read().parquet(out).count();
            System.out.printf(Locale.ROOT, "plain-copy: rows=%d seconds=%.3f rows/s=%.0f%n", rows, seconds,
                    rows / seconds);
            System.out.printf(Locale.ROOT, "plain-copy with session start: seconds=%.3f rows_per_s=%.0f%n", withSession,
                    rows / withSession);
        } finally {
            spark.stop();
        }
    }
}
