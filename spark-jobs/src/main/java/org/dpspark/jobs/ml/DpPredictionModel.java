package org.dpspark.jobs.ml;

import org.dpspark.jobs.model.ModelSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.model.DpModel;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.ProvenanceJson;
import scala.Option;

/**
 * A fitted DP model: an ordinary MLlib Transformer that adds a prediction column (and, for classifiers, MLlib's
 * rawPrediction and probability columns), and carries the typed {@link ModelProvenance} of the fit that produced
 * it: the privacy claim, the data, the trainer, the ledger receipt ({@link #provenance()}; {@link
 * #privacyGuarantee()} is its flat view).
 *
 * <p>Persistence follows MLlib: {@code metadata/} is MLlib's JSON (class, uid, params) with a {@code dpspark}
 * object holding the format version, the architecture ({@code model_spec}) and, from format 2, the provenance
 * written by {@link ProvenanceJson} ({@code provenance}); format 1 held the flat {@link PrivacyGuarantee}
 * ({@code privacy}) and still loads. {@code data/} is Parquet with the parameter vector. Models load through
 * {@code XxxModel.load(path)} or inside a {@code PipelineModel}.
 *
 * @param <M> the concrete model type
 */
public abstract class DpPredictionModel<M extends DpPredictionModel<M>> extends Model<M> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Version of the dpspark part of the saved format. */
    public static final int FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String uid;
    private final ModelSpec spec;
    private final double[] params;
    private final ModelProvenance provenance;
    private final DpModel math;
    private Param<String> featuresCol;
    private Param<String> predictionCol;

    /**
     * A model of {@code spec} with parameters {@code params} (dp-core's layout) and the provenance of the fit.
     *
     * @throws IllegalArgumentException when the parameter count does not match the spec, or the provenance's data
     *     dimension is not the spec's number of features
     */
    protected DpPredictionModel(String uid, ModelSpec spec, double[] params, ModelProvenance provenance) {
        if (provenance == null) {
            throw new IllegalArgumentException("provenance must be given");
        }
        if (provenance.data().dimension() != spec.numFeatures()) {
            throw new IllegalArgumentException("provenance says the data has dimension " + provenance.data().dimension()
                    + " but the model has " + spec.numFeatures() + " features");
        }
        this.uid = uid;
        this.spec = spec;
        this.params = params.clone();
        this.provenance = provenance;
        this.math = spec.create();
        if (params.length != math.numParams()) {
            throw new IllegalArgumentException("model " + spec.kind() + " needs " + math.numParams()
                    + " parameters, got " + params.length);
        }
        featuresCol = new Param<>(this, "featuresCol", "features column (Vector)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public M setFeaturesCol(String v) {
        set(featuresCol, v);
        return self();
    }

    public M setPredictionCol(String v) {
        set(predictionCol, v);
        return self();
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }


    /** The provenance of the fit that produced this model: claim, data, trainer, ledger receipt. */
    public ModelProvenance provenance() {
        return provenance;
    }

    /** The privacy guarantee of the fit that produced this model: the flat view of {@link #provenance()}. */
    public PrivacyGuarantee privacyGuarantee() {
        return PrivacyGuarantee.of(provenance);
    }

    /** The architecture. */
    public ModelSpec modelSpec() {
        return spec;
    }

    /** A copy of the parameter vector (dp-core's layout for the model kind). */
    public double[] parameters() {
        return params.clone();
    }

    public int numFeatures() {
        return spec.numFeatures();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String f = getOrDefault(featuresCol);
        DpEstimator.requireColumn(schema, f, "featuresCol");
        if (!(schema.apply(f).dataType() instanceof VectorUDT)) {
            throw new IllegalArgumentException("featuresCol '" + f + "' must be a Vector column, got "
                    + schema.apply(f).dataType().simpleString());
        }
        return addOutputColumns(schema);
    }

    protected StructType addOutputColumns(StructType schema) {
        return addColumn(schema, getOrDefault(predictionCol), DataTypes.DoubleType);
    }

    static StructType addColumn(StructType schema, String name, DataType type) {
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column '" + name + "' already exists in the input");
        }
        return schema.add(name, type, false);
    }

    /** Raw scores of one feature vector (see {@link ModelSpec#raw}); checks its size. */
    double[] raw(Vector v) {
        if (v.size() != spec.numFeatures()) {
            throw new IllegalArgumentException("feature vector of size " + v.size() + " given to a model of "
                    + spec.numFeatures() + " features");
        }
        return spec.raw(math, params, v.toArray());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        return addPredictions(dataset.toDF(), functions.col(getOrDefault(featuresCol)));
    }

    protected Dataset<Row> addPredictions(Dataset<Row> df, org.apache.spark.sql.Column features) {
        UserDefinedFunction predict = functions.udf((UDF1<Vector, Double>) v -> {
            double[] r = raw(v);
            return spec.isClassifier() ? (double) ModelSpec.argmax(r) : r[0];
        }, DataTypes.DoubleType);
        return df.withColumn(getOrDefault(predictionCol), predict.apply(features));
    }

    @Override
    public M copy(ParamMap extra) {
        M copy = newInstance(uid, spec, params, provenance);
        copy.setParent(parent());
        return copyValues(copy, extra);
    }

    /** A new model of the concrete type (used by copy and load). */
    protected abstract M newInstance(String uid, ModelSpec spec, double[] params, ModelProvenance provenance);

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(uid=" + uid + ", " + spec.kind() + ", d=" + spec.numFeatures() + ", "
                + provenance.claim() + ")";
    }

    /** Writes metadata (MLlib's, plus the dpspark object) and the parameter vector as Parquet. */
    static final class Writer extends MLWriter {
        private final DpPredictionModel<?> model;

        Writer(DpPredictionModel<?> model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            ObjectNode extra = JSON.createObjectNode();
            ObjectNode dp = extra.putObject("dpspark");
            dp.put("format_version", FORMAT_VERSION);
            dp.set("model_spec", model.spec.toJson());
            dp.set("provenance", ProvenanceJson.toTree(model.provenance));
            org.json4s.JValue json = org.json4s.jackson.JsonMethods$.MODULE$.fromJsonNode(extra);
            SparkSession spark = sparkSession();
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, spark,
                    Option.apply((org.json4s.JObject) json));
            StructType schema = new StructType().add("params", DataTypes.createArrayType(DataTypes.DoubleType, false));
            List<Row> rows = List.of(RowFactory.create((Object) toBoxed(model.params)));
            spark.createDataFrame(rows, schema).repartition(1).write().parquet(new org.apache.hadoop.fs.Path(path, "data").toString());
        }

        private static Double[] toBoxed(double[] a) {
            Double[] b = new Double[a.length];
            for (int i = 0; i < a.length; i++) {
                b[i] = a[i];
            }
            return b;
        }
    }

    /** Reads what {@link Writer} wrote (formats 1 and 2), refusing a newer dpspark format. */
    static final class Reader<M extends DpPredictionModel<M>> extends MLReader<M> {
        private final Class<M> type;

        Reader(Class<M> type) {
            this.type = type;
        }

        @Override
        public M load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, spark, type.getName());
            JsonNode root;
            try {
                root = JSON.readTree(meta.metadataJson());
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable metadata at " + path, e);
            }
            JsonNode dp = root.path("dpspark");
            if (dp.isMissingNode()) {
                throw new IllegalArgumentException(path + " is not a dpspark model (no 'dpspark' metadata)");
            }
            int version = dp.path("format_version").asInt(-1);
            if (version < 1 || version > FORMAT_VERSION) {
                throw new IllegalArgumentException(path + " has dpspark model format version " + version
                        + "; this dpspark reads versions 1.." + FORMAT_VERSION);
            }
            ModelSpec spec = ModelSpec.fromJson(dp.get("model_spec"));
            ModelProvenance provenance;
            if (version == 1) {
                // Format 1 held the flat guarantee; what it did not record stays unknown (no creation time).
                provenance = PrivacyGuarantee.fromJson(dp.get("privacy")).toProvenance(spec.numFeatures(), null);
            } else {
                provenance = ProvenanceJson.fromTree(dp.get("provenance"), ModelProvenance.class,
                        path + ": dpspark.provenance");
            }
            Row row = spark.read().parquet(new org.apache.hadoop.fs.Path(path, "data").toString()).first();
            List<Double> p = row.getList(0);
            double[] params = p.stream().mapToDouble(Double::doubleValue).toArray();
            try {
                Constructor<M> c = type.getDeclaredConstructor(String.class, ModelSpec.class, double[].class,
                        ModelProvenance.class);
                c.setAccessible(true);
                M model = c.newInstance(meta.uid(), spec, params, provenance);
                meta.getAndSetParams(model, Option.empty());
                return model;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct " + type.getName(), e);
            }
        }
    }
}
