package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.jobs.provenance.ModelProvenance;

/**
 * A DP classifier's model, with MLlib's three output columns: {@code rawPrediction} (one score per class: [-m, m]
 * for binary logistic regression, the logits otherwise), {@code probability} (the class probabilities dp-core
 * predicts: (sigmoid(-m), sigmoid(m)) for binary logistic regression, as MLlib's LogisticRegressionModel; the
 * softmax of the logits otherwise) and {@code prediction} (the index of the most probable class, as a double).
 *
 * @param <M> the concrete model type
 */
public abstract class DpClassificationModel<M extends DpClassificationModel<M>> extends DpPredictionModel<M> {
    private static final long serialVersionUID = 1L;
    private Param<String> probabilityCol;
    private Param<String> rawPredictionCol;

    protected DpClassificationModel(String uid, ModelSpec spec, double[] params, ModelProvenance provenance) {
        super(uid, spec, params, provenance);
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column (Vector)");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "raw class scores column (Vector)");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }


    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public int numClasses() {
        return modelSpec().numClasses();
    }

    /** Class probabilities of one feature vector. */
    public Vector predictProbability(Vector features) {
        return Vectors.dense(modelSpec().probabilitiesFromRaw(raw(features)));
    }

    @Override
    protected StructType addOutputColumns(StructType schema) {
        StructType s = addColumn(schema, getOrDefault(rawPredictionCol), new VectorUDT());
        s = addColumn(s, getOrDefault(probabilityCol), new VectorUDT());
        return super.addOutputColumns(s);
    }

    @Override
    protected Dataset<Row> addPredictions(Dataset<Row> df, Column features) {
        String rawCol = getOrDefault(rawPredictionCol);
        ModelSpec spec = modelSpec();
        Dataset<Row> out = df.withColumn(rawCol,
                functions.udf((UDF1<Vector, Vector>) v -> Vectors.dense(raw(v)), new VectorUDT()).apply(features));
        out = out.withColumn(getOrDefault(probabilityCol),
                functions.udf((UDF1<Vector, Vector>) r -> Vectors.dense(spec.probabilitiesFromRaw(r.toArray())),
                        new VectorUDT()).apply(functions.col(rawCol)));
        return out.withColumn(getOrDefault(predictionCol()),
                functions.udf((UDF1<Vector, Double>) r -> (double) ModelSpec.argmax(r.toArray()), DataTypes.DoubleType)
                        .apply(functions.col(rawCol)));
    }
}
