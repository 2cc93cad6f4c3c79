package org.dpspark.jobs.train;

import java.io.Serializable;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.core.params.Checks;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.user.LocalTraining;

/**
 * The parameters of one DP-SGD training run. Build with {@link #builder()}; {@link Builder#build()} checks every
 * field (NaN and infinity fail) and the cross-field rule that exactly one of a target epsilon and a noise
 * multiplier is given.
 *
 * <p>The privacy plan's rules (q = B / N, T = floor(epochs * N / B), delta &lt; 1/N, calibration) live in the
 * accountant's {@link PlanRequest} and {@link PrivacyPlan}, once for every entry point: {@link #plan(long)}.
 */
public final class TrainConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The optimizers {@link Optimizers#create} knows. */
    public static final String[] OPTIMIZERS = {"sgd", "momentum", "adam"};
    /** The learning-rate schedules: constant, or cosine decay to 0 over the run (Loshchilov &amp; Hutter 2017). */
    public static final String[] SCHEDULES = {"constant", "cosine"};

    private final Double epochs;
    private final Long steps;
    private final int batchSize;
    private final double clipNorm;
    private final double learningRate;
    private final String optimizer;
    private final double momentum;
    private final double emaDecay;
    private final String schedule;
    private final double delta;
    private final Double targetEpsilon;
    private final Double noiseMultiplier;
    private final Long insecureTestSeed;
    private final boolean dpLossTracking;
    private final StepMode stepMode;
    private final boolean allowWeakPrivacy;
    private final String userColumn;
    private final Integer maxRowsPerUser;
    private final boolean dropNullUsers;
    private final String algorithm;
    private final LocalTraining local;
    private final SecureAggregation secureAggregation;
    private final int secaggBits;
    private final int secaggColluding;
    private final String secaggPartySecretFile;
    private final String regularizer;
    private final double pdpStrength;
    private final boolean nonPrivate;
    private final DataNormalization normalization;
    private final org.dpspark.datasets.Precision precision;
    private final BlockStorage blockStorage;

    private TrainConfig(Builder b) {
        this.precision = b.precision;
        this.blockStorage = b.blockStorage;
        this.normalization = b.normalization;
        this.regularizer = b.regularizer;
        this.pdpStrength = b.pdpStrength == null ? 0.0 : b.pdpStrength;
        this.nonPrivate = b.nonPrivate;
        this.epochs = b.epochs;
        this.steps = b.steps;
        this.batchSize = b.batchSize;
        this.clipNorm = b.clipNorm;
        this.learningRate = b.learningRate;
        this.optimizer = b.optimizer;
        this.momentum = b.momentum;
        this.emaDecay = b.emaDecay;
        this.schedule = b.schedule;
        this.delta = b.delta;
        this.targetEpsilon = b.targetEpsilon;
        this.noiseMultiplier = b.noiseMultiplier;
        this.insecureTestSeed = b.insecureTestSeed;
        this.dpLossTracking = b.dpLossTracking;
        this.stepMode = b.stepMode;
        this.allowWeakPrivacy = b.allowWeakPrivacy;
        this.userColumn = b.userColumn;
        this.maxRowsPerUser = b.maxRowsPerUser;
        this.dropNullUsers = b.dropNullUsers;
        this.algorithm = b.algorithm;
        this.local = b.local;
        this.secureAggregation = b.secureAggregation;
        this.secaggBits = b.secaggBits;
        this.secaggColluding = b.secaggColluding;
        this.secaggPartySecretFile = b.secaggPartySecretFile;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding every setting of this configuration, for a variant (a hyperparameter search's trial: its
     * learning rate, clip norm or momentum, and the search's noise multiplier); {@code build()} checks it again.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs;
        b.steps = steps;
        b.batchSize = batchSize;
        b.clipNorm = clipNorm;
        b.learningRate = learningRate;
        b.optimizer = optimizer;
        b.momentum = momentum;
        b.emaDecay = emaDecay;
        b.schedule = schedule;
        b.delta = delta;
        b.targetEpsilon = targetEpsilon;
        b.noiseMultiplier = noiseMultiplier;
        b.insecureTestSeed = insecureTestSeed;
        b.dpLossTracking = dpLossTracking;
        b.stepMode = stepMode;
        b.allowWeakPrivacy = allowWeakPrivacy;
        b.userColumn = userColumn;
        b.maxRowsPerUser = maxRowsPerUser;
        b.dropNullUsers = dropNullUsers;
        b.algorithm = algorithm;
        b.local = local;
        b.secureAggregation = secureAggregation;
        b.secaggBits = secaggBits;
        b.secaggColluding = secaggColluding;
        b.secaggPartySecretFile = secaggPartySecretFile;
        b.precision = precision;
        b.blockStorage = blockStorage;
        b.regularizer = regularizer;
        b.pdpStrength = pdpStrength == 0.0 && !"pdp".equals(regularizer) ? null : pdpStrength;
        b.nonPrivate = nonPrivate;
        b.normalization = normalization;
        return b;
    }

    /**
     * DP data normalization of the scattering channels before training ({@link DataNormalization}), when asked for:
     * its two Gaussian releases are part of this run's plan ({@link PlanRequest.Builder#normalizationNoise}).
     */
    public java.util.Optional<DataNormalization> normalization() {
        return java.util.Optional.ofNullable(normalization);
    }

    /** The epochs asked for, when the run is sized in epochs (else the steps are given: {@link #givenSteps()}). */
    public OptionalDouble givenEpochs() {
        return epochs == null ? OptionalDouble.empty() : OptionalDouble.of(epochs);
    }

    /** The steps asked for, when the run is sized in steps rather than epochs. */
    public OptionalLong givenSteps() {
        return steps == null ? OptionalLong.empty() : OptionalLong.of(steps);
    }

    /** Epochs over N rows: as given, or T * B / N when the steps are given. */
    public double epochs(long rows) {
        return epochs != null ? epochs : steps * (double) batchSize / (double) rows;
    }

    public int batchSize() {
        return batchSize;
    }

    public double clipNorm() {
        return clipNorm;
    }

    public double learningRate() {
        return learningRate;
    }

    public double delta() {
        return delta;
    }

    /** The optimizer's name, one of {@link #OPTIMIZERS}. */
    public String optimizer() {
        return optimizer;
    }

    /**
     * The decay of the exponential moving average of the iterates that is released as the model (De et al. 2022's
     * parameter averaging; post-processing, no privacy cost), or 0: the last iterate is released.
     */
    public double emaDecay() {
        return emaDecay;
    }

    /** The momentum coefficient of the "momentum" optimizer (beta1 of "adam" is 0.9). */
    public double momentum() {
        return momentum;
    }

    /** The learning-rate schedule, one of {@link #SCHEDULES}. */
    public String schedule() {
        return schedule;
    }

    public OptionalDouble targetEpsilon() {
        return targetEpsilon == null ? OptionalDouble.empty() : OptionalDouble.of(targetEpsilon);
    }

    public OptionalDouble noiseMultiplier() {
        return noiseMultiplier == null ? OptionalDouble.empty() : OptionalDouble.of(noiseMultiplier);
    }

    /** Present only on the explicitly insecure test path: noise and sampling then become reproducible. */
    public OptionalLong insecureTestSeed() {
        return insecureTestSeed == null ? OptionalLong.empty() : OptionalLong.of(insecureTestSeed);
    }

    /** Whether the per-epoch training loss is released through the step's Gaussian mechanism. */
    public boolean dpLossTracking() {
        return dpLossTracking;
    }

    /**
     * dp-train's {@code --loss-estimate} value, {@code on} or {@code off} (case and surrounding blanks ignored), as
     * {@link #dpLossTracking()}.
     *
     * @throws IllegalArgumentException for any other value, with a one-line message
     */
    public static boolean parseLossEstimate(String mode) {
        String m = mode == null ? "" : mode.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (m) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("must be on or off, got '" + mode + "'");
        };
    }

    /**
     * How the training blocks store their features (default float64): float32 halves their memory and bandwidth,
     * and the MLP's first-layer forward product runs in float32; norms, clipping factors, noise and the sum stay in
     * double. Part of the plan's fingerprint (the model differs by the rounding).
     */
    public org.dpspark.datasets.Precision precision() {
        return precision;
    }

    /** Where the training blocks' features live during the steps (default memory); no effect on the result. */
    public BlockStorage blockStorage() {
        return blockStorage;
    }

    /** How each step's executor work is scheduled (default {@link StepMode#AUTO}); no effect on the result. */
    public StepMode stepMode() {
        return stepMode;
    }

    /**
     * The privacy plan's request for a dataset of {@code rows} rows: q = B / N, T from the epochs or the steps,
     * delta, and the target epsilon or the noise multiplier. Every rule of the plan is checked there, once, for
     * every entry point ({@link PlanRequest}).
     */
    public PlanRequest planRequest(long rows) {
        return planRequest(rows, PlanRequest.DEFAULT_EPSILON_CEILING);
    }

    /** As {@link #planRequest(long)}, with the ledger's ceiling on epsilon (its policy; default 10). */
    public PlanRequest planRequest(long rows, double epsilonCeiling) {
        if (secureAggregation.distributed()) {
            throw new IllegalStateException("a " + secureAggregation.jsonName()
                    + " plan needs the vector length and the parties: planRequest(rows, ceiling, dim, parties)");
        }
        return builder(rows, epsilonCeiling).build();
    }

    /**
     * As {@link #planRequest(long, double)} for any aggregation mode: under masking or paillier the plan is the
     * distributed discrete Gaussian's, over {@code parties} partitions and vectors of {@code dim} = numParams + 1.
     */
    public PlanRequest planRequest(long rows, double epsilonCeiling, int dim, int parties) {
        PlanRequest.Builder b = builder(rows, epsilonCeiling);
        if (secureAggregation.distributed()) {
            b.secureAggregation(new PlanRequest.SecureAggregation(secureAggregation.jsonName(), secaggBits, parties,
                    secaggColluding, dim, clipNorm));
        }
        return b.build();
    }

    private PlanRequest.Builder builder(long rows, double epsilonCeiling) {
        return PlanRequest.builder().rows(rows).batchSize((long) batchSize).epochs(epochs).steps(steps).delta(delta)
                .targetEpsilon(targetEpsilon).noiseMultiplier(noiseMultiplier).epsilonCeiling(epsilonCeiling)
                .allowWeakPrivacy(allowWeakPrivacy).nonPrivate(nonPrivate)
                .normalizationNoise(normalization == null ? null : normalization.noiseMultiplier());
    }

    /** Who sees each step's sum (default {@link SecureAggregation#CENTRAL}). */
    public SecureAggregation secureAggregation() {
        return secureAggregation;
    }

    /** b: masked sums are taken modulo 2^b (masking and paillier). */
    public int secaggBits() {
        return secaggBits;
    }

    /** t: the parties (partitions) that may collude with the driver; the other n - t parties' noise meets the target. */
    public int secaggColluding() {
        return secaggColluding;
    }

    /**
     * A file on the executors holding the parties' secret (e.g. a Kubernetes secret mounted on executors only), from
     * which each party's randomness derives so that a retried task sends the same vector; empty: fresh per attempt.
     */
    public java.util.Optional<String> secaggPartySecretFile() {
        return java.util.Optional.ofNullable(secaggPartySecretFile);
    }

    /** The privacy plan of this configuration over {@code rows} rows ({@link PrivacyPlan#of}). */
    public PrivacyPlan plan(long rows) {
        return PrivacyPlan.of(planRequest(rows));
    }

    /** As {@link #plan(long)} for any aggregation mode, over vectors of {@code dim} and {@code parties} partitions. */
    public PrivacyPlan plan(long rows, int dim, int parties) {
        return PrivacyPlan.of(planRequest(rows, PlanRequest.DEFAULT_EPSILON_CEILING, dim, parties));
    }

    /** The loss regularizers: none, or the DP-regularization term of Aguilera-Martinez and Berzal 2024 ("pdp"). */
    public static final String[] REGULARIZERS = {"none", "pdp"};

    /** "none" (default) or "pdp": the PDP loss term, part of each example's loss before clipping. */
    public String regularizer() {
        return regularizer;
    }

    /** lambda of the PDP term (0 without it): see {@code org.dpspark.core.model.PdpRegularized}. */
    public double pdpStrength() {
        return pdpStrength;
    }

    /**
     * Whether this is the explicitly non-private mode ({@code --no-dp}): no noise, no differential-privacy
     * guarantee, no epsilon; never recorded against a ledger budget.
     */
    public boolean nonPrivate() {
        return nonPrivate;
    }

    /** The training algorithms: DP-SGD (Abadi et al. 2016), or DP-FedAvg (McMahan et al. 2018) at the user level. */
    public static final String[] ALGORITHMS = {"dp-sgd", "fedavg"};

    /** The privacy unit: "user" when a user column is given (user-level DP), else "row". */
    public String privacyUnit() {
        return userColumn != null ? "user" : "row";
    }

    /** The user column of user-level DP, when the unit is the user. */
    public java.util.Optional<String> userColumn() {
        return java.util.Optional.ofNullable(userColumn);
    }

    /** k, the most rows one user contributes (user level). */
    public int maxRowsPerUser() {
        return maxRowsPerUser == null ? 0 : maxRowsPerUser;
    }

    /** Whether rows with a null user id are dropped (counted) rather than refused. */
    public boolean dropNullUsers() {
        return dropNullUsers;
    }

    /** "dp-sgd" or "fedavg". */
    public String algorithm() {
        return algorithm;
    }

    /** DP-FedAvg's local training on each sampled user (null for DP-SGD). */
    public LocalTraining localTraining() {
        return algorithm.equals("fedavg") ? local : null;
    }

    /** Whether a plan above the epsilon ceiling or below the smallest noise multiplier may run anyway. */
    public boolean allowWeakPrivacy() {
        return allowWeakPrivacy;
    }

    /** The builder; every setter's value is checked in {@link #build()}. */
    public static final class Builder {
        private Double epochs;
        private Long steps;
        private int batchSize = 256;
        private double clipNorm = 1.0;
        private double learningRate = 1.0;
        private String optimizer = "sgd";
        private double momentum = 0.9;
        private double emaDecay = 0.0;
        private String schedule = "constant";
        private double delta = 1e-5;
        private Double targetEpsilon;
        private Double noiseMultiplier;
        private Long insecureTestSeed;
        private boolean dpLossTracking = true;
        private StepMode stepMode = StepMode.AUTO;
        private org.dpspark.datasets.Precision precision = org.dpspark.datasets.Precision.FLOAT64;
        private BlockStorage blockStorage = BlockStorage.MEMORY;
        private boolean allowWeakPrivacy;
        private String userColumn;
        private Integer maxRowsPerUser;
        private boolean dropNullUsers;
        private String algorithm = "dp-sgd";
        private LocalTraining local = new LocalTraining(1, 0.1, 10);
        private SecureAggregation secureAggregation = SecureAggregation.CENTRAL;
        private int secaggBits = org.dpspark.core.secagg.DdgParams.DEFAULT_BITS;
        private int secaggColluding;
        private String secaggPartySecretFile;
        private String regularizer = "none";
        private Double pdpStrength;
        private boolean nonPrivate;
        private DataNormalization normalization;

        private Builder() {}

        /** DP data normalization before training (null: none, the default). */
        public Builder normalization(DataNormalization v) {
            normalization = v;
            return this;
        }

        /** "none" (default) or "pdp" (with {@link #pdpStrength}). */
        public Builder regularizer(String v) {
            this.regularizer = v;
            return this;
        }

        /** lambda of the PDP term, finite and >= 0; only with regularizer "pdp". */
        public Builder pdpStrength(Double v) {
            this.pdpStrength = v;
            return this;
        }

        /** The explicitly non-private mode (no noise, no guarantee): refuses a target epsilon or a nonzero sigma. */
        public Builder nonPrivate(boolean v) {
            this.nonPrivate = v;
            return this;
        }

        /** Who sees each step's sum: central (default), masking or paillier. */
        public Builder secureAggregation(SecureAggregation v) {
            this.secureAggregation = v;
            return this;
        }

        /** b of masking and paillier (default 40). */
        public Builder secaggBits(int v) {
            this.secaggBits = v;
            return this;
        }

        /** t, the parties that may collude with the driver (default 0). */
        public Builder secaggColluding(int v) {
            this.secaggColluding = v;
            return this;
        }

        /** A secret file on the executors for the parties' randomness (null: fresh per attempt). */
        public Builder secaggPartySecretFile(String v) {
            this.secaggPartySecretFile = v;
            return this;
        }

        /** Epochs (default 10 when neither epochs nor steps are given); {@code null}: not given. */
        public Builder epochs(Double v) {
            this.epochs = v;
            return this;
        }

        /** Epochs (default 10). */
        public Builder epochs(double v) {
            return epochs(Double.valueOf(v));
        }

        /** Steps T instead of epochs (giving both is refused). */
        public Builder steps(Long v) {
            this.steps = v;
            return this;
        }

        public Builder batchSize(int v) {
            this.batchSize = v;
            return this;
        }

        public Builder clipNorm(double v) {
            this.clipNorm = v;
            return this;
        }

        public Builder learningRate(double v) {
            this.learningRate = v;
            return this;
        }

        public Builder optimizer(String v) {
            this.optimizer = v;
            return this;
        }

        public Builder momentum(double v) {
            this.momentum = v;
            return this;
        }

        /** The released model is the EMA of the iterates with this decay, in [0, 1); 0 (the default): the last. */
        public Builder emaDecay(double v) {
            this.emaDecay = v;
            return this;
        }

        public Builder schedule(String v) {
            this.schedule = v;
            return this;
        }

        public Builder delta(double v) {
            this.delta = v;
            return this;
        }

        public Builder targetEpsilon(Double v) {
            this.targetEpsilon = v;
            return this;
        }

        public Builder noiseMultiplier(Double v) {
            this.noiseMultiplier = v;
            return this;
        }

        /** Explicitly insecure: makes noise and sampling reproducible. For tests only. */
        public Builder insecureTestSeed(Long v) {
            this.insecureTestSeed = v;
            return this;
        }

        public Builder dpLossTracking(boolean v) {
            this.dpLossTracking = v;
            return this;
        }

        /** User-level DP over the users of this column (null: row level). */
        public Builder userColumn(String v) {
            this.userColumn = v;
            return this;
        }

        /** k: at most this many rows per user, chosen at random (user level only). */
        public Builder maxRowsPerUser(Integer v) {
            this.maxRowsPerUser = v;
            return this;
        }

        /** Drop (and count) rows with a null user id instead of refusing the input. */
        public Builder dropNullUsers(boolean v) {
            this.dropNullUsers = v;
            return this;
        }

        /** "dp-sgd" (default) or "fedavg" (user level). */
        public Builder algorithm(String v) {
            this.algorithm = v;
            return this;
        }

        /** DP-FedAvg's local training (epochs, learning rate, batch size). */
        public Builder localTraining(LocalTraining v) {
            this.local = v;
            return this;
        }

        /** Runs a plan whose epsilon is above the ceiling, or whose noise is below the minimum, anyway. */
        public Builder allowWeakPrivacy(boolean v) {
            this.allowWeakPrivacy = v;
            return this;
        }

        public Builder stepMode(StepMode v) {
            this.stepMode = v;
            return this;
        }

        /** float64 (default) or float32 storage of the training blocks' features. */
        public Builder precision(org.dpspark.datasets.Precision v) {
            this.precision = v;
            return this;
        }

        /** memory (default) or disk storage of the training blocks' features. */
        public Builder blockStorage(BlockStorage v) {
            this.blockStorage = v;
            return this;
        }

        public TrainConfig build() {
            // Canonical parameter names (the MLlib Params'); each entry point renders them in its own vocabulary.
            if (stepMode == null) {
                throw InvalidParameterException.of("stepMode", "must be auto, barrier or job, got null");
            }
            Checks.oneOf("algorithm", algorithm, java.util.Arrays.asList(ALGORITHMS));
            if (precision == null) {
                throw InvalidParameterException.of("precision", "must be float64 or float32, got null");
            }
            if (blockStorage == null) {
                throw InvalidParameterException.of("blockStorage", "must be memory or disk, got null");
            }
            if (userColumn != null && precision != org.dpspark.datasets.Precision.FLOAT64) {
                throw new InvalidParameterException(java.util.List.of("precision", "privacyUnit"),
                        "%s float32 is for row-level blocks: with %s user, a user's rows are read as one block of "
                        + "doubles; use float64");
            }
            if (userColumn != null && blockStorage != BlockStorage.MEMORY) {
                throw new InvalidParameterException(java.util.List.of("blockStorage", "privacyUnit"),
                        "%s disk is for row-level blocks: with %s user, a user's rows are read as one block of "
                        + "doubles; use memory");
            }
            if (maxRowsPerUser != null && userColumn == null) {
                throw new InvalidParameterException(java.util.List.of("maxRowsPerUser", "userCol"),
                        "%s bounds each user's rows: it needs %s (the privacy unit is then the user)");
            }
            if (userColumn != null) {
                if (userColumn.isBlank()) {
                    throw InvalidParameterException.of("userCol", "must name a column, got an empty name");
                }
                if (maxRowsPerUser == null) {
                    throw new InvalidParameterException(java.util.List.of("userCol", "maxRowsPerUser"),
                            "%s makes the user the privacy unit: give %s, the public bound k on each user's rows");
                }
                Checks.atLeast("maxRowsPerUser", maxRowsPerUser, 1);
            }
            if (algorithm.equals("fedavg") && userColumn == null) {
                throw new InvalidParameterException(java.util.List.of("algorithm", "userCol"),
                        "%s fedavg trains each user's rows locally: it needs %s");
            }
            if (local == null) {
                throw InvalidParameterException.of("localEpochs", "must be given for fedavg");
            }
            if (secureAggregation == null) {
                throw InvalidParameterException.of("secureAggregation", "must be central, masking or paillier, got null");
            }
            if (secureAggregation.distributed()) {
                if (stepMode == StepMode.JOB) {
                    throw new InvalidParameterException(java.util.List.of("secureAggregation", "stepMode"),
                            "%s " + secureAggregation.jsonName() + " needs %s barrier (or auto): the parties' keys "
                            + "live in long-lived barrier tasks, which one Spark job per step does not have");
                }
                Checks.atLeast("secaggBits", secaggBits, org.dpspark.core.secagg.DdgParams.MIN_BITS);
                if (secaggBits > org.dpspark.core.secagg.DdgParams.MAX_BITS) {
                    throw InvalidParameterException.of("secaggBits", "must be at most "
                            + org.dpspark.core.secagg.DdgParams.MAX_BITS + ", got " + secaggBits);
                }
                Checks.atLeast("secaggColluding", secaggColluding, 0);
                if (secaggPartySecretFile != null && secaggPartySecretFile.isBlank()) {
                    throw InvalidParameterException.of("secaggPartySecretFile", "must name a file, got an empty name");
                }
            } else if (secaggColluding != 0 || secaggPartySecretFile != null
                    || secaggBits != org.dpspark.core.secagg.DdgParams.DEFAULT_BITS) {
                throw new InvalidParameterException(java.util.List.of("secureAggregation"),
                        "%s masking or paillier is needed by --secagg-bits, --secagg-colluding and "
                        + "--secagg-party-secret-file (the central mode has no parties' shares)");
            }
            if (normalization != null) {
                // Row-level central DP-SGD only: a user's rows would each contribute to the statistics, and the
                // parties of secure aggregation would see them in the clear.
                if (userColumn != null) {
                    throw new InvalidParameterException(java.util.List.of(DataNormalization.PARAM, "userCol"),
                            "%s dp is at row level: a user's rows would each move the statistics; drop it or %s");
                }
                if (secureAggregation.distributed()) {
                    throw new InvalidParameterException(java.util.List.of(DataNormalization.PARAM,
                            "secureAggregation"), "%s dp releases its statistics through the driver's noise: it "
                            + "needs %s central");
                }
                if (nonPrivate) {
                    throw new InvalidParameterException(java.util.List.of(DataNormalization.PARAM, "noDp"),
                            "%s dp releases noisy statistics, which the non-private mode %s does not have");
                }
            }
            if (epochs == null && steps == null) {
                epochs = 10.0;
            }
            Checks.exactlyOne("epochs", epochs != null, "steps", steps != null);
            if (epochs != null) {
                Checks.positive("epochs", epochs);
            }
            if (steps != null) {
                Checks.atLeast("steps", steps, 1);
            }
            Checks.atLeast("batchSize", batchSize, 1);
            Checks.positive("clipNorm", clipNorm);
            Checks.positive("learningRate", learningRate);
            Checks.oneOf("optimizer", optimizer, java.util.Arrays.asList(OPTIMIZERS));
            Checks.halfOpen("momentum", momentum, 0, 1);
            Checks.halfOpen("emaDecay", emaDecay, 0, 1);
            Checks.oneOf("lrSchedule", schedule, java.util.Arrays.asList(SCHEDULES));
            Checks.openInterval("delta", delta, 0, 1);
            Checks.oneOf("regularizer", regularizer, java.util.Arrays.asList(REGULARIZERS));
            if (regularizer.equals("pdp")) {
                if (pdpStrength == null) {
                    throw new InvalidParameterException(java.util.List.of("regularizer", "pdpStrength"),
                            "%s pdp needs %s, the strength lambda of its loss term (>= 0)");
                }
                Checks.nonNegative("pdpStrength", pdpStrength);
            } else if (pdpStrength != null) {
                throw new InvalidParameterException(java.util.List.of("pdpStrength", "regularizer"),
                        "%s goes with %s pdp");
            }
            if (nonPrivate) {
                if (targetEpsilon != null) {
                    throw new InvalidParameterException(java.util.List.of("noDp", "epsilon"), "%s trains without "
                            + "noise and claims no epsilon: do not pass %s with it");
                }
                if (noiseMultiplier != null && noiseMultiplier != 0.0) {
                    throw new InvalidParameterException(java.util.List.of("noDp", "noiseMultiplier"), "%s trains "
                            + "without noise: %s must be 0 or absent, got " + noiseMultiplier);
                }
                if (secureAggregation.distributed()) {
                    throw new InvalidParameterException(java.util.List.of("noDp", "secureAggregation"), "%s adds no "
                            + "noise, so there is no noise to distribute: %s must be central");
                }
                noiseMultiplier = 0.0;
                return new TrainConfig(this);
            }
            Checks.exactlyOne("epsilon", targetEpsilon != null, "noiseMultiplier", noiseMultiplier != null);
            if (targetEpsilon != null) {
                Checks.positive("epsilon", targetEpsilon);
            }
            if (noiseMultiplier != null) {
                if (noiseMultiplier == 0.0) {
                    throw new InvalidParameterException(java.util.List.of("noiseMultiplier", "noDp"), "%s 0 adds no "
                            + "noise and gives no privacy at all: it is allowed only in the explicitly non-private "
                            + "mode, %s");
                }
                Checks.positive("noiseMultiplier", noiseMultiplier);
            }
            return new TrainConfig(this);
        }
    }
}
