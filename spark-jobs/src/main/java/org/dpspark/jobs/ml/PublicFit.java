package org.dpspark.jobs.ml;

import java.io.IOException;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The user's explicit declaration that a fitted stage (a StandardScalerModel, StringIndexerModel, ...) was fitted
 * on PUBLIC data, so that it may precede a DP estimator. The declaration is the user's responsibility: dpspark
 * cannot verify where a model was fitted.
 *
 * <p>Its input must itself be free of undeclared data-fitted stages ({@link PipelineGuard}); its output is
 * re-rooted (the plan below it is cut), so the declared stage is not refused downstream.
 */
public class PublicFit extends Transformer implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Transformer stage;

    /** Declares {@code fittedOnPublicData} as fitted on public data. */
    public PublicFit(Transformer fittedOnPublicData) {
        this(Identifiable.randomUID("publicFit"), fittedOnPublicData);
    }

    PublicFit(String uid, Transformer stage) {
        this.uid = uid;
        this.stage = stage;
    }

    @Override
    public String uid() {
        return uid;
    }

    public Transformer stage() {
        return stage;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return stage.transformSchema(schema);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        PipelineGuard.requireNoDataFittedStages(dataset, "PublicFit (" + uid + ")");
        Dataset<Row> out = stage.transform(dataset);
        return out.sparkSession().createDataFrame(out.javaRDD(), out.schema());
    }

    @Override
    public PublicFit copy(ParamMap extra) {
        return new PublicFit(uid, stage.copy(extra));
    }

    @Override
    public MLWriter write() {
        if (!(stage instanceof MLWritable w)) {
            throw new UnsupportedOperationException("the declared stage " + stage.uid() + " is not MLWritable");
        }
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(PublicFit.this, path, sparkSession());
                try {
                    w.write().save(new org.apache.hadoop.fs.Path(path, "stage").toString());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    public static MLReader<PublicFit> read() {
        return new MLReader<>() {
            @Override
            public PublicFit load(String path) {
                DefaultParamsReader.Metadata meta =
                        DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), PublicFit.class.getName());
                Transformer stage = DefaultParamsReader$.MODULE$.loadParamsInstance(
                        new org.apache.hadoop.fs.Path(path, "stage").toString(), sparkSession());
                return new PublicFit(meta.uid(), stage);
            }
        };
    }

    public static PublicFit load(String path) {
        return read().load(path);
    }
}
