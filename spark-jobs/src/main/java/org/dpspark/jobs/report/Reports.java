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
    /**
     * 3: adds privacy.epsilon_curve (both accountants' epsilon over steps with the budget line) and, for classifiers,
     * evaluation.confusion_matrix and evaluation.calibration (what report.html draws); 2: privacy, data and ledger
     * written from the typed provenance records; 1: hand-built sections. Every version 2 field is unchanged.
     */
    public static final int REPORT_FORMAT_VERSION = 3;
    /** The number of points of {@code privacy.epsilon_curve} (at most; fewer when the run has fewer steps). */
    public static final int EPSILON_CURVE_POINTS = 50;
    /**
     * The PLD grid of the curve's points before the last: 1e-3 instead of the claim's 1e-4 makes 50 points cost tens
     * of milliseconds instead of seconds, and stays a (slightly looser) upper bound.
     */
    public static final double CURVE_PLD_INTERVAL = 1e-3;
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
        if (cfg.emaDecay() > 0) {
            // The released model is the exponential moving average of the iterates (De et al. 2022), not the last.
            t.put("ema_decay", cfg.emaDecay());
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
            if (result.plan().epsilon() > 0 && Double.isFinite(result.plan().epsilon())) {
                // not additive (epsilons compose, they do not add): how much of the total the normalization alone is
                g.put("epsilon_share", result.plan().normalizationEpsilon() / result.plan().epsilon());
            }
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
                : "loss tracking disabled (dp-train --loss-estimate off, the image recipe's default): the gradient "
                        + "gets the whole clip norm and no loss is released (loss_per_epoch is null)");
        t.put("step_mode", result.stepMode());
        t.put("precision", cfg.precision().jsonName());
        t.put("block_storage", cfg.blockStorage().jsonName());
        if (result.storage() != null) {
            putStorage(t.putObject("storage"), result.storage(), result.plan().samplingRate());
        }
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
            if (eval.classification() != null) {
                putClassification(e, eval.classification());
            }
            e.put("note", "metrics of the evaluation set are exact, not DP: the guarantee covers the training rows only");
        }
        return r;
    }

    /**
     * A classifier's confusion matrix ({@code counts[label][predicted]}, classes in label order) and its calibration
     * table (10 equal-width bins of the predicted class's probability: rows, mean probability, observed accuracy;
     * null means an empty bin), both exact on the evaluation rows.
     */
    static void putClassification(ObjectNode e, EvalMetrics.Classification c) {
        ObjectNode cm = e.putObject("confusion_matrix");
        ArrayNode labels = cm.putArray("labels");
        for (int y = 0; y < c.confusion().length; y++) {
            labels.add(y);
        }
        ArrayNode counts = cm.putArray("counts");
        for (long[] row : c.confusion()) {
            ArrayNode r = counts.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        cm.put("note", "counts[label][predicted]: rows of the evaluation set with that label and that predicted class "
                + "(argmax)");
        ObjectNode cal = e.putObject("calibration");
        cal.put("of", "the predicted class's probability (the largest output)");
        ArrayNode bins = cal.putArray("bins");
        int n = EvalMetrics.Classification.CALIBRATION_BINS;
        for (int b = 0; b < n; b++) {
            ObjectNode o = bins.addObject();
            o.put("lower", (double) b / n);
            o.put("upper", (double) (b + 1) / n);
            o.put("count", c.binCounts()[b]);
            number(o, "mean_predicted_probability", c.binMeanProbability()[b]);
            number(o, "accuracy", c.binAccuracy()[b]);
        }
    }

    /**
     * Adds {@code privacy.epsilon_curve} to a training report: both accountants' epsilon at the plan's delta after
     * about {@link #EPSILON_CURVE_POINTS} evenly spaced step counts from 0 to T ({@link PrivacyPlan#boundAfter} with
     * {@link #CURVE_PLD_INTERVAL}; at T the plan's own epsilons) (RDP: Mironov 2017 with Balle et al.
     * 2020; PLD: Koskela et al. 2020, Doroshenko et al. 2022; null where PLD certifies nothing), and the budget line:
     * the dataset's budget epsilon from the ledger receipt when it has one, else the run's target epsilon, else null.
     * Nothing is added for a non-private plan.
     */
    public static void putEpsilonCurve(ObjectNode report, PrivacyPlan plan, Double ledgerBudgetEpsilon) {
        if (plan.nonPrivate()) {
            return;
        }
        ObjectNode c = ((ObjectNode) report.get("privacy")).putObject("epsilon_curve");
        c.put("delta", plan.delta());
        ArrayNode steps = c.putArray("steps");
        ArrayNode rdp = c.putArray("rdp");
        ArrayNode pld = c.putArray("pld");
        for (long t : curveSteps(plan.steps(), EPSILON_CURVE_POINTS)) {
            steps.add(t);
            if (t == plan.steps()) {
                number(rdp, plan.rdpEpsilon()); // the claim's own numbers
                number(pld, plan.pldEpsilon());
            } else {
                org.dpspark.accountant.PrivacyBound b = plan.boundAfter(t, CURVE_PLD_INTERVAL);
                number(rdp, b.rdpEpsilon());
                number(pld, b.pldEpsilon());
            }
        }
        c.put("pld_interval", CURVE_PLD_INTERVAL);
        if (ledgerBudgetEpsilon != null) {
            c.put("budget_epsilon", ledgerBudgetEpsilon.doubleValue());
            c.put("budget_source", "ledger: the dataset's budget epsilon");
        } else if (plan.targetEpsilon().isPresent()) {
            c.put("budget_epsilon", plan.targetEpsilon().getAsDouble());
            c.put("budget_source", "the run's target epsilon");
        } else {
            c.putNull("budget_epsilon");
            c.put("budget_source", "none: no ledger budget and no target epsilon");
        }
        c.put("note", "epsilon at delta after each number of steps, the normalization (if any) composed first; the "
                + "last point is the run's own RDP and PLD epsilon (the claim is the smaller); the points before it use "
                + "a PLD grid of pld_interval, coarser than the claim's and still an upper bound");
    }

    /** 0 and about {@code points} evenly spaced step counts up to {@code steps} (distinct, increasing, ending at it). */
    static long[] curveSteps(long steps, int points) {
        java.util.TreeSet<Long> ts = new java.util.TreeSet<>();
        ts.add(0L);
        for (int i = 1; i <= points; i++) {
            ts.add(Math.round((double) steps * i / points));
        }
        return ts.stream().mapToLong(Long::longValue).toArray();
    }

    private static void number(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
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

    /**
     * The training blocks' storage and what the steps read (byte counts only). The realized sample sizes are not
     * published: a Poisson sample's size depends on the data and is not covered by the guarantee (Lebeda et al.,
     * "Avoiding pitfalls for privacy accounting of subsampled mechanisms under composition", 2024, on releasing batch
     * sizes), so the report gives the public expectation q x feature bytes, and the bytes read per sampled byte (1.0
     * when a step reads only its sampled rows). The driver's log line has the measured figures for the operator.
     */
    private static void putStorage(ObjectNode n, org.dpspark.jobs.train.TrainResult.Storage s, double q) {
        n.put("precision", s.precision());
        n.put("block_storage", s.blockStorage());
        n.put("feature_bytes", s.featureBytes());
        n.put("feature_bytes_in_memory", s.featureBytesInMemory());
        n.put("label_bytes", s.labelBytes());
        n.put("steps", s.steps());
        n.put("expected_sampled_row_bytes_per_step", q * s.featureBytes());
        n.put("bytes_read_per_sampled_byte", s.sampledBytes() == 0 ? 0.0 : (double) s.bytesRead() / s.sampledBytes());
        n.put("note", "feature_bytes is the stored features' size (rows x dim x 8 for float64, 4 for float32), "
                + "feature_bytes_in_memory what of it the executors hold (0 with block storage disk: the features "
                + "are in owner-only files in the executors' local directories, deleted after the run); "
                + "expected_sampled_row_bytes_per_step is q x feature_bytes (the realized sample sizes depend on the "
                + "data and are not published), bytes_read_per_sampled_byte what the steps read per byte of their "
                + "sampled rows (1.0: only the sampled rows); like the timings, a diagnostic outside the privacy "
                + "guarantee");
    }
}
