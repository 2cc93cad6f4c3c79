package org.dpspark.jobs.provenance;

import java.io.Serializable;

/**
 * How a model was trained: the trainer and its parameters. The model's architecture ({@code ModelSpec}) is saved
 * beside the provenance by every container (dp-train's model file, the MLlib model), not inside it: this package
 * sits below {@code org.dpspark.jobs.ml}, which holds ModelSpec, so that no package cycle forms.
 *
 * @param trainer the training algorithm: {@value #DP_SGD}, or {@value #FEDAVG} (DP-FedAvg at the user level)
 * @param optimizer "sgd", "momentum" or "adam" (post-processing of the noisy gradient)
 * @param momentum the momentum coefficient when the optimizer uses one, else null (also null when not recorded)
 * @param lrSchedule the learning-rate schedule, "constant" or "cosine", or {@link ProvenanceJson#UNKNOWN}
 * @param epochs E, the number of epochs (T = floor(E N / B))
 * @param batchSize B, the expected batch size (q = B / N)
 * @param learningRate the learning rate
 * @param stepMode how steps ran ("barrier" or "job"), or {@link ProvenanceJson#UNKNOWN} when not recorded
 * @param dpLossTracking true when the DP loss estimate was released through each step's mechanism; null when not
 *     recorded
 * @param localEpochs DP-FedAvg: each sampled user's local epochs per round; null for DP-SGD (and in files written
 *     before it was recorded)
 * @param localLearningRate DP-FedAvg: the local SGD learning rate; null for DP-SGD
 * @param localBatchSize DP-FedAvg: the local mini-batch size; null for DP-SGD
 * @param precision how the training blocks stored the features, "float64" or "float32"; null when not recorded
 *     (files written before it was)
 * @param emaDecay when the released parameters are the exponential moving average of the iterates (De et al. 2022's
 *     parameter averaging), its decay, in (0, 1); null when the last iterate was released (or not recorded)
 */
public record TrainerProvenance(String trainer, String optimizer, Double momentum, String lrSchedule, double epochs,
        int batchSize, double learningRate, String stepMode, Boolean dpLossTracking, Integer localEpochs,
        Double localLearningRate, Integer localBatchSize, String precision, Double emaDecay) implements Serializable {

    private static final long serialVersionUID = 3L;

    /** DP-SGD (Abadi et al. 2016), per row or per user. */
    public static final String DP_SGD = "dp-sgd";
    /** DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018), at the user level. */
    public static final String FEDAVG = "fedavg";

    public TrainerProvenance {
        Fields.requireText(trainer, "trainer");
        Fields.requireText(optimizer, "optimizer");
        Fields.requireText(lrSchedule, "lr_schedule");
        Fields.requireText(stepMode, "step_mode");
        boolean local = localEpochs != null || localLearningRate != null || localBatchSize != null;
        if (local && (localEpochs == null || localLearningRate == null || localBatchSize == null)) {
            throw new IllegalArgumentException("local training needs local_epochs, local_learning_rate and "
                    + "local_batch_size together");
        }
        if (FEDAVG.equals(trainer) && !local) {
            throw new IllegalArgumentException("trainer fedavg needs its local training settings");
        }
        if (precision != null && !precision.equals("float64") && !precision.equals("float32")) {
            throw new IllegalArgumentException("precision must be float64 or float32, got '" + precision + "'");
        }
        if (emaDecay != null && !(emaDecay > 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("ema_decay must be in (0, 1) when present, got " + emaDecay);
        }
    }

    /** A trainer that released its last iterate (or did not record otherwise). */
    public TrainerProvenance(String trainer, String optimizer, Double momentum, String lrSchedule, double epochs,
            int batchSize, double learningRate, String stepMode, Boolean dpLossTracking, Integer localEpochs,
            Double localLearningRate, Integer localBatchSize, String precision) {
        this(trainer, optimizer, momentum, lrSchedule, epochs, batchSize, learningRate, stepMode, dpLossTracking,
                localEpochs, localLearningRate, localBatchSize, precision, null);
    }

    /** A trainer whose blocks' precision is not recorded. */
    public TrainerProvenance(String trainer, String optimizer, Double momentum, String lrSchedule, double epochs,
            int batchSize, double learningRate, String stepMode, Boolean dpLossTracking, Integer localEpochs,
            Double localLearningRate, Integer localBatchSize) {
        this(trainer, optimizer, momentum, lrSchedule, epochs, batchSize, learningRate, stepMode, dpLossTracking,
                localEpochs, localLearningRate, localBatchSize, null);
    }

    /** A DP-SGD trainer (no local training). */
    public TrainerProvenance(String trainer, String optimizer, Double momentum, String lrSchedule, double epochs,
            int batchSize, double learningRate, String stepMode, Boolean dpLossTracking) {
        this(trainer, optimizer, momentum, lrSchedule, epochs, batchSize, learningRate, stepMode, dpLossTracking, null,
                null, null);
    }
}
