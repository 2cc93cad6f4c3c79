package org.dpspark.jobs.train;

import java.util.Locale;
import org.apache.spark.SparkConf;

/**
 * The {@code --step-mode} of a run: how each step's executor work is scheduled ({@link StepRunner}). The privacy
 * guarantee and, for a fixed insecure test seed, the trained model are the same in every mode.
 */
public enum StepMode {
    /** {@link #BARRIER} unless the cluster cannot run a barrier stage (dynamic allocation is on), then {@link #JOB}. */
    AUTO,
    /** One long-lived barrier stage and the driver's aggregation service ({@link BarrierStepRunner}). */
    BARRIER,
    /** One Spark job per step ({@link JobPerStepRunner}). */
    JOB;

    /** Parses {@code auto}, {@code barrier} or {@code job} (any case). */
    public static StepMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("--step-mode must be auto, barrier or job, got " + s, e);
        }
    }

    /** The mode actually used on a Spark application with configuration {@code conf}. */
    public StepMode resolve(SparkConf conf) {
        if (this != AUTO) {
            return this;
        }
        // Spark refuses barrier stages under dynamic allocation (SPARK-24942).
        return conf.getBoolean("spark.dynamicAllocation.enabled", false) ? JOB : BARRIER;
    }
}
