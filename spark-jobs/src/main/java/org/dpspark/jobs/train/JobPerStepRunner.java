package org.dpspark.jobs.train;

import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.dpspark.datasets.DenseBlock;

/**
 * One Spark job per step: {@code mapPartitionsWithIndex} over the cached blocks, then {@code collect}, and the
 * partition sums added in partition order on the driver. Simple and robust (Spark retries each step's tasks), but
 * every step pays a job's scheduling cost (about 25 ms on a 2-core machine).
 */
final class JobPerStepRunner implements StepRunner {
    private final JavaRDD<DenseBlock> blocks;
    private final PartitionStep work;

    JobPerStepRunner(JavaRDD<DenseBlock> blocks, PartitionStep work) {
        if (work.secure() != null) {
            throw new IllegalArgumentException("--secure-aggregation " + work.secure().mode().jsonName()
                    + " needs the barrier step mode (the parties' keys live in long-lived tasks), and this run would "
                    + "use one Spark job per step (--step-mode job, or auto under dynamic allocation)");
        }
        this.blocks = blocks;
        this.work = work;
    }

    @Override
    public double[] sum(long step, double[] params) {
        double[] p = params.clone();
        PartitionStep w = work; // captured alone: the runner is not serializable
        List<double[]> parts = blocks.mapPartitionsWithIndex(
                (partition, it) -> Collections.singletonList(w.sum(step, p, partition, it)).iterator(), false)
                .collect();
        return inPartitionOrder(parts);
    }

    /**
     * Adds partition sums in partition order, so that the result does not depend on which task finished first
     * (floating-point addition is not associative): with a fixed test seed every mode gives the same bits.
     */
    static double[] inPartitionOrder(List<double[]> parts) {
        return inPartitionOrder(parts.toArray(new double[0][]), new double[parts.get(0).length]);
    }

    /** As {@link #inPartitionOrder(List)}, into {@code sum} (overwritten; the barrier runner's array of every step). */
    static double[] inPartitionOrder(double[][] parts, double[] sum) {
        double[] first = parts[0];
        int p = 1;
        if (parts.length == 1) {
            System.arraycopy(first, 0, sum, 0, sum.length);
        } else {
            double[] second = parts[p++];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = first[i] + second[i]; // the first two in one pass: the same bits as copy, then add
            }
        }
        for (; p < parts.length; p++) {
            double[] b = parts[p];
            for (int i = 0; i < sum.length; i++) {
                sum[i] += b[i];
            }
        }
        return sum;
    }

    @Override
    public String mode() {
        return "job";
    }

    @Override
    public void close() {
        // nothing held
    }
}
