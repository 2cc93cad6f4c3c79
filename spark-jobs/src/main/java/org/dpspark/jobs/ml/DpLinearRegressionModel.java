package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.util.MLReader;
import org.dpspark.jobs.provenance.ModelProvenance;

/** The model of {@link DpLinearRegression}: prediction = w.x + b, with the fit's privacy guarantee. */
public class DpLinearRegressionModel extends DpPredictionModel<DpLinearRegressionModel> {
    private static final long serialVersionUID = 1L;

    DpLinearRegressionModel(String uid, ModelSpec spec, double[] params, ModelProvenance provenance) {
        super(uid, spec, params, provenance);
    }


    @Override
    protected DpLinearRegressionModel newInstance(String uid, ModelSpec spec, double[] params,
            ModelProvenance provenance) {
        return new DpLinearRegressionModel(uid, spec, params, provenance);
    }

    public static MLReader<DpLinearRegressionModel> read() {
        return new DpPredictionModel.Reader<>(DpLinearRegressionModel.class);
    }

    public static DpLinearRegressionModel load(String path) {
        return read().load(path);
    }
}
