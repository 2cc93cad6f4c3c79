package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * Linear regression with squared loss trained with DP-SGD. Labels are clipped to the declared public bounds
 * [labelMin, labelMax] (which must be set): the bounds, not the data, limit each example's influence on the loss.
 */
public class DpLinearRegression extends DpEstimator<DpLinearRegressionModel, DpLinearRegression> {
    private static final long serialVersionUID = 1L;
    private final DoubleParam labelMin;
    private final DoubleParam labelMax;

    public DpLinearRegression() {
        this(Identifiable.randomUID("dpLinReg"));
    }

    public DpLinearRegression(String uid) {
        super(uid);
        labelMin = new DoubleParam(this, "labelMin", "declared public lower bound of the label (labels are clipped)",
                ParamRules.finite("labelMin"));
        labelMax = new DoubleParam(this, "labelMax", "declared public upper bound of the label (labels are clipped)",
                ParamRules.finite("labelMax"));
    }

    public DoubleParam labelMin() {
        return labelMin;
    }

    public DoubleParam labelMax() {
        return labelMax;
    }

    public double getLabelMin() {
        return (Double) getOrDefault(labelMin);
    }

    public double getLabelMax() {
        return (Double) getOrDefault(labelMax);
    }

    /** The public label bounds, finite with min < max; labels outside are clipped. */
    public DpLinearRegression setLabelBounds(double min, double max) {
        if (!(Double.isFinite(min) && Double.isFinite(max) && min < max)) {
            throw new IllegalArgumentException("label bounds must be finite with min < max, got [" + min + ", " + max + "]");
        }
        set(labelMin, min);
        set(labelMax, max);
        return this;
    }

    @Override
    protected ModelSpec modelSpec(int numFeatures) {
        if (!isDefined(labelMin) || !isDefined(labelMax)) {
            throw new IllegalArgumentException("DpLinearRegression needs declared label bounds: setLabelBounds(min, max)");
        }
        return ModelSpec.linear(numFeatures, (Double) getOrDefault(labelMin), (Double) getOrDefault(labelMax));
    }


    public static MLReader<DpLinearRegression> read() {
        return new DefaultParamsReader<>();
    }

    public static DpLinearRegression load(String path) {
        return read().load(path);
    }
}
