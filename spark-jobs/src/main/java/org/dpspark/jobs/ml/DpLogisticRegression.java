package org.dpspark.jobs.ml;

import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * Logistic regression trained with DP-SGD (Abadi et al. 2016) under Poisson sampling, as an MLlib Estimator.
 *
 * <pre>{@code
 * DpLogisticRegressionModel m = new DpLogisticRegression()
 *     .setEpsilon(1.0).setDelta(1e-5).setEpochs(15).setBatchSize(256)
 *     .fit(trainingDf);            // features: Vector, label: 0/1
 * m.privacyGuarantee().epsilon();  // the accountant's bound for this fit
 * }</pre>
 */
public class DpLogisticRegression extends DpClassifier<DpLogisticRegressionModel> {
    private static final long serialVersionUID = 1L;

    public DpLogisticRegression() {
        this(Identifiable.randomUID("dpLogReg"));
    }

    public DpLogisticRegression(String uid) {
        super(uid);
    }

    @Override
    protected ModelSpec modelSpec(int numFeatures) {
        return ModelSpec.binaryLogistic(numFeatures);
    }

    @Override
    protected DpLogisticRegressionModel newModel(String uid, ModelSpec spec, double[] params, PrivacyGuarantee g) {
        return new DpLogisticRegressionModel(uid, spec, params, g);
    }

    public static MLReader<DpLogisticRegression> read() {
        return new DefaultParamsReader<>();
    }

    public static DpLogisticRegression load(String path) {
        return read().load(path);
    }
}
