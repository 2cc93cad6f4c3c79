package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A multilayer perceptron classifier (hidden layers with ReLU or tanh, softmax output) trained with DP-SGD; per-example
 * gradients by analytic backpropagation, clipped per example. The architecture is public and declared up front.
 */
public class DpMultilayerPerceptronClassifier extends DpClassifier<DpMultilayerPerceptronClassificationModel, DpMultilayerPerceptronClassifier> {
    private static final long serialVersionUID = 1L;
    private final IntArrayParam hiddenLayers;
    private final Param<String> activation;
    private final IntParam numClasses;

    public DpMultilayerPerceptronClassifier() {
        this(Identifiable.randomUID("dpMlpc"));
    }

    public DpMultilayerPerceptronClassifier(String uid) {
        super(uid);
        hiddenLayers = new IntArrayParam(this, "hiddenLayers", "hidden layer widths, e.g. [256]");
        activation = new Param<>(this, "activation", "hidden activation: relu or tanh",
                ParamRules.oneOf("activation", new String[] {"relu", "tanh"}));
        numClasses = new IntParam(this, "numClasses", "number of classes K (public), labels 0..K-1",
                ParamRules.atLeast("numClasses", 2));
        setDefault(hiddenLayers, new int[] {256});
        setDefault(activation, "relu");
        setDefault(numClasses, 2);
    }

    public IntArrayParam hiddenLayers() {
        return hiddenLayers;
    }

    public Param<String> activation() {
        return activation;
    }

    public IntParam numClasses() {
        return numClasses;
    }

    public int[] getHiddenLayers() {
        return getOrDefault(hiddenLayers).clone();
    }

    public String getActivation() {
        return getOrDefault(activation);
    }

    public int getNumClasses() {
        return (Integer) getOrDefault(numClasses);
    }

    public DpMultilayerPerceptronClassifier setHiddenLayers(int... widths) {
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("hiddenLayers widths must be >= 1, got " + w);
            }
        }
        set(hiddenLayers, widths.clone());
        return this;
    }

    public DpMultilayerPerceptronClassifier setActivation(String v) {
        set(activation, v);
        return this;
    }

    public DpMultilayerPerceptronClassifier setNumClasses(int k) {
        set(numClasses, k);
        return this;
    }

    @Override
    protected ModelSpec modelSpec(int numFeatures) {
        return ModelSpec.mlp(numFeatures, getOrDefault(hiddenLayers), getOrDefault(activation),
                (Integer) getOrDefault(numClasses));
    }


    public static MLReader<DpMultilayerPerceptronClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static DpMultilayerPerceptronClassifier load(String path) {
        return read().load(path);
    }
}
