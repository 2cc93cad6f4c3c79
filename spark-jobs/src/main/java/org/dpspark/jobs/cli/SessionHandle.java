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
        if (master != null) {
            b.master(master);
        } else if (!new SparkConf().contains("spark.master")) {
            b.master("local[*]");
        }
        return new SessionHandle(b.getOrCreate(), true);
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
