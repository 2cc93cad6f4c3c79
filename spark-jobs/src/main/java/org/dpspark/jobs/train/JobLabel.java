package org.dpspark.jobs.train;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * The description every Spark job of a dpspark run carries in the Spark UI and the event log:
 * {@code dpspark <job-id>: <what>}, e.g. {@code dpspark 7c1e...: epoch 3/15, step 412/1907} or
 * {@code dpspark 7c1e...: validate input}. The run's label ({@code dpspark <job-id>}) is a local property of the
 * calling thread (inherited by the threads it starts, as Spark's job properties are), set once by the run, so code
 * deep inside it (the trainer, the step runners, the evaluator) names its jobs without being handed the job id.
 * Nothing about the data goes into a description.
 */
public final class JobLabel {
    /** The local property holding the run's label. */
    public static final String PROPERTY = "dpspark.job.label";

    private JobLabel() {}

    /** Labels the calling thread's Spark jobs as {@code dpspark <jobId>} until another run labels it. */
    public static void begin(JavaSparkContext jsc, String jobId) {
        jsc.setLocalProperty(PROPERTY, jobId == null || jobId.isBlank() ? "dpspark" : "dpspark " + jobId);
    }

    /** Describes the calling thread's next Spark jobs as {@code <label>: <what>}. */
    public static void describe(JavaSparkContext jsc, String what) {
        jsc.setJobDescription(text(jsc.getLocalProperty(PROPERTY), what));
    }

    /** Clears the description (the label stays). */
    public static void clear(JavaSparkContext jsc) {
        jsc.setJobDescription(null);
    }

    /** {@code <label>: <what>}, with the label {@code dpspark} when none is set. */
    public static String text(String label, String what) {
        return (label == null ? "dpspark" : label) + ": " + what;
    }

    /** The description of one training step: {@code epoch 3/15, step 412/1907} (1-based). */
    public static String step(int epoch, int epochs, long step, long steps) {
        return "epoch " + epoch + "/" + epochs + ", step " + step + "/" + steps;
    }
}
