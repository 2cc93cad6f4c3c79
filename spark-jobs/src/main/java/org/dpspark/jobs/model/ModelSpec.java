package org.dpspark.jobs.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Arrays;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.LinearRegression;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.model.SoftmaxRegression;

/**
 * A model's public architecture: which model, its input and output sizes and hyper-parameters. It creates the
 * dp-core math model and turns its outputs into MLlib's rawPrediction / probability / prediction. Saved with
 * every model; nothing in it depends on the data.
 *
 * @param kind "logistic" (binary logistic regression), "softmax" (multinomial), "linear" (squared loss), "mlp"
 *     (multilayer perceptron with a softmax output)
 * @param numFeatures d
 * @param numClasses K for classifiers (2 for binary), 0 for regression
 * @param hidden hidden layer widths (MLP), empty otherwise
 * @param activation hidden activation (MLP), "" otherwise
 * @param labelMin declared lower label bound (regression), NaN otherwise
 * @param labelMax declared upper label bound (regression), NaN otherwise
 */
public record ModelSpec(
        String kind, int numFeatures, int numClasses, int[] hidden, String activation, double labelMin, double labelMax)
        implements Serializable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelSpec binaryLogistic(int numFeatures) {
        return new ModelSpec("logistic", numFeatures, 2, new int[0], "", Double.NaN, Double.NaN);
    }

    /** Multinomial logistic regression over K classes. */
    public static ModelSpec softmax(int numFeatures, int numClasses) {
        return new ModelSpec("softmax", numFeatures, numClasses, new int[0], "", Double.NaN, Double.NaN);
    }

    /** Linear regression with labels clipped to the declared public bounds [labelMin, labelMax]. */
    public static ModelSpec linear(int numFeatures, double labelMin, double labelMax) {
        return new ModelSpec("linear", numFeatures, 0, new int[0], "", labelMin, labelMax);
    }

    /** A multilayer perceptron: hidden layer widths, "relu" or "tanh", softmax over K classes. */
    public static ModelSpec mlp(int numFeatures, int[] hidden, String activation, int numClasses) {
        return new ModelSpec("mlp", numFeatures, numClasses, hidden.clone(), activation, Double.NaN, Double.NaN);
    }

    /** The model kinds dp-train's --model accepts. */
    public static final String[] KINDS = {"logistic", "softmax", "linear", "mlp"};

    public boolean isClassifier() {
        return numClasses > 0;
    }

    /** The rule a valid label of this model follows. */
    public LabelRule labelRule() {
        return isClassifier() ? LabelRule.classes(numClasses) : LabelRule.regression();
    }

    /** The dp-core model. */
    public DpModel create() {
        return switch (kind) {
            case "logistic" -> new BinaryLogisticRegression(numFeatures);
            case "softmax" -> new SoftmaxRegression(numFeatures, numClasses);
            case "linear" -> new LinearRegression(numFeatures, labelMin, labelMax);
            case "mlp" -> new Mlp(numFeatures, hidden, activation(activation), numClasses);
            default -> throw new IllegalArgumentException("unknown model kind '" + kind + "'; known: "
                    + String.join(", ", KINDS));
        };
    }

    public static Mlp.Activation activation(String name) {
        return switch (name) {
            case "relu" -> Mlp.Activation.RELU;
            case "tanh" -> Mlp.Activation.TANH;
            default -> throw new IllegalArgumentException("activation must be relu or tanh, got '" + name + "'");
        };
    }

    /**
     * Raw scores of one example (dp-core's predictRaw, MLlib's rawPrediction convention): for classifiers one per
     * class ([-m, m] for binary logistic, the logits otherwise); for regression, the predicted value.
     */
    public double[] raw(DpModel model, double[] params, double[] x) {
        double[] out = new double[model.numOutputs()];
        model.predictRaw(params, x, 0, out, new double[model.scratchSize()]);
        return out;
    }

    /**
     * Class probabilities from this model's raw scores, as dp-core's {@code predict} gives them: for binary logistic
     * regression, whose raw scores are (-m, m), (sigmoid(-m), sigmoid(m)), MLlib's convention; otherwise the softmax
     * of the logits. (The softmax of (-m, m) would be sigmoid(2m): not the model's probability.)
     */
    public double[] probabilitiesFromRaw(double[] raw) {
        if (kind.equals("logistic")) {
            double m = raw[1];
            return new double[] {sigmoid(-m), sigmoid(m)};
        }
        return probabilities(raw);
    }

    /** 1 / (1 + e^-m) without overflow, written as dp-core's BinaryLogisticRegression writes it. */
    private static double sigmoid(double m) {
        if (m >= 0) {
            return 1.0 / (1.0 + Math.exp(-m));
        }
        double e = Math.exp(m);
        return e / (1.0 + e);
    }

    /** The softmax of logits (numerically stable). */
    public static double[] probabilities(double[] raw) {
        double max = Double.NEGATIVE_INFINITY;
        for (double r : raw) {
            max = Math.max(max, r);
        }
        double sum = 0;
        double[] p = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            p[i] = Math.exp(raw[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    public static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind);
        n.put("num_features", numFeatures);
        n.put("num_classes", numClasses);
        ArrayNode h = n.putArray("hidden");
        Arrays.stream(hidden).forEach(h::add);
        n.put("activation", activation);
        if (!Double.isNaN(labelMin)) {
            n.put("label_min", labelMin);
            n.put("label_max", labelMax);
        }
        return n;
    }

    public static ModelSpec fromJson(JsonNode n) {
        int[] hidden = new int[n.path("hidden").size()];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = n.get("hidden").get(i).asInt();
        }
        return new ModelSpec(n.get("kind").asText(), n.get("num_features").asInt(), n.get("num_classes").asInt(),
                hidden, n.path("activation").asText(""), n.path("label_min").asDouble(Double.NaN),
                n.path("label_max").asDouble(Double.NaN));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec s && kind.equals(s.kind) && numFeatures == s.numFeatures
                && numClasses == s.numClasses && Arrays.equals(hidden, s.hidden) && activation.equals(s.activation)
                && Double.compare(labelMin, s.labelMin) == 0 && Double.compare(labelMax, s.labelMax) == 0;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + numFeatures * 17 + numClasses + Arrays.hashCode(hidden);
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
