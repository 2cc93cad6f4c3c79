package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.util.MLReader;
import org.dpspark.jobs.provenance.ModelProvenance;

/** The model of {@link DpMultilayerPerceptronClassifier}, with the fit's privacy guarantee. */
public class DpMultilayerPerceptronClassificationModel
        extends DpClassificationModel<DpMultilayerPerceptronClassificationModel> {
    private static final long serialVersionUID = 1L;

    DpMultilayerPerceptronClassificationModel(String uid, ModelSpec spec, double[] params, ModelProvenance provenance) {
        super(uid, spec, params, provenance);
    }


    @Override
    protected DpMultilayerPerceptronClassificationModel newInstance(String uid, ModelSpec spec, double[] params,
            ModelProvenance provenance) {
        return new DpMultilayerPerceptronClassificationModel(uid, spec, params, provenance);
    }

    public static MLReader<DpMultilayerPerceptronClassificationModel> read() {
        return new DpPredictionModel.Reader<>(DpMultilayerPerceptronClassificationModel.class);
    }

    public static DpMultilayerPerceptronClassificationModel load(String path) {
        return read().load(path);
    }
}
