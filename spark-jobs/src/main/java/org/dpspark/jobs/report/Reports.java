package org.dpspark.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.train.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;

/**
 * The JSON documents a training job publishes: the report and the model file. Both are versioned
 * ({@code format_version}); the privacy guarantee in them is the one the accountant computed for the run's plan,
 * and no seed, record or pre-noise value is ever written.
 */
public final class Reports {
    public static final int REPORT_FORMAT_VERSION = 1;
    public static final int MODEL_FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {}

    /** The dpspark version from the jar manifest, or "dev" when running from classes. */
    public static String codeVersion() {
        String v = Reports.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The guarantee, as stated in both the report and the model file. */
    static ObjectNode privacy(PrivacyPlan plan, TrainConfig cfg) {
        ObjectNode p = JSON.createObjectNode();
        p.put("epsilon", plan.epsilon());
        p.put("delta", plan.delta());
        p.put("accountant", plan.accountant());
        ObjectNode byAccountant = p.putObject("epsilon_by_accountant");
        byAccountant.put("rdp", plan.rdpEpsilon());
        byAccountant.put("pld", plan.pldEpsilon());
        p.put("unit", "row");
        p.put("adjacency", "add/remove one row");
        p.put("sampling", "poisson");
        p.put("sampling_rate", plan.samplingRate());
        p.put("noise_multiplier", plan.noiseMultiplier());
        p.put("clip_norm", cfg.clipNorm());
        p.put("steps", plan.steps());
        p.put("noise_calibrated_from_target_epsilon", plan.calibrated());
        if (cfg.targetEpsilon().isPresent()) {
            p.put("target_epsilon", cfg.targetEpsilon().getAsDouble());
        }
        p.put("public", "N (number of rows) and the feature spec");
        p.put("insecure_test_run", cfg.insecureTestSeed().isPresent());
        if (cfg.insecureTestSeed().isPresent()) {
            p.put("INSECURE_TEST_SEED_USED", true);
            p.put("warning", "trained with a fixed test seed: noise and sampling are predictable, no privacy holds");
        }
        return p;
    }

    /** The training report. {@code eval} and {@code evalData} may be null. */
    public static ObjectNode report(
            String jobId,
            Instant started,
            String sparkMaster,
            String sparkVersion,
            DataInfo train,
            String specName,
            FeatureSpec spec,
            ModelSpec modelSpec,
            TrainConfig cfg,
            TrainResult result,
            DataInfo evalData,
            EvalMetrics eval,
            String modelPath,
            ObjectNode ledger) {
        ObjectNode r = JSON.createObjectNode();
        r.put("format_version", REPORT_FORMAT_VERSION);
        r.put("job_id", jobId);
        r.put("dpspark_version", codeVersion());
        r.put("started_at", started.toString());
        r.put("finished_at", Instant.now().toString());
        r.put("spark_master", sparkMaster);
        r.put("spark_version", sparkVersion);
        r.put("model_path", modelPath);

        ObjectNode data = r.putObject("data");
        data.put("input", train.path());
        data.put("format", train.format());
        data.put("fingerprint", train.fingerprint());
        data.put("rows", train.rows());
        data.put("feature_spec", specName);
        data.put("dimension", spec.dimension());

        r.set("privacy", privacy(result.plan(), cfg));

        ObjectNode t = r.putObject("training");
        t.put("model", modelSpec.kind());
        t.set("model_spec", modelSpec.toJson());
        t.put("optimizer", cfg.optimizer());
        if (cfg.optimizer().equals("momentum")) {
            t.put("momentum", cfg.momentum());
        }
        t.put("lr_schedule", cfg.schedule());
        t.put("epochs", cfg.epochs(result.rows()));
        t.put("steps", result.plan().steps());
        t.put("batch_size", cfg.batchSize());
        t.put("sampling_rate", result.plan().samplingRate());
        t.put("noise_multiplier", result.plan().noiseMultiplier());
        t.put("clip_norm", cfg.clipNorm());
        t.put("learning_rate", cfg.learningRate());
        numbers(t.putArray("loss_per_epoch"), result.lossPerEpoch());
        numbers(t.putArray("loss_noise_std_per_epoch"), result.lossStdPerEpoch());
        t.put("loss_note", cfg.dpLossTracking()
                ? "DP estimate of the mean log loss (clamped to [0, " + ClipBudget.DEFAULT_LOSS_BOUND + "]): released "
                        + "through each step's Gaussian mechanism, sharing the clip norm with the gradient, so it costs "
                        + "no extra privacy; loss_noise_std_per_epoch is the standard deviation of its noise"
                : "loss tracking disabled");
        t.put("step_mode", result.stepMode());
        t.put("training_loop_seconds", result.trainingSeconds());
        t.put("millis_per_step", result.millisPerStep());
        numbers(t.putArray("seconds_per_epoch"), result.secondsPerEpoch());
        t.put("step_runner_startup_seconds", result.startupSeconds());
        t.put("block_load_seconds", result.loadSeconds());
        t.put("timing_note", "wall-clock seconds of separate phases: block_load_seconds packs and caches the training "
                + "blocks (reading the input again unless it is cached); step_runner_startup_seconds starts the step "
                + "runner (barrier mode: the barrier stage launched and every task connected); training_loop_seconds "
                + "and millis_per_step cover the steps alone (executor work, aggregation, noise, update), JIT warm-up "
                + "of the first steps included; seconds_per_epoch splits them by epoch");

        if (eval != null) {
            ObjectNode e = r.putObject("evaluation");
            e.put("input", evalData.path());
            e.put("fingerprint", evalData.fingerprint());
            e.put("rows", eval.rows());
            eval.values().forEach((k, v) -> {
                if (Double.isNaN(v)) {
                    e.putNull(k);
                } else {
                    e.put(k, v);
                }
            });
            e.put("note", "metrics of the evaluation set are exact, not DP: the guarantee covers the training rows only");
        }
        r.set("ledger", ledger);
        return r;
    }

    /** The model file: parameters, feature spec, guarantee and provenance. */
    public static ObjectNode model(
            String jobId, DataInfo train, FeatureSpec spec, ModelSpec modelSpec, TrainConfig cfg, TrainResult result,
            ObjectNode ledger) {
        ObjectNode m = JSON.createObjectNode();
        m.put("format_version", MODEL_FORMAT_VERSION);
        m.put("model", modelSpec.kind());
        m.set("model_spec", modelSpec.toJson());
        m.put("num_features", spec.dimension());
        double[] params = result.params();
        if (modelSpec.kind().equals("logistic")) {
            ArrayNode w = m.putArray("weights");
            for (int i = 0; i < params.length - 1; i++) {
                w.add(params[i]);
            }
            m.put("intercept", params[params.length - 1]);
        } else {
            // dp-core's flat layout for the kind (see the model's class comment).
            ArrayNode p = m.putArray("params");
            for (double v : params) {
                p.add(v);
            }
        }
        try {
            m.set("feature_spec", JSON.readTree(spec.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("feature spec does not serialize: " + e.getMessage(), e);
        }
        m.set("privacy", privacy(result.plan(), cfg));
        ObjectNode prov = m.putObject("provenance");
        prov.put("job_id", jobId);
        prov.put("dpspark_version", codeVersion());
        prov.put("input", train.path());
        prov.put("input_fingerprint", train.fingerprint());
        prov.put("rows", train.rows());
        prov.put("trainer", "dp-sgd");
        prov.put("epochs", cfg.epochs(train.rows()));
        prov.put("batch_size", cfg.batchSize());
        prov.put("learning_rate", cfg.learningRate());
        prov.put("optimizer", cfg.optimizer());
        prov.put("lr_schedule", cfg.schedule());
        prov.set("ledger", ledger);
        return m;
    }

    private static void numbers(ArrayNode array, java.util.List<Double> values) {
        for (double v : values) {
            if (Double.isNaN(v)) {
                array.addNull();
            } else {
                array.add(v);
            }
        }
    }

    public static byte[] toBytes(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node).concat("\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
