package org.dpspark.core.user;

import org.dpspark.core.params.Checks;

/**
 * A DP-FedAvg client's local optimization (McMahan, Ramage, Talwar, Zhang 2018, Algorithm 1, "UserUpdate"):
 * E epochs of plain SGD with learning rate eta over the user's own rows in mini-batches of B rows. It runs on the
 * user's data only, before the update is clipped, so it is post-processing of that user's data and costs no
 * privacy of its own; the guarantee comes from the clip and the driver's noise.
 *
 * @param epochs       E &gt;= 1 ({@code localEpochs})
 * @param learningRate eta, finite and &gt; 0 ({@code localLearningRate})
 * @param batchSize    B &gt;= 1 rows ({@code localBatchSize}); a batch larger than the user's rows is full-batch
 *                     gradient descent
 */
public record LocalTraining(int epochs, double learningRate, int batchSize) implements java.io.Serializable {

    public LocalTraining {
        Checks.atLeast("localEpochs", epochs, 1);
        Checks.positive("localLearningRate", learningRate);
        Checks.atLeast("localBatchSize", batchSize, 1);
    }
}
