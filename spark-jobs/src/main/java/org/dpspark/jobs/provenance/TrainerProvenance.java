package org.dpspark.jobs.provenance;

import java.io.Serializable;

/**
 * How a model was trained: the trainer and its parameters. The model's architecture ({@code ModelSpec}) is saved
 * beside the provenance by every container (dp-train's model file, the MLlib model), not inside it: this package
 * sits below {@code org.dpspark.jobs.ml}, which holds ModelSpec, so that no package cycle forms.
 *
 * @param trainer the training algorithm, "dp-sgd"
 * @param optimizer "sgd", "momentum" or "adam" (post-processing of the noisy gradient)
 * @param momentum the momentum coefficient when the optimizer uses one, else null (also null when not recorded)
 * @param lrSchedule the learning-rate schedule, "constant" or "cosine", or {@link ProvenanceJson#UNKNOWN}
 * @param epochs E, the number of epochs (T = floor(E N / B))
 * @param batchSize B, the expected batch size (q = B / N)
 * @param learningRate the learning rate
 * @param stepMode how steps ran ("barrier" or "job"), or {@link ProvenanceJson#UNKNOWN} when not recorded
 * @param dpLossTracking true when the DP loss estimate was released through each step's mechanism; null when not
 *     recorded
 */
public record TrainerProvenance(String trainer, String optimizer, Double momentum, String lrSchedule, double epochs,
        int batchSize, double learningRate, String stepMode, Boolean dpLossTracking) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The one training algorithm of dpspark. */
    public static final String DP_SGD = "dp-sgd";

    public TrainerProvenance {
        Fields.requireText(trainer, "trainer");
        Fields.requireText(optimizer, "optimizer");
        Fields.requireText(lrSchedule, "lr_schedule");
        Fields.requireText(stepMode, "step_mode");
    }
}
