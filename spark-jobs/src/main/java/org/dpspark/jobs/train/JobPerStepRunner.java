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
        double[] sum = parts.get(0).clone();
        for (int p = 1; p < parts.size(); p++) {
            double[] b = parts.get(p);
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
