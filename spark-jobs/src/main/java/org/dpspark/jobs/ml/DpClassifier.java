package org.dpspark.jobs.ml;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.types.StructType;

/**
 * A DP classifier: labels are class indices 0..K-1 (K public, declared by the estimator), and the model has
 * MLlib's rawPrediction, probability and prediction columns.
 *
 * @param <M> the fitted model type
 * @param <E> the concrete estimator type (setters return it)
 */
public abstract class DpClassifier<M extends DpClassificationModel<M>, E extends DpClassifier<M, E>> extends DpEstimator<M, E> {
    private static final long serialVersionUID = 1L;
    private Param<String> probabilityCol;
    private Param<String> rawPredictionCol;

    protected DpClassifier(String uid) {
        super(uid);
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

    public String getProbabilityCol() {
        return getOrDefault(probabilityCol);
    }

    public String getRawPredictionCol() {
        return getOrDefault(rawPredictionCol);
    }

    public E setProbabilityCol(String v) {
        set(probabilityCol, v);
        return self();
    }

    public E setRawPredictionCol(String v) {
        set(rawPredictionCol, v);
        return self();
    }

    @Override
    protected StructType outputSchema(StructType schema) {
        StructType s = DpPredictionModel.addColumn(schema, getOrDefault(rawPredictionCol), new VectorUDT());
        s = DpPredictionModel.addColumn(s, getOrDefault(probabilityCol), new VectorUDT());
        return super.outputSchema(s);
    }
}
