package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.util.MLReader;

/** The model of {@link DpLinearRegression}: prediction = w.x + b, with the fit's privacy guarantee. */
public class DpLinearRegressionModel extends DpPredictionModel<DpLinearRegressionModel> {
    private static final long serialVersionUID = 1L;

    DpLinearRegressionModel(String uid, ModelSpec spec, double[] params, PrivacyGuarantee g) {
        super(uid, spec, params, g);
    }

    @Override
    protected DpLinearRegressionModel newInstance(String uid, ModelSpec spec, double[] params, PrivacyGuarantee g) {
        return new DpLinearRegressionModel(uid, spec, params, g);
    }

    public static MLReader<DpLinearRegressionModel> read() {
        return new DpPredictionModel.Reader<>(DpLinearRegressionModel.class);
    }

    public static DpLinearRegressionModel load(String path) {
        return read().load(path);
    }
}
