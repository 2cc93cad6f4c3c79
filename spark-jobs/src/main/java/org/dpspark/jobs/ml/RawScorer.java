package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.SavedModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.RowEncoder;

/**
 * Scores raw input with a dp-train model: the model's own feature spec encodes each row exactly as dp-train
 * encoded its training rows (datasets {@link RowEncoder}: the spec's public bounds, one-hot vocabularies, vector
 * transforms), into a features vector column, and the matching MLlib model ({@link DpModels#of(SavedModel)})
 * adds its output columns: {@code prediction} for every kind, and for classifiers {@code rawPrediction} and
 * {@code probability} (vectors, MLlib's convention). The label column is not needed: scoring reads only the
 * spec's feature columns.
 *
 * <p>A value the encoder cannot encode (a missing or non-numeric number, a vector of the wrong size) fails the
 * task with an IllegalArgumentException naming the column, never the value.
 */
public final class RawScorer {
    /** The internal features column (dropped from {@link #score}'s result). */
    static final String FEATURES = "__dpspark_features";
    /** A constant label handed to the encoder, which reads a label with every row; never output. */
    private static final String NO_LABEL = "__dpspark_no_label";

    private final SavedModel model;
    private final DpPredictionModel<?> mllib;
    private final FeatureSpec scoringSpec;

    public RawScorer(SavedModel model) {
        this.model = model;
        this.mllib = DpModels.of(model);
        mllib.set(mllib.featuresCol(), FEATURES);
        FeatureSpec fs = model.featureSpec();
        this.scoringSpec = new FeatureSpec(fs.name(), fs.features(), LabelSpec.regression(NO_LABEL, 0.0, 1.0));
    }

    /** The MLlib model that scores the encoded features. */
    public DpPredictionModel<?> mllibModel() {
        return mllib;
    }

    /** The output columns {@link #score} adds, in order. */
    public List<String> outputColumns() {
        return mllib instanceof DpClassificationModel<?>
                ? List.of("rawPrediction", "probability", "prediction") : List.of("prediction");
    }

    /**
     * Problems of {@code schema} for the model's feature spec, by column ("missing from the input", "unsupported
     * type ..."); empty when it can be scored. Runs no Spark job.
     */
    public Map<String, String> schemaProblems(StructType schema) {
        return RowEncoder.schemaProblems(scoringSpec, schema.add(NO_LABEL, DataTypes.DoubleType));
    }

    /**
     * Refuses {@code schema} when it cannot be scored: one line naming each problem column; when columns are missing
     * it also lists the columns found (names only) and hints at a CSV delimiter when the header was read as one
     * column ({@link RowEncoder#missingColumnsNote}). Runs no Spark job.
     *
     * @throws IllegalArgumentException when {@link #schemaProblems} is not empty
     */
    public void checkSchema(StructType schema) {
        Map<String, String> problems = schemaProblems(schema);
        if (problems.isEmpty()) {
            return;
        }
        String note = RowEncoder.missingColumnsNote(model.featureSpec(), schema, problems);
        StringBuilder sb = new StringBuilder("input does not match the model's feature spec '"
                + model.featureSpec().name() + "':");
        String sep = " ";
        for (Map.Entry<String, String> e : problems.entrySet()) {
            sb.append(sep).append("column '").append(e.getKey()).append("': ").append(e.getValue());
            if (note != null && e.getValue().equals(RowEncoder.MISSING)) {
                sb.append(" (").append(note).append(')');
                note = null;
            }
            sep = "; ";
        }
        throw new IllegalArgumentException(sb.toString());
    }

    /**
     * {@code raw} with the model's output columns added (see the class comment); the input's columns are kept.
     *
     * @throws IllegalArgumentException (before any job) when a feature column is missing or of an unsupported type,
     *     or an output column already exists in the input
     */
    public Dataset<Row> score(Dataset<Row> raw) {
        checkSchema(raw.schema());
        for (String c : outputColumns()) {
            if (Arrays.asList(raw.columns()).contains(c)) {
                throw new IllegalArgumentException("input already has a column '" + c + "', which scoring adds");
            }
        }
        List<String> cols = new ArrayList<>(model.featureSpec().requiredColumns());
        cols.remove(model.featureSpec().label().column());
        Column[] fields = new Column[cols.size() + 1];
        for (int i = 0; i < cols.size(); i++) {
            fields[i] = raw.col("`" + cols.get(i).replace("`", "``") + "`").as(cols.get(i));
        }
        fields[cols.size()] = functions.lit(0.0).as(NO_LABEL);
        Column packed = functions.struct(fields);
        StructType packedSchema = (StructType) raw.select(packed.as("p")).schema().apply("p").dataType();
        RowEncoder encoder = new RowEncoder(scoringSpec, packedSchema);
        UserDefinedFunction encode = functions.udf((UDF1<Row, Vector>) r -> Vectors.dense(encoder.encode(r)),
                new VectorUDT());
        Dataset<Row> withFeatures = raw.withColumn(FEATURES, encode.apply(packed));
        return mllib.transform(withFeatures).drop(FEATURES);
    }
}
