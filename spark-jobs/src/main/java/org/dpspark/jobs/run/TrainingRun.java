package org.dpspark.jobs.run;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.accountant.audit.AuditResult;
import org.dpspark.core.audit.CanaryPaddedModel;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.jobs.train.DataNormalization;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.PdpRegularized;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.train.AuditCanaries;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.users.UserBlocks;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.eval.Evaluator;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.io.AtomicOutput;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.jobs.report.Reports;
import org.dpspark.jobs.report.html.TrainingReportPage;
import org.dpspark.jobs.train.Checkpoint;
import org.dpspark.jobs.train.Checkpointer;
import org.dpspark.jobs.train.DpTrainer;
import org.dpspark.jobs.train.TrainingStopped;
import org.dpspark.jobs.train.JobLabel;
import org.dpspark.jobs.train.Optimizers;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainingProgress;
import org.dpspark.jobs.train.TrainResult;

/**
 * One training run: the only code that validates, plans, reserves, trains, commits and publishes. Every entry
 * point ({@code dp-train}, the MLlib estimators) builds {@link RunSettings} and {@link TrainingData} and calls it;
 * none keeps a copy of any step.
 *
 * <pre>
 *   preflight (settings: outputs publishable, ledger exists and opens, job id not committed; no Spark job)
 *     -> validate (rows: N counted, public; fingerprint)  -> plan (q, T, sigma, epsilon)
 *     -> reserve (ledger; refusal: nothing trained)      -> pack blocks -> steps (DpTrainer)
 *     -> evaluate (held-out rows, not DP)                -> commit (ledger) -> publish (model + report, atomic)
 * </pre>
 *
 * <p>A failure before the first step aborts the reservation (nothing was released); after it, the reservation
 * stays charged (progress lines have released DP estimates) until {@code dp-ledger resolve}. A run on the
 * explicitly insecure seeded path is never charged to a dataset's budget: it is refused where the dataset has
 * one, before anything is read.
 */
public final class TrainingRun {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainingRun.class);
    private final RunSettings settings;
    private final Configuration hadoop;
    private final PrivacyLedger ledger;
    private final Consumer<String> notices;
    private final Instant started = Instant.now();
    /** The checkpoint a resumed run continues from, or null. */
    private final Checkpoint resumeFrom;
    private final Timings timings;
    private TrainingProgress progress = TrainingProgress.LINES;

    private TrainingRun(RunSettings settings, Configuration hadoop, PrivacyLedger ledger, Consumer<String> notices,
            Checkpoint resumeFrom, Timings timings) {
        this.settings = settings;
        this.hadoop = hadoop;
        this.ledger = ledger;
        this.notices = notices;
        this.resumeFrom = resumeFrom;
        this.timings = timings;
    }

    /**
     * Checks everything that can be checked before data is read: the outputs can be published, the ledger opens,
     * an explicit dataset id has not already committed this job id, and an insecure run does not target a budget.
     *
     * @param notices receives one-line notices for the user (no cap set, a reservation left charged)
     */
    public static TrainingRun preflight(RunSettings settings, Configuration hadoop, Consumer<String> notices) {
        return preflight(settings, hadoop, notices, Timings.sinceNow());
    }

    /**
     * As {@link #preflight(RunSettings, Configuration, Consumer)}, the run's phases timed into {@code timings}
     * (a command's, counted from the JVM's start).
     */
    public static TrainingRun preflight(RunSettings settings, Configuration hadoop, Consumer<String> notices,
            Timings timings) {
        TrainConfig cfg = settings.config();
        if (cfg.secureAggregation().distributed() && settings.partitions() != null
                && cfg.secaggColluding() >= settings.partitions()) {
            throw InvalidParameterException.of("secaggColluding", "must be in [0, n - 1] for n = "
                    + settings.partitions() + " parties (--partitions), got " + cfg.secaggColluding()
                    + ": the honest parties' noise must meet the target");
        }
        Publication pub = settings.publication();
        if (pub != null) {
            AtomicOutput.checkPublishable(hadoop, pub.modelDir(), pub.overwrite(), "--output");
            if (!java.util.Objects.equals(new Path(pub.reportPath()).getParent(), new Path(pub.modelDir()))) {
                AtomicOutput.checkPublishable(hadoop, pub.reportPath(), pub.overwrite(), "--report");
                AtomicOutput.checkPublishable(hadoop, pub.htmlPath(), pub.overwrite(), "--report (its HTML page)");
            }
        }
        PrivacyLedger ledger = null;
        LedgerTarget target = settings.ledger();
        if (target.recorded()) {
            ledger = JobLedger.open(target.location(), hadoop);
            // The dataset, as far as the input's locations tell before any data is read (the fingerprint of the
            // rows, known after validation, may still find it later).
            String early = resolveDataset(ledger, settings, null, false);
            if (early != null && cfg.nonPrivate()) {
                refuseNonPrivateOnBudget(ledger, early);
            }
            if (early != null && !cfg.nonPrivate()) {
                ledger.checkNotCommitted(early, settings.jobId());
                refuseInsecureOnBudget(settings.config(), ledger, early);
                ledger.requireUnit(early, settings.config().privacyUnit());
            }
        }
        TrainingRun run = new TrainingRun(settings, hadoop, ledger, notices, checkpointPreflight(settings, hadoop),
                timings);
        timings.mark("preflight");
        return run;
    }

    /**
     * Checks the checkpoint settings before Spark starts; for a resume, reads the newest checkpoint and refuses one
     * of another job or code version (the plan is compared once the rows are validated, before the ledger).
     */
    private static Checkpoint checkpointPreflight(RunSettings settings, Configuration hadoop) {
        Checkpointing ck = settings.checkpointing();
        TrainConfig cfg = settings.config();
        if (!ck.enabled()) {
            return null;
        }
        if (cfg.normalization().isPresent()) {
            throw new InvalidParameterException(List.of("checkpointDir", DataNormalization.PARAM), "%s cannot be "
                    + "combined with %s dp yet: a resume would release the normalization's statistics again");
        }
        if (cfg.secureAggregation().distributed()) {
            throw new InvalidParameterException(List.of("checkpointDir", "secureAggregation"), "%s cannot be combined "
                    + "with %s " + cfg.secureAggregation().jsonName() + " yet: only central aggregation resumes");
        }
        if (!ck.resume()) {
            return null;
        }
        Checkpoint c = Checkpointer.latest(hadoop, ck.dir()).orElseThrow(() -> InvalidParameterException.of("resume",
                "found no checkpoint in " + ck.dir() + ": nothing to resume (run without it to start the job)"));
        if (!c.identity().jobId().equals(settings.jobId())) {
            throw refused(ck.dir(), "its job id is '" + c.identity().jobId() + "', this run's is '" + settings.jobId()
                    + "'");
        }
        if (!c.identity().codeVersion().equals(Reports.codeVersion())) {
            throw refused(ck.dir(), "it was written by code version " + c.identity().codeVersion() + ", this is "
                    + Reports.codeVersion());
        }
        return c;
    }

    private static InvalidParameterException refused(String dir, String why) {
        return InvalidParameterException.of("resume", "refused: the checkpoint in " + dir + " is not this run's: "
                + why + "; nothing was charged");
    }

    /**
     * Every parameter that determines the DP plan and the training, by name: a checkpoint continues only a run where
     * all are equal. (The step mode and the partitions are not among them: neither changes the guarantee, and the
     * model is the same in both step modes.)
     */
    static java.util.Map<String, String> planFingerprint(TrainConfig cfg, PrivacyPlan plan, ModelSpec modelSpec,
            TrainingData data, String inputFingerprint, long units) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("input fingerprint", inputFingerprint);
        m.put("privacy units N", Long.toString(units));
        m.put("privacy unit", cfg.privacyUnit());
        m.put("sampling rate q", Double.toString(plan.samplingRate()));
        m.put("noise multiplier sigma", Double.toString(plan.noiseMultiplier()));
        m.put("steps T", Long.toString(plan.steps()));
        m.put("delta", Double.toString(plan.delta()));
        m.put("clip norm C", Double.toString(cfg.clipNorm()));
        m.put("learning rate", Double.toString(cfg.learningRate()));
        m.put("learning-rate schedule", cfg.schedule());
        m.put("optimizer", cfg.optimizer() + (cfg.optimizer().equals("momentum") ? " " + cfg.momentum() : ""));
        m.put("ema decay", Double.toString(cfg.emaDecay()));
        m.put("model", modelSpec.toJson().toString());
        m.put("features", data.encoding() instanceof TrainingData.SpecEncoding s
                ? s.specName() + " " + sha256(s.spec().toJson())
                : "vector of " + data.encoding().dimension());
        m.put("regularizer", cfg.regularizer() + (cfg.regularizer().equals("pdp") ? " " + cfg.pdpStrength() : ""));
        m.put("algorithm", cfg.algorithm());
        m.put("loss tracking", Boolean.toString(cfg.dpLossTracking()));
        m.put("max rows per user", cfg.userColumn().isPresent() ? Integer.toString(cfg.maxRowsPerUser()) : "-");
        m.put("insecure test seed", cfg.insecureTestSeed().isPresent() ? "set" : "none");
        // float32 rounds the features, so the model differs; the block storage does not change it (not included)
        m.put("precision", cfg.precision().jsonName());
        return m;
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where the training's progress goes: {@link TrainingProgress#LINES} (one log line per epoch) unless set, e.g.
     * to a console's progress bar. A search's trials log their lines.
     */
    public void progress(TrainingProgress p) {
        this.progress = java.util.Objects.requireNonNull(p, "progress");
    }

    /** The wall time of the run's phases so far (the report's {@code timings}). */
    public Timings timings() {
        return timings;
    }

    /** The run's settings. */
    public RunSettings settings() {
        return settings;
    }

    /**
     * The privacy plan for N = {@code rows}: q, T, sigma (calibrated to a target epsilon, or given) and the
     * guarantee; an optimizer setting that cannot run T steps is refused here too, before the ledger is touched.
     */
    public PrivacyPlan plan(long rows) {
        return plan(rows, 0, 0);
    }

    /**
     * As {@link #plan(long)}, for any aggregation mode: masking and paillier plan the distributed discrete Gaussian
     * over {@code parties} partitions and vectors of {@code dim} = numParams + 1 (0, 0: unknown, refused for them).
     */
    public PrivacyPlan plan(long rows, int dim, int parties) {
        TrainConfig cfg = settings.config();
        if (cfg.userColumn().isPresent() && cfg.batchSize() > rows) {
            // At user level B counts users: say so, rather than the plan's generic "[1, rows]".
            throw InvalidParameterException.of("batchSize", cfg.batchSize() + " (the expected users per step) is larger "
                    + "than the number of users, " + rows + ": lower it (q = B / N_users must be at most 1)");
        }
        double ceiling = ledger != null ? ledger.policy().epsilonCeiling() : PlanRequest.DEFAULT_EPSILON_CEILING;
        PrivacyPlan plan;
        if (cfg.secureAggregation().distributed()) {
            if (dim < 1 || parties < 1) {
                throw InvalidParameterException.of("secureAggregation", cfg.secureAggregation().jsonName()
                        + " is planned over the model's parameters and the run's partitions: run dp-train --dry-run "
                        + "on the input (not --rows), which knows both");
            }
            plan = PrivacyPlan.of(cfg.planRequest(rows, ceiling, dim, parties));
        } else {
            plan = PrivacyPlan.of(cfg.planRequest(rows, ceiling));
        }
        Optimizers.create(settings.config(), plan.steps());
        return plan;
    }

    /**
     * What a job of {@code rows} rows would spend, and whether the ledger would admit it now: nothing is reserved.
     *
     * @param fingerprint the input's fingerprint (for a dataset id derived from it), or null
     * @return the plan and the ledger's answer (empty when the run is not recorded or the dataset is unknown)
     */
    public DryRun dryRun(long rows, String fingerprint) {
        return dryRun(rows, fingerprint, 0, 0);
    }

    /** As {@link #dryRun(long, String)}, knowing the vector length and parties of a secure aggregation. */
    public DryRun dryRun(long rows, String fingerprint, int dim, int parties) {
        PrivacyPlan plan = plan(rows, dim, parties);
        String ds = ledger == null ? null : resolveDataset(ledger, settings, fingerprint, fingerprint != null);
        if (ds == null) {
            return new DryRun(rows, plan, null, Optional.empty());
        }
        if (plan.nonPrivate()) {
            refuseNonPrivateOnBudget(ledger, ds);
            return new DryRun(rows, plan, null, Optional.empty()); // never recorded
        }
        return new DryRun(rows, plan, ds, Optional.of(ledger.check(ds, plan.events(), plan.delta(),
                settings.config().privacyUnit())));
    }

    /** A dry run on real rows: validates them (N, fingerprint), plans, asks the ledger; reserves nothing. */
    public DryRun dryRun(JavaSparkContext jsc, TrainingData data, ModelSpec modelSpec) {
        return dryRun(jsc, data, modelSpec, null);
    }

    /**
     * As {@link #dryRun(JavaSparkContext, TrainingData, ModelSpec)} for the audit {@code audit} (or null): its
     * white-box canaries lengthen the vectors a secure aggregation plans over.
     */
    public DryRun dryRun(JavaSparkContext jsc, TrainingData data, ModelSpec modelSpec, AuditSettings audit) {
        JobLabel.begin(jsc, settings.jobId());
        JobLabel.describe(jsc, "validate input");
        Validated v = validate(data, modelSpec);
        long units = v.rows();
        if (settings.config().userColumn().isPresent()) {
            // the plan is over users: bound and count them as the run would (nothing is released)
            int parts = settings.partitions() != null ? settings.partitions() : jsc.defaultParallelism();
            units = boundUsers(data, settings.config(), parts).users();
        }
        jsc.setJobDescription(null);
        int parties = settings.partitions() != null ? settings.partitions() : jsc.defaultParallelism();
        int padding = audit != null && audit.whiteBox() ? audit.canaries() : 0;
        return dryRun(units, v.fingerprint(), modelSpec.create().numParams() + 1 + padding, parties);
    }

    /**
     * A dry run's answer.
     *
     * @param rows N
     * @param plan the plan
     * @param datasetId the dataset that would pay, or null
     * @param admission the ledger's admission check (throws BudgetExhaustedException from {@link #dryRun} when
     *     the job does not fit), or empty
     */
    public record DryRun(long rows, PrivacyPlan plan, String datasetId, Optional<Admission> admission) {}

    /**
     * Validates the rows, plans, reserves, trains, evaluates, commits and publishes.
     *
     * @param data the training rows
     * @param eval held-out rows to evaluate on (not DP; the guarantee covers the training rows), or null
     * @param modelSpec the model to train
     */
    public TrainedModel train(JavaSparkContext jsc, TrainingData data, TrainingData eval, ModelSpec modelSpec) {
        return run(jsc, data, eval, modelSpec, null).model();
    }

    /**
     * A one-run privacy audit (Steinke, Nasr and Jagielski 2023): the same run as {@link #train}, validated, planned,
     * reserved, trained and committed the same way, with canaries planted by {@code audit}; then each kind's game is
     * scored. Nothing is published (the caller writes the audit report). An audit on a ledgered dataset is charged
     * like any job; with {@link AuditSettings#publicData()} on data the ledger does not know, nothing is charged.
     */
    public Audited audit(JavaSparkContext jsc, TrainingData data, TrainingData eval, ModelSpec modelSpec,
            AuditSettings audit) {
        java.util.Objects.requireNonNull(audit, "audit");
        if (audit.blackBox() && settings.config().userColumn().isPresent()) {
            throw new InvalidParameterException(List.of("canaryKind", "privacyUnit"), "%s black-box adds canary rows, "
                    + "which exist at %s row only: audit a user-level run with white-box canaries");
        }
        return run(jsc, data, eval, modelSpec, audit);
    }

    /**
     * An audit's outcome.
     *
     * @param model the trained model (its parameters without the canary coordinates) and its provenance
     * @param results one game per canary kind
     * @param seconds wall time of the whole audit run (validation to scores)
     */
    public record Audited(TrainedModel model, List<AuditResult> results, double seconds) {}

    /** The run, and the audit's games when {@code audit} is given. */
    private Audited run(JavaSparkContext jsc, TrainingData data, TrainingData eval, ModelSpec modelSpec,
            AuditSettings audit) {
        long runStart = System.nanoTime();
        TrainConfig cfg = settings.config();
        JobLabel.begin(jsc, settings.jobId());
        Validated v = validate(jsc, data, modelSpec, "validate input");
        timings.mark("validate");
        Validated ev = eval == null ? null : validate(jsc, eval, modelSpec, "validate eval input");
        timings.mark("validate_eval");
        int parts = settings.partitions() != null ? settings.partitions() : jsc.defaultParallelism();
        Dataset<Row> frame = data.frame();
        // The privacy units: rows, or users, whose rows are bounded to k and co-located (one shuffle) first.
        UserBlocks.Bounded bounded = null;
        long units = v.rows();
        if (cfg.userColumn().isPresent()) {
            JobLabel.describe(jsc, "bound the rows per user");
            bounded = boundUsers(data, cfg, parts);
            jsc.setJobDescription(null);
            units = bounded.users();
            if (bounded.nullUserRowsDropped() > 0) {
                notices.accept("dropped " + bounded.nullUserRowsDropped() + " rows without a user id ("
                        + (settings.entryPoint().startsWith("mllib:") ? "nullUsers" : "--null-users") + " drop)");
            }
        }
        DpModel base = modelSpec.create();
        // The model trained: the PDP term inside each example's loss (before clipping), and for a white-box audit the
        // canary coordinates appended; the published model is the base one with the first numParams parameters.
        DpModel model = cfg.regularizer().equals("pdp") ? PdpRegularized.wrap(base, cfg.pdpStrength()) : base;
        CanaryPaddedModel padded = null;
        if (audit != null && audit.whiteBox()) {
            padded = new CanaryPaddedModel(model, audit.canaries());
            model = padded;
        }
        timings.mark("users_and_model");
        PrivacyPlan plan = plan(units, model.numParams() + 1, parts);
        timings.mark("plan");
        if (cfg.secureAggregation().distributed()
                && cfg.stepMode().resolve(jsc.getConf()) == org.dpspark.jobs.train.StepMode.JOB) {
            // auto resolves to one job per step under dynamic allocation: refuse before anything is reserved
            throw new InvalidParameterException(List.of("secureAggregation", "stepMode"), "%s "
                    + cfg.secureAggregation().jsonName() + " needs the barrier step mode, and %s auto resolves to one "
                    + "Spark job per step here (spark.dynamicAllocation.enabled is true): disable dynamic allocation");
        }
        // A non-private run is never recorded: refused where the data has a budget, run and marked otherwise. A public
        // or synthetic audit is not recorded either, but only on data the ledger does not know at all.
        PrivacyLedger recordIn = ledger;
        String noRecordReason = null;
        if (ledger != null && cfg.nonPrivate()) {
            String known = resolveDataset(ledger, settings, v.fingerprint(), false);
            if (known != null) {
                refuseNonPrivateOnBudget(ledger, known);
            }
            recordIn = null;
            noRecordReason = "non-private run (--no-dp): " + PrivacyClaim.NO_GUARANTEE + ", nothing recorded in the "
                    + "ledger";
        } else if (ledger != null && audit != null && audit.publicData()) {
            String known = resolveDataset(ledger, settings, v.fingerprint(), false);
            if (known != null) {
                throw new InvalidParameterException(List.of("publicData"), "%s: the input belongs to dataset '"
                        + escape(known) + "' of the ledger " + escape(ledger.location()) + ", so its audit is charged "
                        + "like any job: drop the flag");
            }
            recordIn = null;
            noRecordReason = "audit on public or synthetic data (--public-data): nothing charged";
        }
        String datasetId = recordIn == null ? null : resolveDataset(recordIn, settings, v.fingerprint(), true);
        if (recordIn != null) {
            refuseInsecureOnBudget(cfg, recordIn, datasetId);
            recordIn.requireUnit(datasetId, cfg.privacyUnit()); // before any work; reserve checks it again
        }
        DataInfo info = new DataInfo(data.input(), data.format(), v.fingerprint(), v.rows());
        DataInfo evalInfo = ev == null ? null : new DataInfo(eval.input(), eval.format(), ev.fingerprint(), ev.rows());
        // DP data normalization: checked against the spec now, released after the reservation.
        DataNormalizer normalizer = cfg.normalization().isPresent()
                ? DataNormalizer.check(cfg.normalization().get(), specOf(data)) : null;

        // The audit's canaries: coins from a secure source the auditor keeps (seeded only on the insecure test path).
        Canaries canaries = audit == null ? null : Canaries.plant(audit, modelSpec, padded, base, parts,
                cfg.clipNorm(), cfg.insecureTestSeed());
        AuditCanaries planted = canaries == null ? AuditCanaries.NONE : canaries.planted();

        String modelPath = settings.publication() != null ? settings.publication().modelDir() : settings.entryPoint();
        Checkpointing ck = settings.checkpointing();
        if (ck.enabled() && audit != null) {
            throw InvalidParameterException.of("checkpointDir", "is not supported by an audit run");
        }
        Checkpoint.Identity identity = ck.enabled() ? new Checkpoint.Identity(settings.jobId(), datasetId, 0,
                Reports.codeVersion(), planFingerprint(cfg, plan, modelSpec, data, v.fingerprint(), units),
                plan.samplingRate(), plan.noiseMultiplier(), plan.steps()) : null;
        Admission admission;
        if (resumeFrom != null) {
            // Before any budget is touched: the same plan, the same dataset; then the attempt's own reservation.
            String why = resumeFrom.identity().refusal(identity);
            if (why == null && !java.util.Objects.equals(resumeFrom.identity().datasetId(), datasetId)) {
                why = "it was charged to dataset " + resumeFrom.identity().datasetId() + ", this run to " + datasetId;
            }
            if (why != null) {
                throw refused(ck.dir(), why);
            }
            admission = recordIn == null ? null : recordIn.resume(datasetId, settings.jobId(),
                    resumeFrom.identity().attempt(), v.fingerprint(), plan.events(), plan.delta());
            notices.accept("resuming job '" + settings.jobId() + "' at step " + resumeFrom.step() + "/" + plan.steps()
                    + (admission == null ? "" : " in its ledger attempt " + admission.attempt()
                            + " (reserved for the whole run; not charged again)"));
        } else {
            admission = recordIn == null ? null
                    : reserve(recordIn, datasetId, v.fingerprint(), plan.events(), plan.delta());
        }
        Checkpointer checkpoints = !ck.enabled() && ck.stopAfterSteps() == 0 ? Checkpointer.NONE
                : new Checkpointer(hadoop, ck.dir(), identity == null ? null : new Checkpoint.Identity(identity.jobId(),
                        datasetId, admission == null ? 0 : admission.attempt(), identity.codeVersion(),
                        identity.plan(), identity.samplingRate(), identity.noiseMultiplier(), identity.steps()),
                        ck.stepsFor(plan.steps()), ck.minutes(), ck.stopAfterSteps(), resumeFrom);
        timings.mark(resumeFrom != null ? "ledger_resume" : "ledger_reserve");
        // A resumed attempt has released already: from here its reservation stays charged whatever happens.
        AtomicBoolean stepped = new AtomicBoolean(resumeFrom != null);
        TrainResult result;
        double[] paddedParams = null;
        EvalMetrics metrics = null;
        try {
            if (normalizer != null) {
                JobLabel.describe(jsc, "data normalization");
                ChannelNormalization.ChannelMap st = normalizer.release(frame, specOf(data), v.rows(),
                        plan.normalizationNoise().getAsDouble(), noise(cfg));
                jsc.setJobDescription(null);
                stepped.set(true); // released: from here the reservation stays charged whatever happens
                notices.accept(String.format(Locale.ROOT, "data normalization: %s of %d channels from released "
                        + "statistics (Gaussian mechanism, sigma %s, clip bounds %s and %s%s; epsilon %.4f of the "
                        + "run's %.4f)", normalizer.what(), normalizer.channels(),
                        num(plan.normalizationNoise().getAsDouble()), num(normalizer.meanBound()),
                        num(normalizer.squareBound()), Double.isNaN(normalizer.eps()) ? ""
                                : ", eps " + num(normalizer.eps()), plan.normalizationEpsilon(),
                        plan.epsilon()));
                data = normalized(data, st);
                eval = eval == null ? null : normalized(eval, st);
            }
            // (a repartition's shuffle runs under adaptive execution as its own job, planned here)
            JobLabel.describe(jsc, "pack blocks");
            JavaRDD<DenseBlock> blocks;
            if (bounded != null) {
                blocks = data.encoding() instanceof TrainingData.SpecEncoding s
                        ? UserBlocks.pack(bounded, s.spec())
                        : UserBlocks.pack(bounded, data.encoding().dimension(),
                                VectorInput.coder(data.encoding().dimension()));
            } else {
                blocks = rowBlocks(frame, data.encoding(), parts);
            }
            if (canaries != null && canaries.blackBox() != null) {
                blocks = canaries.appendRows(blocks);
            }
            timings.mark("lay_out_blocks"); // a repartition's shuffle runs here (adaptive execution)
            result = DpTrainer.train(jsc, blocks, units, model, cfg, plan, () -> {
                stepped.set(true);
                timings.firstStep("train_setup");
            }, planted, progress, checkpoints);
            timings.record("train_setup.pack_blocks", result.loadSeconds());
            timings.record("train_setup.step_runner_start", result.startupSeconds());
            LOG.debug("timings: {}", timings.line());
            if (padded != null) {
                paddedParams = result.params();
                result = result.withParams(padded.innerParams(result.params()));
            }
            if (ev != null) {
                JobLabel.describe(jsc, "evaluate");
                metrics = Evaluator.evaluate(jsc, pack(eval.frame(), eval.encoding()), base, result.params());
            }
        } catch (TrainingStopped e) {
            // the reservation stays open and charged; the caller says how to resume or settle it (one command)
            throw new RunInterrupted(e, settings.jobId(), admission == null ? null : admission.datasetId());
        } catch (RuntimeException | Error e) {
            if (admission != null) {
                settleFailure(admission, stepped.get(), e);
            }
            throw e;
        }
        // Scored before the commit: scoring is post-processing, and a failure here must not leave a commit without
        // its audit.
        List<AuditResult> results = canaries == null ? List.of()
                : canaries.score(paddedParams, base, result.params(), plan.delta());
        // a run not recorded (a non-private one has no events at all) commits nothing
        LedgerReceipt receipt = commit(recordIn, datasetId, admission, recordIn == null ? List.of() : plan.events(),
                plan.epsilon(), plan.delta(), modelPath, noRecordReason);
        TrainedModel trained = trainedModel(data, info, evalInfo, modelSpec, cfg, plan, result, metrics, receipt);
        if (settings.publication() != null) {
            publish(jsc, trained, settings.publication(), null);
        }
        return new Audited(trained, results, (System.nanoTime() - runStart) / 1e9);
    }

    /**
     * Refuses, before any data is read, a configuration a private search cannot run: it needs the total target epsilon
     * and row-level DP-SGD with central noise (the split, the scores and the selection theorem are over rows).
     */
    public static void requireSearchable(TrainConfig cfg) {
        if (cfg.nonPrivate()) {
            throw InvalidParameterException.of("noDp", "has no privacy to tune under: a search is always private");
        }
        if (cfg.targetEpsilon().isEmpty()) {
            throw InvalidParameterException.of("epsilon", "is required: the total epsilon of the whole search (sigma "
                    + "is calibrated for it; a noise multiplier cannot be given)");
        }
        if (cfg.userColumn().isPresent()) {
            throw InvalidParameterException.of("privacyUnit", "must be row for a search: the validation split, the "
                    + "scores and the selection's accounting are over rows");
        }
        if (cfg.normalization().isPresent()) {
            throw InvalidParameterException.of(DataNormalization.PARAM, "dp is not part of a search (the selection "
                    + "theorem covers the trials' training only): tune with group normalization alone, then train once "
                    + "with it");
        }
        if (!cfg.algorithm().equals("dp-sgd")) {
            throw InvalidParameterException.of("algorithm", "must be dp-sgd for a search, got " + cfg.algorithm());
        }
        if (cfg.secureAggregation().distributed()) {
            throw InvalidParameterException.of("secureAggregation", "must be central for a search, got "
                    + cfg.secureAggregation().jsonName());
        }
    }

    /**
     * A private hyperparameter search (Papernot and Steinke 2022): validates the rows, splits them with a secret key
     * into a training and a validation part, plans the whole search (one sigma for its total epsilon), RESERVES its
     * one selection event, draws K, runs K trials through {@link RandomSearch} (each DP-SGD with the search's sigma
     * and its point's hyperparameters, scored by a noisy count of correct validation predictions), COMMITS the same
     * event, and publishes the best trial's model with a report whose "tuning" section lists every trial. No trial
     * has a ledger entry of its own. With K = 0 the event is committed and nothing is published.
     *
     * @param eval held-out rows every trial's model is evaluated on (exact, not DP), or null
     * @param onTrial told of each trial as it ends (its point and noisy score only)
     */
    public Searched search(JavaSparkContext jsc, TrainingData data, TrainingData eval, ModelSpec modelSpec,
            SearchSettings search, Consumer<RandomSearch.Trial> onTrial) {
        TrainConfig cfg = settings.config();
        requireSearchable(cfg);
        if (settings.checkpointing().enabled() || settings.checkpointing().stopAfterSteps() > 0) {
            throw InvalidParameterException.of("checkpointDir", "is not supported by a search (its trials are not "
                    + "checkpointed): run it without");
        }
        DpModel base = modelSpec.create();
        if (base.numOutputs() < 2) {
            throw InvalidParameterException.of("model", "must be a classifier for a search (trials are scored by "
                    + "their validation accuracy), got " + modelSpec.kind());
        }
        JobLabel.begin(jsc, settings.jobId());
        Validated v = validate(jsc, data, modelSpec, "validate input");
        Validated ev = eval == null ? null : validate(jsc, eval, modelSpec, "validate eval input");
        String datasetId = null;
        if (ledger != null) {
            datasetId = resolveDataset(ledger, settings, v.fingerprint(), true);
            refuseInsecureOnBudget(cfg, ledger, datasetId);
            ledger.requireUnit(datasetId, cfg.privacyUnit());
        }
        byte[] key = cfg.insecureTestSeed().isPresent()
                ? InsecureTestRandomness.seededSecretKey(cfg.insecureTestSeed().getAsLong() ^ 0x73706c6974L)
                : CsprngStream.newSecretKey();
        int parts = settings.partitions() != null ? settings.partitions() : jsc.defaultParallelism();
        // The fits of a trial: one (train on the held-out split's rest) or k (fold i's on the other folds).
        List<Dataset<Row>> trainFrames = new java.util.ArrayList<>();
        List<Dataset<Row>> validationFrames = new java.util.ArrayList<>();
        if (search.crossValidated()) {
            List<Dataset<Row>> folds = ValidationSplit.folds(data.frame(), search.folds(), key);
            for (int i = 0; i < folds.size(); i++) {
                Dataset<Row> rest = null;
                for (int j = 0; j < folds.size(); j++) {
                    rest = j == i ? rest : rest == null ? folds.get(j) : rest.union(folds.get(j));
                }
                trainFrames.add(rest);
                validationFrames.add(folds.get(i));
            }
        } else {
            ValidationSplit.Parts split = ValidationSplit.split(data.frame(), search.validationFraction(), key);
            trainFrames.add(split.train());
            validationFrames.add(split.validation());
        }
        int fits = trainFrames.size();
        JobLabel.describe(jsc, "split the rows into training and validation parts");
        List<JavaRDD<DenseBlock>> trainBlocks = new java.util.ArrayList<>();
        List<JavaRDD<DenseBlock>> validationBlocks = new java.util.ArrayList<>();
        for (int i = 0; i < fits; i++) {
            trainBlocks.add(rowBlocks(trainFrames.get(i), data.encoding(), parts)
                    .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()));
            validationBlocks.add(rowBlocks(validationFrames.get(i), data.encoding(), parts)
                    .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()));
        }
        JavaRDD<DenseBlock> evalBlocks = eval == null ? null : pack(eval.frame(), eval.encoding());
        try {
            JobLabel.describe(jsc, "split the rows into training and validation parts");
            long[] trainRows = new long[fits];
            long[] validationRows = new long[fits];
            for (int i = 0; i < fits; i++) {
                trainRows[i] = trainBlocks.get(i).map(DenseBlock::rows).fold(0, Integer::sum);
                validationRows[i] = validationBlocks.get(i).map(DenseBlock::rows).fold(0, Integer::sum);
            }
            jsc.setJobDescription(null);
            double ceiling = ledger != null ? ledger.policy().epsilonCeiling() : PlanRequest.DEFAULT_EPSILON_CEILING;
            SearchPlan plan = SearchPlan.calibrate(cfg, search, trainRows, validationRows, v.rows(), ceiling);
            // Every point's configuration and every fit's plan are checked before the reservation.
            PrivacyPlan[] fitPlans = new PrivacyPlan[fits];
            TrainConfig first = plan.trialConfig(cfg, search.space().points().get(0));
            for (int i = 0; i < fits; i++) {
                fitPlans[i] = plan.fitPlan(first, trainRows[i], ceiling);
            }
            PrivacyPlan refitPlan = search.crossValidated() ? plan.fitPlan(first, v.rows(), ceiling) : null;
            for (Hyperparameters point : search.space().points()) {
                for (PrivacyPlan fp : fitPlans) {
                    Optimizers.create(plan.trialConfig(cfg, point), fp.steps());
                }
            }
            Admission admission = ledger == null ? null
                    : reserve(ledger, datasetId, v.fingerprint(), plan.events(), plan.delta());
            AtomicBoolean stepped = new AtomicBoolean();
            java.security.SecureRandom rng = new java.security.SecureRandom();
            org.dpspark.core.noise.Noise scoreNoise = cfg.insecureTestSeed().isPresent()
                    ? org.dpspark.core.noise.SecureGaussianNoise.insecureSeededForTests(
                            cfg.insecureTestSeed().getAsLong() ^ 0x73636f7265L)
                    : org.dpspark.core.noise.SecureGaussianNoise.create();
            DpModel trained = cfg.regularizer().equals("pdp") ? PdpRegularized.wrap(base, cfg.pdpStrength()) : base;
            long k;
            RandomSearch.Result result;
            TrialRun chosen = null;
            try {
                k = plan.count().sample(rng);
                result = RandomSearch.run(k, search.space(), rng, (i, point) -> {
                    TrainConfig trial = plan.trialConfig(cfg, point);
                    double score = 0;
                    TrainResult r = null;
                    for (int f = 0; f < fits; f++) {
                        r = DpTrainer.train(jsc, trainBlocks.get(f), trainRows[f], trained, trial, fitPlans[f],
                                () -> stepped.set(true));
                        // the exact count stays here: only the noised count leaves this lambda
                        double noisy = Evaluator.correctCount(jsc, validationBlocks.get(f), base, r.params())
                                + scoreNoise.sample(plan.scoreNoise());
                        score += noisy / validationRows[f] / fits;
                    }
                    if (search.crossValidated()) {
                        return new RandomSearch.Scored(null, score, null); // the chosen point is refit below
                    }
                    EvalMetrics m = evalBlocks == null ? null : Evaluator.evaluate(jsc, evalBlocks, base, r.params());
                    return new RandomSearch.Scored(r.params(), score, new TrialRun(trial, r, m));
                }, onTrial);
                if (k > 0) {
                    chosen = search.crossValidated()
                            ? refit(jsc, data, evalBlocks, base, trained, plan.trialConfig(cfg, result.chosen().point()),
                                    refitPlan, v.rows(), parts, stepped)
                            : (TrialRun) result.chosen().scored().detail();
                }
            } catch (RuntimeException | Error e) {
                if (admission != null) {
                    settleFailure(admission, stepped.get(), e);
                }
                throw e;
            }
            Publication pub = k == 0 ? null : settings.publication();
            String modelPath = pub != null ? pub.modelDir() : settings.entryPoint();
            LedgerReceipt receipt = commit(ledger, datasetId, admission, plan.events(), plan.epsilon(), plan.delta(),
                    modelPath, null);
            com.fasterxml.jackson.databind.node.ObjectNode tuning = SearchReport.json(plan, search, result);
            if (k == 0) {
                return new Searched(plan, result, null, receipt, tuning);
            }
            // The published model claims the whole search's guarantee, not one trial's.
            TrainConfig claimed = chosen.config().toBuilder().noiseMultiplier(null).targetEpsilon(plan.targetEpsilon())
                    .build();
            TrainResult r = chosen.result();
            TrainResult claimedResult = new TrainResult(r.params(), plan.claim(), r.lossPerEpoch(), r.lossStdPerEpoch(),
                    r.trainingSeconds(), r.rows(), r.stepMode(), r.loadSeconds(), r.startupSeconds(),
                    r.secondsPerEpoch(), r.storage());
            DataInfo info = new DataInfo(data.input(), data.format(), v.fingerprint(), v.rows());
            DataInfo evalInfo = ev == null ? null : new DataInfo(eval.input(), eval.format(), ev.fingerprint(), ev.rows());
            TrainedModel model = trainedModel(data, info, evalInfo, modelSpec, claimed, plan.claim(), claimedResult,
                    chosen.metrics(), receipt);
            if (pub != null) {
                publish(jsc, model, pub, tuning);
            }
            return new Searched(plan, result, model, receipt, tuning);
        } finally {
            jsc.setJobDescription(null);
            trainBlocks.forEach(b -> b.unpersist(false));
            validationBlocks.forEach(b -> b.unpersist(false));
        }
    }

    /** A cross-validated search's final fit of the chosen point on all rows (its event is in the reservation). */
    private TrialRun refit(JavaSparkContext jsc, TrainingData data, JavaRDD<DenseBlock> evalBlocks, DpModel base,
            DpModel trained, TrainConfig trial, PrivacyPlan refitPlan, long rows, int parts, AtomicBoolean stepped) {
        TrainResult r = DpTrainer.train(jsc, rowBlocks(data.frame(), data.encoding(), parts), rows, trained, trial,
                refitPlan, () -> stepped.set(true));
        EvalMetrics m = evalBlocks == null ? null : Evaluator.evaluate(jsc, evalBlocks, base, r.params());
        return new TrialRun(trial, r, m);
    }

    /** What a search keeps of one trial: its configuration, its training result, its (not DP) evaluation or null. */
    record TrialRun(TrainConfig config, TrainResult result, EvalMetrics metrics) {}

    /**
     * A search's outcome.
     *
     * @param plan the search's plan (q, T, sigma, K's distribution, S, its epsilon)
     * @param result every trial and the chosen one (none when K = 0)
     * @param chosen the published model (claiming the search's epsilon), or null when K = 0
     * @param receipt the ledger's receipt of the search's one commit
     * @param report the report's "tuning" section
     */
    public record Searched(SearchPlan plan, RandomSearch.Result result, TrainedModel chosen, LedgerReceipt receipt,
            com.fasterxml.jackson.databind.node.ObjectNode report) {
        /** K, the number of trials run. */
        public int trials() {
            return result.trials().size();
        }
    }

    /** Reserves {@code events} for this job (the one reservation of a run or a search), with its notices. */
    private Admission reserve(PrivacyLedger recordIn, String datasetId, String fingerprint, List<DpEvent> events,
            double delta) {
        Admission admission = recordIn.reserve(datasetId, settings.jobId(), fingerprint, events, delta,
                settings.config().privacyUnit());
        if (admission.earlierOpenAttempts() > 0) {
            notices.accept(String.format("ledger: job %s has %d earlier attempt(s) left open (killed, or failed after "
                    + "releasing progress lines); they stay charged, and this run is charged as attempt %d",
                    settings.jobId(), admission.earlierOpenAttempts(), admission.attempt()));
        }
        if (admission.noCap()) {
            notices.accept(String.format("ledger: dataset %s has no budget set: no cap is enforced; this job is "
                    + "recorded (entry %d)", datasetId, admission.reservation().seq()));
        }
        return admission;
    }

    /** Commits the reserved {@code events} (or says why nothing is recorded) and returns the receipt. */
    private LedgerReceipt commit(PrivacyLedger recordIn, String datasetId, Admission admission, List<DpEvent> events,
            double epsilon, double delta, String modelPath, String noRecordReason) {
        if (recordIn == null) {
            return LedgerReceipt.none(noRecordReason != null ? noRecordReason : settings.ledger().noneReason());
        }
        LedgerEntry commit = recordIn.commit(datasetId, settings.jobId(), admission.attempt(), events, epsilon, delta,
                modelPath);
        DatasetState after = recordIn.state(datasetId);
        return TrainingProvenance.receipt(recordIn, admission, commit, after);
    }

    /** The trained model with its provenance (the claim from {@code result}'s plan). */
    private TrainedModel trainedModel(TrainingData data, DataInfo info, DataInfo evalInfo, ModelSpec modelSpec,
            TrainConfig cfg, PrivacyPlan plan, TrainResult result, EvalMetrics metrics, LedgerReceipt receipt) {
        TrainingData.SpecEncoding spec = data.encoding() instanceof TrainingData.SpecEncoding s ? s : null;
        ModelProvenance provenance = TrainingProvenance.of(settings.jobId(), Instant.now(), info,
                spec == null ? null : spec.specName(), data.encoding().dimension(), cfg, result, receipt,
                Reports.codeVersion());
        return new TrainedModel(started, modelSpec, result.params(), spec == null ? null : spec.spec(), cfg, plan,
                result, evalInfo, metrics, provenance);
    }

    /** Publishes the model and its report (with {@code tuning} as the report's "tuning" section when not null). */
    private void publish(JavaSparkContext jsc, TrainedModel m, Publication pub,
            com.fasterxml.jackson.databind.JsonNode tuning) {
        byte[] model = m.saved().toBytes();
        com.fasterxml.jackson.databind.node.ObjectNode tree = Reports.report(m.provenance(), m.started(),
                jsc.sc().master(), jsc.sc().version(), m.modelSpec(), m.config(), m.result(), m.evalData(), m.metrics(),
                pub.modelDir());
        if (tuning != null) {
            tree.set("tuning", tuning);
        } else {
            // A search's guarantee is one selection event (its theorem, in "tuning"), not a per-step curve.
            try {
                Reports.putEpsilonCurve(tree, m.result().plan(), m.provenance().ledger().budgetEpsilon());
            } catch (RuntimeException e) {
                // the budget is spent: the report goes out without the curve rather than not at all
                LOG.warn("privacy.epsilon_curve could not be computed ({}); the report omits it",
                        e.getClass().getName());
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("privacy")).remove("epsilon_curve");
            }
        }
        if (!Double.isNaN(timings.toFirstStep())) {
            tree.set("timings", timings.json());
        }
        byte[] json = Reports.toBytes(tree);
        byte[] html = htmlReport(tree);
        AtomicOutput.writeDirectory(hadoop, pub.modelDir(), Map.of("model.json", model), pub.overwrite());
        java.util.Map<String, byte[]> reports = new java.util.LinkedHashMap<>();
        reports.put(pub.reportPath(), json);
        reports.put(pub.htmlPath(), html);
        AtomicOutput.writeFiles(hadoop, reports, pub.overwrite());
    }

    /**
     * report.html from the report's tree. The budget is spent by now, so the report must not be lost: a page that
     * cannot be rendered at all (a chart that fails is already a note on the page) becomes a short page pointing to
     * the JSON, with a WARN log.
     */
    static byte[] htmlReport(com.fasterxml.jackson.databind.node.ObjectNode tree) {
        try {
            return TrainingReportPage.render(tree);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("report.html could not be rendered ({}); writing a page that points to report.json",
                    e.getClass().getName());
            return TrainingReportPage.fallback(tree);
        }
    }

    /** The rows packed into blocks over {@code parts} partitions (no shuffle when the input already has them). */
    private static JavaRDD<DenseBlock> rowBlocks(Dataset<Row> frame, TrainingData.Encoding encoding, int parts) {
        // No shuffle when the input already has the partitions asked for: a shuffle's row order depends on the
        // order its blocks arrive in, so a run with a fixed test seed would not reproduce across cluster layouts.
        Dataset<Row> laidOut = frame.rdd().getNumPartitions() == parts ? frame : frame.repartition(parts);
        return pack(laidOut, encoding);
    }

    /**
     * The dataset that pays, found from the data, not from the caller's say (ARCHITECTURE.md, the ledger's trust
     * model): the input's registered locations and the fingerprint of its encoded rows (which also finds a copy of
     * a registered dataset in another format or place, once a job has recorded it). A dataset id the caller gives
     * must agree; data that matches no registered dataset runs only with an explicit opt-in (or the ledger's
     * policy), charged to an {@code unbudgeted-} dataset named after its fingerprint.
     *
     * @param fingerprint the rows' fingerprint, or null before validation
     * @param decide whether to decide now (after validation); before it, null means "not known yet"
     * @return the dataset id, or null when it cannot be decided yet
     */
    static String resolveDataset(PrivacyLedger ledger, RunSettings settings, String fingerprint, boolean decide) {
        java.util.LinkedHashMap<String, String> matches = new java.util.LinkedHashMap<>();
        for (String loc : settings.inputLocations()) {
            ledger.datasetForLocation(loc).ifPresent(d -> matches.putIfAbsent(d, "the location " + loc
                    + " is registered to it"));
        }
        if (fingerprint != null) {
            ledger.datasetForFingerprint(fingerprint).ifPresent(d -> matches.putIfAbsent(d,
                    "its rows' fingerprint " + fingerprint + " is recorded for it"));
        }
        if (matches.size() > 1) {
            StringBuilder sb = new StringBuilder();
            matches.forEach((d, why) -> sb.append(sb.length() == 0 ? "" : "; ").append("'").append(d).append("' (")
                    .append(why).append(")"));
            throw new InvalidParameterException(List.of("ledger"), "%s " + escape(ledger.location())
                    + ": the input matches several datasets: " + escape(sb.toString())
                    + "; their registrations overlap, which the data owner must settle");
        }
        String explicit = settings.ledger().datasetId();
        if (!matches.isEmpty()) {
            String found = matches.keySet().iterator().next();
            if (explicit != null && !explicit.equals(found)) {
                throw new InvalidParameterException(List.of("datasetId"), "%s '" + escape(explicit)
                        + "' contradicts the ledger: the input belongs to dataset '" + escape(found) + "' ("
                        + escape(matches.get(found)) + ")");
            }
            return found;
        }
        if (explicit != null && known(ledger, explicit)) {
            return explicit;
        }
        if (!decide) {
            return null;
        }
        if (!settings.ledger().unbudgeted() && !ledger.policy().allowUnbudgeted()) {
            String named = explicit == null ? "" : " (dataset '" + explicit + "' is neither registered nor budgeted)";
            throw new InvalidParameterException(List.of("unbudgeted"), "the input matches no registered dataset of the "
                    + "ledger " + escape(ledger.location()) + escape(named) + ": the data owner registers it with "
                    + "'dp-ledger register --dataset-id ID --location PATH' and sets its budget; to run on it without "
                    + "a budget anyway (recorded as unbudgeted), pass %s");
        }
        // Unregistered data has one ledger dataset per unit: a dataset's loss is held in one unit (the ledger refuses
        // a job in another), and a user-level job on these rows must not lock row-level jobs out of them, or back.
        String unit = Budget.USER.equals(settings.config().privacyUnit()) ? "-per-user" : "";
        return explicit != null ? explicit : "unbudgeted-" + JobLedger.datasetIdFromFingerprint(fingerprint) + unit;
    }

    /** Whether the owner has declared the dataset: registered, or given a budget. */
    private static boolean known(PrivacyLedger ledger, String datasetId) {
        return ledger.registrations().containsKey(datasetId) || ledger.state(datasetId).budget().isPresent();
    }

    private static String escape(String s) {
        return s.replace("%", "%%");
    }

    /** The validated input: N (public) and the order-independent fingerprint of its encoded rows. */
    private record Validated(long rows, String fingerprint) {}

    /** {@link #validate(TrainingData, ModelSpec)}, its Spark jobs described as {@code what}. */
    private Validated validate(JavaSparkContext jsc, TrainingData data, ModelSpec modelSpec, String what) {
        JobLabel.describe(jsc, what);
        try {
            return validate(data, modelSpec);
        } finally {
            jsc.setJobDescription(null);
        }
    }

    private static Validated validate(TrainingData data, ModelSpec modelSpec) {
        try {
            if (data.encoding() instanceof TrainingData.SpecEncoding s) {
                DatasetValidator.Validated v = DatasetValidator.check(data.frame(), s.spec());
                return new Validated(v.rows(), v.fingerprint());
            }
            TrainingData.VectorEncoding ve = (TrainingData.VectorEncoding) data.encoding();
            VectorInput.Checked c = VectorInput.validate(vectorFrame(data.frame(), ve), ve.featuresCol(),
                    ve.labelCol(), ve.dimension(), modelSpec.labelRule());
            return new Validated(c.rows(), c.fingerprint());
        } catch (DatasetValidationException e) {
            throw e.about(data.what());
        }
    }

    private static Dataset<Row> vectorFrame(Dataset<Row> frame, TrainingData.VectorEncoding ve) {
        return frame.select(functions.col(quote(ve.featuresCol())), functions.col(quote(ve.labelCol())).cast("double"));
    }

    private static JavaRDD<DenseBlock> pack(Dataset<Row> frame, TrainingData.Encoding encoding) {
        if (encoding instanceof TrainingData.SpecEncoding s) {
            return BlockPacker.pack(frame, s.spec());
        }
        TrainingData.VectorEncoding ve = (TrainingData.VectorEncoding) encoding;
        return VectorInput.pack(vectorFrame(frame, ve), ve.dimension());
    }

    /**
     * An insecure (seeded) run has no privacy, so charging it to a dataset's budget would record a release that
     * never had the guarantee: refused where the dataset has a budget.
     */
    private static void refuseInsecureOnBudget(TrainConfig cfg, PrivacyLedger ledger, String datasetId) {
        if (cfg.insecureTestSeed().isEmpty() || datasetId == null) {
            return;
        }
        Optional<Budget> budget = ledger.state(datasetId).budget();
        if (budget.isPresent()) {
            throw new InvalidParameterException(List.of("insecureTestSeed"), "an insecure test run (%s) cannot be "
                    + "charged to the budget of dataset '" + datasetId + "': it has no privacy; use a dataset without "
                    + "a budget, or no ledger");
        }
    }

    /** A non-private run cannot be committed against a budget: refused (exit 3) where the dataset has one. */
    private static void refuseNonPrivateOnBudget(PrivacyLedger ledger, String datasetId) {
        if (ledger.state(datasetId).budget().isPresent()) {
            throw new NonPrivateRefusedException(datasetId, ledger.location());
        }
    }

    /**
     * User-level DP: at most k rows per user, chosen by a secret random key (never by input order), each user's rows
     * co-located in one partition by a keyed hash of its id. The number of users is public, like N.
     */
    private static UserBlocks.Bounded boundUsers(TrainingData data, TrainConfig cfg, int parts) {
        byte[] key = cfg.insecureTestSeed().isPresent()
                ? InsecureTestRandomness.seededSecretKey(cfg.insecureTestSeed().getAsLong() ^ 0x75736572L)
                : CsprngStream.newSecretKey();
        String user = cfg.userColumn().get();
        UserBlocks.NullUsers policy = cfg.dropNullUsers() ? UserBlocks.NullUsers.DROP : UserBlocks.NullUsers.REFUSE;
        if (data.encoding() instanceof TrainingData.SpecEncoding s) {
            return UserBlocks.bound(data.frame(), s.spec(), user, cfg.maxRowsPerUser(), policy, key, parts);
        }
        // MLlib: the features vector and the label (as double, as the row-level path packs them), bounded and
        // co-located exactly as the spec path's rows are (the same keys: the same kept rows, partitions and order).
        TrainingData.VectorEncoding ve = (TrainingData.VectorEncoding) data.encoding();
        Dataset<Row> frame = data.frame().select(functions.col(quote(ve.featuresCol())),
                functions.col(quote(ve.labelCol())).cast("double").as(ve.labelCol()), functions.col(quote(user)));
        return UserBlocks.bound(frame, List.of(ve.featuresCol(), ve.labelCol()), user, cfg.maxRowsPerUser(), policy,
                key, parts);
    }

    /** Quotes a column name for {@link functions#col} so dots and backticks are taken literally. */
    private static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    /** The feature spec of {@code data}; DP data normalization needs one (dp-train's inputs have it). */
    private static FeatureSpec specOf(TrainingData data) {
        if (data.encoding() instanceof TrainingData.SpecEncoding s) {
            return s.spec();
        }
        throw InvalidParameterException.of(DataNormalization.PARAM, "dp standardizes the channels of a feature spec's "
                + "scattering transform: " + data.what() + " has a features vector instead");
    }

    /** {@code data} encoded with its spec followed by the channel map {@code st} fitted from released statistics. */
    private static TrainingData normalized(TrainingData data, ChannelNormalization.ChannelMap st) {
        TrainingData.SpecEncoding s = (TrainingData.SpecEncoding) data.encoding();
        return new TrainingData(data.frame(), new TrainingData.SpecEncoding(s.spec().withNormalization(st),
                s.specName()), data.input(), data.format(), data.what());
    }

    /** The normalization's noise: secure, or seeded on the insecure test path (as the training's). */
    private static Noise noise(TrainConfig cfg) {
        return cfg.insecureTestSeed().isPresent()
                ? SecureGaussianNoise.insecureSeededForTests(cfg.insecureTestSeed().getAsLong() ^ 0x6E6F726DL)
                : SecureGaussianNoise.create();
    }

    /** v to 4 significant digits, without trailing zeros (9, 15.59, 0.05). */
    private static String num(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private void settleFailure(Admission admission, boolean stepped, Throwable cause) {
        String jobId = settings.jobId();
        if (!stepped) {
            try {
                // Only this attempt, which released nothing; an earlier attempt's reservation stays charged.
                ledger.abort(admission.datasetId(), jobId, admission.attempt(),
                        "failed before the first step: " + cause.getClass().getName());
                return;
            } catch (RuntimeException abortFailed) {
                cause.addSuppressed(abortFailed);
            }
        }
        notices.accept("the reservation of job '" + jobId + "' on dataset '" + admission.datasetId()
                + "' stays charged (the run may have released DP estimates); settle it with: dp-ledger resolve "
                + "--dataset-id " + admission.datasetId() + " --job-id " + jobId);
    }
}
