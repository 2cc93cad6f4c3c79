package org.dpspark.jobs.bench;

import java.util.Locale;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.dpspark.datasets.SyntheticData;

/**
 * Writes issue 15's raw customer table ({@link SyntheticData#rawCustomers}: names, e-mails, phones, ages, ZIP codes,
 * signup dates, cards, balances and the transactions) as a CSV directory with a header row, for the dp-prepare
 * benchmark ({@code dp-bench prepare}).
 *
 * <p>Usage: {@code CustomersCsv OUT ROWS [SEED [PARTITIONS [MASTER]]]}: the smallest number of customers whose rows
 * ({@link SyntheticData#rowsOfCustomer}, counted in the driver without generating them) reach ROWS; public seed
 * SEED (default 1), PARTITIONS output files (default 4), master default local[2]. OUT is replaced. Prints
 * {@code users=U rows=N} on stdout. The data is public and synthetic (fake personal data from a public seed).
 */
public final class CustomersCsv {

    private CustomersCsv() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 5) {
            System.err.println("usage: CustomersCsv OUT ROWS [SEED [PARTITIONS [MASTER]]]");
            System.exit(2);
        }
        String out = args[0];
        long target = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1L;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        String master = args.length > 4 ? args[4] : "local[2]";
        if (target < 1 || partitions < 1) {
            throw new IllegalArgumentException("ROWS and PARTITIONS must be >= 1");
        }
        int users = 0;
        long rows = 0;
        while (rows < target) {
            if (users == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("ROWS too large: " + target);
            }
            rows += SyntheticData.rowsOfCustomer(users, seed);
            users++;
        }
        SparkSession spark = SparkSession.builder().appName("CustomersCsv").master(master)
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
        try {
            long t0 = System.nanoTime();
            SyntheticData.rawCustomers(spark, users, seed, partitions).write().mode(SaveMode.Overwrite)
                    .option("header", "true").csv(out);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "users=%d rows=%d seed=%d seconds=%.1f%n", users, rows, seed, seconds);
        } finally {
            spark.stop();
        }
    }
}
