package org.dpspark.jobs;

import org.apache.spark.sql.SparkSession;

/** One local[2] SparkSession per test class (a session takes 10-15 s to start here). UI off. */
public final class SparkTestSession {
    private SparkTestSession() {}

    public static SparkSession start(String appName) {
        return start(appName, "local[2]");
    }

    /** With another master, e.g. local[2,4] (4 task attempts, so that failure and retry can be tested). */
    public static SparkSession start(String appName, String master) {
        return builder(appName, master).getOrCreate();
    }

    /** local[2], with the catalog's managed tables in {@code warehouse} (a test's temporary folder). */
    public static SparkSession startWithWarehouse(String appName, java.nio.file.Path warehouse) {
        return builder(appName, "local[2]").config("spark.sql.warehouse.dir", warehouse.toUri().toString())
                .getOrCreate();
    }

    private static SparkSession.Builder builder(String appName, String master) {
        return SparkSession.builder()
                .appName(appName)
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1");
    }
}
