package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * Logistic regression (binary, or multinomial with {@code setNumClasses(K)}) trained with DP-SGD (Abadi et al. 2016) under Poisson sampling, as an MLlib Estimator.
 *
 * <pre>{@code
 * DpLogisticRegressionModel m = new DpLogisticRegression()
 *     .setEpsilon(1.0).setDelta(1e-5).setEpochs(15).setBatchSize(256)
 *     .fit(trainingDf);            // features: Vector, label: 0/1
 * m.privacyGuarantee().epsilon();  // the accountant's bound for this fit
 * }</pre>
 */
public class DpLogisticRegression extends DpClassifier<DpLogisticRegressionModel, DpLogisticRegression> {
    private static final long serialVersionUID = 1L;
    private final IntParam numClasses;

    public DpLogisticRegression() {
        this(Identifiable.randomUID("dpLogReg"));
    }

    public DpLogisticRegression(String uid) {
        super(uid);
        numClasses = new IntParam(this, "numClasses",
                "number of classes K (public): 2 for binary logistic regression, more for multinomial (softmax)",
                ParamRules.atLeast("numClasses", 2));
        setDefault(numClasses, 2);
    }

    public IntParam numClasses() {
        return numClasses;
    }

    public int getNumClasses() {
        return (Integer) getOrDefault(numClasses);
    }

    /** K classes, labels 0..K-1: 2 is binary logistic regression, more is multinomial (softmax) regression. */
    public DpLogisticRegression setNumClasses(int k) {
        set(numClasses, k);
        return this;
    }

    @Override
    protected ModelSpec modelSpec(int numFeatures) {
        int k = (Integer) getOrDefault(numClasses);
        return k == 2 ? ModelSpec.binaryLogistic(numFeatures) : ModelSpec.softmax(numFeatures, k);
    }


    public static MLReader<DpLogisticRegression> read() {
        return new DefaultParamsReader<>();
    }

    public static DpLogisticRegression load(String path) {
        return read().load(path);
    }
}
