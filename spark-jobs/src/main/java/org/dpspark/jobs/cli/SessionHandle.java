package org.dpspark.jobs.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of a command: an existing one (notebook, test, spark-submit) is used and left running; otherwise
 * one is started (spark-submit's master, or {@code --master}, else {@code local[*]}) and stopped by {@link #close()}.
 *
 * @param spark the session
 * @param owned whether this handle started it (and so stops it)
 */
record SessionHandle(SparkSession spark, boolean owned) implements AutoCloseable {

    static SessionHandle open(String appName, String master) {
        scala.Option<SparkSession> active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            return new SessionHandle(active.get(), false);
        }
        scala.Option<SparkSession> dflt = SparkSession.getDefaultSession();
        if (dflt.isDefined()) {
            return new SessionHandle(dflt.get(), false);
        }
        SparkSession.Builder b = SparkSession.builder().appName(appName).config("spark.ui.showConsoleProgress", "false");
        SparkConf given = new SparkConf(); // spark-submit's settings and -Dspark.* properties
        String effective = master != null ? master : given.get("spark.master", "local[*]");
        if (master != null) {
            b.master(master);
        } else if (!given.contains("spark.master")) {
            b.master("local[*]");
        }
        if (isLocal(effective)) {
            lean(given).forEach(b::config);
        }
        return new SessionHandle(b.getOrCreate(), true);
    }

    /**
     * The settings of a lean local session, each only where the user did not set it: no web UI (its server costs
     * start-up time; {@code -Dspark.ui.enabled=true} brings it back), as many SQL shuffle partitions as cores
     * (not 200) for the few small shuffles a local command runs, and small files split over the cores.
     */
    static java.util.Map<String, String> lean(SparkConf given) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        if (!given.contains("spark.ui.enabled")) {
            m.put("spark.ui.enabled", "false");
        }
        if (!given.contains("spark.sql.shuffle.partitions")) {
            m.put("spark.sql.shuffle.partitions", String.valueOf(Runtime.getRuntime().availableProcessors()));
        }
        if (!given.contains("spark.sql.files.openCostInBytes")) {
            // Opening a local file costs little: a small file is split over the cores as it is read (Adult's 3.8 MB
            // in 2 partitions, not 1), so a run needs no shuffle to lay its rows out over the task slots.
            m.put("spark.sql.files.openCostInBytes", String.valueOf(64 * 1024));
        }
        return m;
    }

    /** Whether {@code master} runs everything in this JVM ({@code local}, {@code local[N]}, {@code local[*]}...). */
    static boolean isLocal(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
