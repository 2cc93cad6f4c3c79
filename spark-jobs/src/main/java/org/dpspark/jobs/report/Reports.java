package org.dpspark.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.ProvenanceJson;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;

/**
 * The training report a dp-train run publishes beside its model ({@code model.json} is
 * {@link org.dpspark.jobs.model.SavedModel}). Versioned ({@code format_version}); the privacy guarantee in it is the
 * one the accountant computed for the run's plan, and no seed, record or pre-noise value is ever written.
 */
public final class Reports {
    /** 2: privacy, data and ledger written from the typed provenance records (1: hand-built sections). */
    public static final int REPORT_FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {}

    /** The dpspark version from the jar manifest, or "dev" when running from classes. */
    public static String codeVersion() {
        String v = Reports.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The training report (format 2): the model's provenance as its typed records write it ({@code privacy} is the
     * claim, {@code data} the training input, {@code ledger} the receipt; the same codec as model.json), then the
     * run's statistics and the evaluation. {@code evalData} and {@code eval} may be null.
     */
    public static ObjectNode report(
            ModelProvenance provenance,
            Instant started,
            String sparkMaster,
            String sparkVersion,
            ModelSpec modelSpec,
            TrainConfig cfg,
            TrainResult result,
            DataInfo evalData,
            EvalMetrics eval,
            String modelPath) {
        ObjectNode r = JSON.createObjectNode();
        r.put("format_version", REPORT_FORMAT_VERSION);
        r.put("job_id", provenance.jobId());
        r.put("dpspark_version", provenance.dpsparkVersion());
        r.put("started_at", started.toString());
        r.put("finished_at", Instant.now().toString());
        r.put("spark_master", sparkMaster);
        r.put("spark_version", sparkVersion);
        r.put("model_path", modelPath);
        r.set("data", ProvenanceJson.toTree(provenance.data()));
        r.set("privacy", ProvenanceJson.toTree(provenance.claim()));
        r.set("trainer", ProvenanceJson.toTree(provenance.trainer()));
        r.set("ledger", ProvenanceJson.toTree(provenance.ledger()));

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
        cfg.normalization().ifPresent(n -> {
            ObjectNode g = t.putObject("data_normalization");
            g.put("kind", n.whitening() ? "zca whitening" : "standardization");
            g.put("mechanism", n.whitening()
                    ? "Gaussian: the channel means and the channels' second-moment matrix over all training rows (2 "
                            + "releases, no subsampling), per-example contributions clipped in L2; each position's "
                            + "channel vector whitened by (covariance + eps I)^(-1/2)"
                    : "Gaussian: each channel's mean and mean square over all training rows (2 releases, no "
                            + "subsampling), per-example contributions clipped in L2 (Tramer and Boneh, ICLR 2021)");
            g.put("noise_multiplier", n.noiseMultiplier());
            if (n.provenBounds()) {
                g.put("clip_bounds", "proven after the group normalization: sqrt(channels) and "
                        + "sqrt(channels * channels per group); they never clip");
            } else {
                g.put("mean_bound", n.meanBound());
                g.put("square_bound", n.squareBound());
            }
            if (n.whitening()) {
                g.put("eps", n.whiteningEps());
            }
            g.put("epsilon_alone", result.plan().normalizationEpsilon());
            g.put("accounting", "composed with the training in privacy.epsilon and in the ledger's events; the "
                    + "released statistics are in the model's feature spec");
        });
        t.put("clip_norm", cfg.clipNorm());
        t.put("learning_rate", cfg.learningRate());
        if (cfg.regularizer().equals("pdp")) {
            ObjectNode g = t.putObject("regularizer");
            g.put("kind", "pdp");
            g.put("strength", cfg.pdpStrength());
            g.put("term", "lambda * sum_j w_j^2 x_j^2 over the weights on the input features, added to each "
                    + "example's loss (Aguilera-Martinez and Berzal 2024, arXiv 2409.17144)");
            g.put("guarantee", result.plan().nonPrivate()
                    ? "none: the term alone carries no differential-privacy guarantee (no noise reaches the output); "
                            + "an independent evaluation found it gives no protection against gradient inversion "
                            + "(Fernandez-de-Retana et al. 2025, arXiv 2510.23931)"
                    : "unchanged: the term is part of each example's loss before clipping, so the clipped, noised sum "
                            + "has the same guarantee as with any loss");
        }
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
            putMetrics(e, eval);
            e.put("note", "metrics of the evaluation set are exact, not DP: the guarantee covers the training rows only");
        }
        return r;
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

    /** Puts each metric of {@code m} into {@code node} by name (NaN, e.g. an undefined r2, as null). */
    public static void putMetrics(ObjectNode node, EvalMetrics m) {
        m.values().forEach((k, v) -> {
            if (Double.isNaN(v)) {
                node.putNull(k);
            } else {
                node.put(k, v);
            }
        });
    }

    public static byte[] toBytes(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node).concat("\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
