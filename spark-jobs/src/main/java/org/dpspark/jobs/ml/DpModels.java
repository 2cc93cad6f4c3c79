package org.dpspark.jobs.ml;

import org.apache.spark.ml.util.Identifiable;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.provenance.ModelProvenance;

/** The MLlib model that matches a model kind: how a model trained elsewhere (dp-train) becomes an MLlib model. */
public final class DpModels {
    private DpModels() {}

    /**
     * The MLlib model of {@code spec}'s kind with these parameters and provenance: a {@link DpLogisticRegressionModel}
     * for "logistic" and "softmax", a {@link DpLinearRegressionModel} for "linear", a {@link
     * DpMultilayerPerceptronClassificationModel} for "mlp". A new uid is drawn.
     *
     * @throws IllegalArgumentException for an unknown kind or a parameter vector of the wrong length
     */
    public static DpPredictionModel<?> of(ModelSpec spec, double[] params, ModelProvenance provenance) {
        return of(null, spec, params, provenance);
    }

    /**
     * As {@link #of(ModelSpec, double[], ModelProvenance)} with the given uid (an estimator passes its own, as
     * MLlib does); null draws a new one.
     */
    public static DpPredictionModel<?> of(String uid, ModelSpec spec, double[] params, ModelProvenance provenance) {
        return switch (spec.kind()) {
            case "logistic", "softmax" ->
                    new DpLogisticRegressionModel(uid(uid, "dpLogReg"), spec, params, provenance);
            case "linear" -> new DpLinearRegressionModel(uid(uid, "dpLinReg"), spec, params, provenance);
            case "mlp" ->
                    new DpMultilayerPerceptronClassificationModel(uid(uid, "dpMlp"), spec, params, provenance);
            default -> throw new IllegalArgumentException("unknown model kind '" + spec.kind() + "'; known: "
                    + String.join(", ", ModelSpec.KINDS));
        };
    }

    private static String uid(String given, String prefix) {
        return given != null ? given : Identifiable.randomUID(prefix);
    }

    /**
     * The MLlib model of a dp-train model ({@code model.json}) with the same parameters and provenance:
     * DpLogisticRegressionModel (logistic, softmax), DpLinearRegressionModel (linear),
     * DpMultilayerPerceptronClassificationModel (mlp). Its input is the encoded features vector; {@link RawScorer}
     * encodes raw input with the model's feature spec first.
     */
    public static DpPredictionModel<?> of(org.dpspark.jobs.model.SavedModel saved) {
        return of(saved.spec(), saved.params(), saved.provenance());
    }
}
