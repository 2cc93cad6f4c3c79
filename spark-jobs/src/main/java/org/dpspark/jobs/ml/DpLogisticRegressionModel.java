package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.util.MLReader;
import org.dpspark.jobs.provenance.ModelProvenance;

/** The model of {@link DpLogisticRegression}: weights and intercept, with the fit's privacy guarantee. */
public class DpLogisticRegressionModel extends DpClassificationModel<DpLogisticRegressionModel> {
    private static final long serialVersionUID = 1L;

    DpLogisticRegressionModel(String uid, ModelSpec spec, double[] params, ModelProvenance provenance) {
        super(uid, spec, params, provenance);
    }


    @Override
    protected DpLogisticRegressionModel newInstance(String uid, ModelSpec spec, double[] params,
            ModelProvenance provenance) {
        return new DpLogisticRegressionModel(uid, spec, params, provenance);
    }

    public static MLReader<DpLogisticRegressionModel> read() {
        return new DpPredictionModel.Reader<>(DpLogisticRegressionModel.class);
    }

    public static DpLogisticRegressionModel load(String path) {
        return read().load(path);
    }
}
