package org.dpspark.accountant.plan;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.core.params.Checks;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.secagg.DdgParams;

/**
 * What a training run asks of its privacy plan, validated: the Poisson sampling rate q (from the expected batch size
 * B and the dataset size N, or given directly), the number of steps T (from epochs, or given directly), delta, and
 * either a target epsilon (sigma is then calibrated) or the noise multiplier sigma. Built with {@link #builder()};
 * {@link Builder#build()} applies every rule below, once, for every entry point ({@code dp-train},
 * {@code dp-privacy}, {@code dp-ledger check}, the MLlib estimators).
 *
 * <p>The rules (each failure is an {@link InvalidParameterException} naming the parameter canonically: {@code rows},
 * {@code batchSize}, {@code samplingRate}, {@code epochs}, {@code steps}, {@code delta}, {@code epsilon},
 * {@code noiseMultiplier}, {@code normalizationNoise}; callers render the names in their own vocabulary):
 * <ul>
 *   <li>N &gt;= 1 when given (it is public: the ledger and the report hold it).</li>
 *   <li>Exactly one of {@code batchSize} and {@code samplingRate}. B is an integer in [1, N] and needs N; then
 *       q = B / N (Abadi et al. 2016: the lot size L = qN is the expected batch). A q given directly is in (0, 1].</li>
 *   <li>Exactly one of {@code epochs} and {@code steps}. Epochs E are finite and &gt; 0; then
 *       T = max(1, floor(E * N / B)), or floor(E / q) when q is given directly. Steps T are &gt;= 1.</li>
 *   <li>T &lt;= {@value #MAX_STEPS} (10^8), for every caller. At the 25 ms a Spark step costs at the least
 *       (ARCHITECTURE.md), 10^8 steps is a month of one job's steps; published DP-SGD runs take 10^3 to 10^6 steps.
 *       The bound also keeps both accountants in the range they are tested in (PLD composes T steps by repeated
 *       squaring, its window growing like sqrt(T)) and makes a typo such as 1e12 epochs fail at once instead of
 *       after hours of accounting.</li>
 *   <li>delta in (0, 1), and delta &lt; 1/N when N is known: a mechanism that publishes one uniformly chosen row
 *       whole is (0, 1/N)-DP, so a delta near 1/N allows exactly that (Dwork and Roth 2014, section 2.3).</li>
 *   <li>Exactly one of {@code noiseMultiplier} and {@code epsilon} (a target: sigma is calibrated); each is finite
 *       and &gt; 0.</li>
 *   <li>Sanity limits, lifted only by {@code allowWeakPrivacy}: a target epsilon at most the ceiling
 *       ({@code epsilonCeiling}, default {@value #DEFAULT_EPSILON_CEILING}; a data owner's ledger may set another),
 *       and a given noise multiplier at least {@value #MIN_NOISE_MULTIPLIER}. {@link PrivacyPlan} applies the same
 *       limits to what only the plan knows: a calibrated sigma below the minimum, and a claimed epsilon above the
 *       ceiling (a small given sigma over many steps). An epsilon of 10 already lets an attacker's confidence about
 *       any one person's presence grow by a factor of up to e^10 (about 22,000); published DP-SGD models claim
 *       epsilon 1 to 8. Refusals name {@code epsilon} or {@code noiseMultiplier}, and {@code allowWeakPrivacy}.</li>
 *   <li>Optionally, secure aggregation ({@link SecureAggregation}: the parties' noised, masked sums, with the
 *       distributed discrete Gaussian of Kairouz, Liu and Steinke 2021): mode {@code masking} or {@code paillier}
 *       (else {@code secureAggregation}), b in [{@value DdgParams#MIN_BITS}, {@value DdgParams#MAX_BITS}]
 *       ({@code secaggBits}), n &gt;= 1 parties ({@code numPartitions}), 0 &lt;= t &lt; n colluding
 *       ({@code secaggColluding}), d in [1, 2^30] ({@code secureAggregation}), C finite and &gt; 0
 *       ({@code clipNorm}), and N known ({@code secureAggregation} and {@code rows}: the encoding's range holds the
 *       sum of up to N units).
 *       Whether b also holds the sum's range is checked by the plan, which knows sigma
 *       ({@link DdgParams#choose}).</li>
 *   <li>Optionally, DP data normalization ({@code normalizationNoise}, sigma_norm; Tramer and Boneh, ICLR 2021):
 *       before training, the per-channel means and mean squares of the features are released with the Gaussian
 *       mechanism, two sums over all rows of per-example vectors of L2 norm at most 1, each with noise
 *       N(0, sigma_norm^2) per coordinate ({@link PrivacyPlan#normalizationEvent()}). sigma_norm is finite and at
 *       least {@value #MIN_NOISE_MULTIPLIER} (&gt; 0 with {@code allowWeakPrivacy}); it is refused in the
 *       non-private mode (which releases its statistics without noise) and with secure aggregation (the
 *       normalization's noise is central).</li>
 * </ul>
 * Every check rejects NaN and both infinities.
 */
public final class PlanRequest {

    /** The largest number of steps T a plan may have (see the class comment). */
    public static final long MAX_STEPS = 100_000_000L;

    /** The default ceiling on a target or claimed epsilon without {@code allowWeakPrivacy}. */
    public static final double DEFAULT_EPSILON_CEILING = 10.0;

    /** The smallest noise multiplier (given or calibrated) without {@code allowWeakPrivacy}. */
    public static final double MIN_NOISE_MULTIPLIER = 0.3;

    /** The secure aggregation modes: pairwise masking, or additively homomorphic encryption (Paillier). */
    public static final List<String> SECURE_AGGREGATION_MODES = List.of("masking", "paillier");

    /**
     * Secure aggregation with distributed noise: each of the n parties (Spark partitions) sends its sum quantized,
     * noised with its share of the distributed discrete Gaussian, and masked ({@code masking}) or encrypted
     * ({@code paillier}), so that only the total is revealed (Kairouz, Liu and Steinke 2021; the encoding is
     * {@link DdgParams}). Validated by {@link Builder#build()} (see the class comment).
     *
     * @param mode      {@code "masking"} or {@code "paillier"}
     * @param bits      b, the modulus 2^b of the aggregated sums
     * @param parties   n, the number of parties (partitions)
     * @param colluding t, the parties that may collude with the aggregator (their noise is not counted)
     * @param dim       d, the vector length (number of model parameters + 1)
     * @param clipNorm  C, the clip norm of one unit's contribution
     */
    public record SecureAggregation(String mode, int bits, int parties, int colluding, int dim, double clipNorm) {

        /**
         * The encoding at noise multiplier {@code sigma} for {@code rows} units ({@link DdgParams#choose}).
         *
         * @throws InvalidParameterException naming {@code secaggBits} when b cannot hold the sum's range
         */
        public DdgParams encoding(double sigma, long rows) {
            return DdgParams.choose(dim, bits, parties, colluding, clipNorm, sigma, rows);
        }
    }

    private final OptionalLong rows;
    private final OptionalLong batchSize;
    private final double samplingRate;
    private final OptionalDouble epochs;
    private final long steps;
    private final double delta;
    private final OptionalDouble targetEpsilon;
    private final OptionalDouble noiseMultiplier;
    private final double epsilonCeiling;
    private final boolean allowWeakPrivacy;
    private final Optional<SecureAggregation> secureAggregation;
    private final boolean nonPrivate;
    private final OptionalDouble normalizationNoise;

    private PlanRequest(Builder b, double samplingRate, long steps) {
        this.nonPrivate = b.nonPrivate;
        this.secureAggregation = Optional.ofNullable(b.secureAggregation);
        this.epsilonCeiling = b.epsilonCeiling;
        this.allowWeakPrivacy = b.allowWeakPrivacy;
        this.rows = b.rows == null ? OptionalLong.empty() : OptionalLong.of(b.rows);
        this.batchSize = b.batchSize == null ? OptionalLong.empty() : OptionalLong.of(b.batchSize);
        this.samplingRate = samplingRate;
        this.epochs = b.epochs == null ? OptionalDouble.empty() : OptionalDouble.of(b.epochs);
        this.steps = steps;
        this.delta = b.delta;
        this.targetEpsilon = b.targetEpsilon == null ? OptionalDouble.empty() : OptionalDouble.of(b.targetEpsilon);
        this.noiseMultiplier = b.noiseMultiplier == null ? OptionalDouble.empty() : OptionalDouble.of(b.noiseMultiplier);
        this.normalizationNoise = b.normalizationNoise == null ? OptionalDouble.empty()
                : OptionalDouble.of(b.normalizationNoise);
    }

    /**
     * Whether this is an explicitly non-private run (no noise; {@code --no-dp}): it has no differential-privacy
     * guarantee, its plan claims no epsilon, and no ledger may record it against a budget.
     */
    public boolean nonPrivate() {
        return nonPrivate;
    }

    /** A new builder; nothing is set. */
    public static Builder builder() {
        return new Builder();
    }

    /** N, when given. */
    public OptionalLong rows() {
        return rows;
    }

    /** B, when given. */
    public OptionalLong batchSize() {
        return batchSize;
    }

    /** q: B / N, or as given. */
    public double samplingRate() {
        return samplingRate;
    }

    /** E, when given. */
    public OptionalDouble epochs() {
        return epochs;
    }

    /** T: max(1, floor(E * N / B)) or floor(E / q) from epochs, or as given. */
    public long steps() {
        return steps;
    }

    /** delta. */
    public double delta() {
        return delta;
    }

    /** The target epsilon, when sigma is to be calibrated. */
    public OptionalDouble targetEpsilon() {
        return targetEpsilon;
    }

    /** sigma, when given. */
    public OptionalDouble noiseMultiplier() {
        return noiseMultiplier;
    }

    /**
     * sigma_norm, the noise multiplier of DP data normalization (Tramer and Boneh 2021), when requested: the plan
     * composes its two Gaussian releases over all rows before training ({@link PrivacyPlan#normalizationEvent()}).
     */
    public OptionalDouble normalizationNoise() {
        return normalizationNoise;
    }

    /** The ceiling on a target or claimed epsilon (default {@value #DEFAULT_EPSILON_CEILING}). */
    public double epsilonCeiling() {
        return epsilonCeiling;
    }

    /** Whether the sanity limits are lifted (default false). */
    public boolean allowWeakPrivacy() {
        return allowWeakPrivacy;
    }

    /** Secure aggregation with distributed noise, when requested (empty: the central mode). */
    public Optional<SecureAggregation> secureAggregation() {
        return secureAggregation;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PlanRequest[q=%s, steps=%d, delta=%s, rows=%s, batchSize=%s, epochs=%s, "
                + "targetEpsilon=%s, noiseMultiplier=%s, epsilonCeiling=%s, allowWeakPrivacy=%s%s%s]", samplingRate,
                steps, delta, rows, batchSize, epochs, targetEpsilon, noiseMultiplier, epsilonCeiling, allowWeakPrivacy,
                secureAggregation.map(a -> ", secureAggregation=" + a).orElse(""),
                normalizationNoise.isPresent() ? ", normalizationNoise=" + normalizationNoise.getAsDouble() : "");
    }

    /**
     * The refusal of an epsilon above the ceiling, naming {@code parameter} and {@code allowWeakPrivacy}.
     *
     * @param what what has the epsilon, e.g. "the target 1e6" (written after the parameter's name)
     */
    static InvalidParameterException weakEpsilon(String parameter, String what, double epsilon, double ceiling) {
        return new InvalidParameterException(List.of(parameter, "allowWeakPrivacy"), "%s " + esc(what)
                + " is above the ceiling of " + num(ceiling) + ": " + meaning(epsilon) + "; pass %s to run it anyway");
    }

    /**
     * The refusal of a noise multiplier below the minimum, naming {@code parameter} and {@code allowWeakPrivacy}.
     *
     * @param what the sentence after the parameter's name, ending with the noise multiplier
     */
    static InvalidParameterException weakNoise(String parameter, String what) {
        return new InvalidParameterException(List.of(parameter, "allowWeakPrivacy"), "%s " + esc(what)
                + ", below the minimum of " + num(MIN_NOISE_MULTIPLIER) + ": the noise is so small "
                + "against the clipped gradients that a single step can reveal whether one person's data was used; "
                + "pass %s to run it anyway");
    }

    /** What an epsilon means to an attacker, in one clause. */
    static String meaning(double epsilon) {
        String factor = epsilon < 40 ? String.format(Locale.ROOT, " (about %.3g)", Math.exp(epsilon)) : "";
        return "an epsilon of " + num(epsilon) + " promises " + (epsilon > 50 ? "nothing" : "little") + ": it allows an "
                + "attacker's confidence about any one person's presence to grow by a factor of up to e^"
                + num(epsilon) + factor;
    }

    /** A number as a user would write it: 10, 0.3, 1e+06. */
    static String num(double v) {
        if (Double.isInfinite(v) || Double.isNaN(v)) {
            return String.valueOf(v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains("e")) {
            String[] p = s.split("e");
            String m = p[0].contains(".") ? p[0].replaceAll("0+$", "").replaceAll("\\.$", "") : p[0];
            return m + "e" + p[1];
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** The rules of secure aggregation (class comment), in the order listed there. */
    private static void checkSecureAggregation(SecureAggregation a, Long rows) {
        if (a.mode() == null || !SECURE_AGGREGATION_MODES.contains(a.mode())) {
            throw InvalidParameterException.of("secureAggregation", "mode must be one of "
                    + String.join(", ", SECURE_AGGREGATION_MODES) + ", got " + a.mode());
        }
        if (a.bits() < DdgParams.MIN_BITS || a.bits() > DdgParams.MAX_BITS) {
            throw InvalidParameterException.of("secaggBits", "must be in [" + DdgParams.MIN_BITS + ", "
                    + DdgParams.MAX_BITS + "], got " + a.bits());
        }
        if (a.parties() < 1) {
            throw InvalidParameterException.of("numPartitions", "must be >= 1 for secure aggregation (each partition "
                    + "is a party), got " + a.parties());
        }
        if (a.colluding() < 0 || a.colluding() >= a.parties()) {
            throw InvalidParameterException.of("secaggColluding", "must be in [0, n - 1] for n = " + a.parties()
                    + " parties (partitions), got " + a.colluding()
                    + ": the honest parties' noise must meet the target");
        }
        if (a.dim() < 1 || a.dim() > (1 << 30)) {
            throw InvalidParameterException.of("secureAggregation", "dimension must be in [1, 2^30], got " + a.dim());
        }
        Checks.positive("clipNorm", a.clipNorm());
        if (rows == null) {
            throw new InvalidParameterException(List.of("secureAggregation", "rows"), "%s needs %s (N): the "
                    + "encoding's range must hold the sum of up to N units' contributions");
        }
    }

    /** The rules of DP data normalization (class comment). */
    private static void checkNormalization(double sigmaNorm, boolean allowWeak, boolean secureAggregation) {
        Checks.positive("normalizationNoise", sigmaNorm);
        if (secureAggregation) {
            throw new InvalidParameterException(List.of("normalizationNoise", "secureAggregation"), "%s adds central "
                    + "noise to statistics computed in the clear, which %s does not allow: drop one of them");
        }
        if (!allowWeak && !(sigmaNorm >= MIN_NOISE_MULTIPLIER)) {
            throw new InvalidParameterException(List.of("normalizationNoise", "allowWeakPrivacy"), "%s is "
                    + num(sigmaNorm) + ", below the minimum of " + num(MIN_NOISE_MULTIPLIER) + ": the noise is so "
                    + "small against the features' sums that the released means can reveal whether one person's "
                    + "data was used; pass %s to run it anyway");
        }
    }

    private static String esc(String s) {
        return s.replace("%", "%%");
    }

    /**
     * Sets the parameters; {@link #build()} checks them. A boxed setter given {@code null} leaves (or makes) the
     * parameter unset, for callers whose flags are optional.
     */
    public static final class Builder {
        private Long rows;
        private Long batchSize;
        private Double samplingRate;
        private Double epochs;
        private Long steps;
        private Double delta;
        private Double targetEpsilon;
        private Double noiseMultiplier;
        private boolean nonPrivate;
        private double epsilonCeiling = DEFAULT_EPSILON_CEILING;
        private boolean allowWeakPrivacy;
        private SecureAggregation secureAggregation;
        private Double normalizationNoise;

        private Builder() {}

        /**
         * DP data normalization with noise multiplier sigma_norm (Tramer and Boneh 2021; see the class comment).
         * Checked in {@link #build()}.
         */
        public Builder normalizationNoise(double sigmaNorm) {
            this.normalizationNoise = sigmaNorm;
            return this;
        }

        /** sigma_norm, or no normalization when {@code null}. */
        public Builder normalizationNoise(Double sigmaNorm) {
            this.normalizationNoise = sigmaNorm;
            return this;
        }

        /** Secure aggregation with distributed noise (needs {@code rows}); {@code null} for the central mode. */
        public Builder secureAggregation(SecureAggregation a) {
            this.secureAggregation = a;
            return this;
        }

        /**
         * Secure aggregation in {@code mode} ("masking" or "paillier") with b = {@code bits}, n = {@code parties},
         * t = {@code colluding}, d = {@code dim} and clip norm C = {@code clipNorm}.
         */
        public Builder secureAggregation(String mode, int bits, int parties, int colluding, int dim,
                double clipNorm) {
            return secureAggregation(new SecureAggregation(mode, bits, parties, colluding, dim, clipNorm));
        }

        /**
         * The ceiling on a target or claimed epsilon (default {@value #DEFAULT_EPSILON_CEILING}; a ledger's policy
         * may set another). Checked in {@link #build()}: finite and &gt; 0.
         */
        public Builder epsilonCeiling(double ceiling) {
            this.epsilonCeiling = ceiling;
            return this;
        }

        /** Lifts the sanity limits (epsilon ceiling, minimum noise multiplier); default false. */
        /**
         * An explicitly non-private run ({@code --no-dp}): no noise at all. Refuses a target epsilon and any noise
         * multiplier other than 0 (naming {@code noDp}); delta is then 0 and not checked against N.
         */
        public Builder nonPrivate(boolean nonPrivate) {
            this.nonPrivate = nonPrivate;
            return this;
        }

        public Builder allowWeakPrivacy(boolean allow) {
            this.allowWeakPrivacy = allow;
            return this;
        }

        /** N, the dataset size (public). */
        public Builder rows(long n) {
            this.rows = n;
            return this;
        }

        /** N, or unset when {@code null}. */
        public Builder rows(Long n) {
            this.rows = n;
            return this;
        }

        /** B, the expected batch size: q = B / N. */
        public Builder batchSize(long b) {
            this.batchSize = b;
            return this;
        }

        /** B, or unset when {@code null}. */
        public Builder batchSize(Long b) {
            this.batchSize = b;
            return this;
        }

        /** q directly, instead of a batch size. */
        public Builder samplingRate(double q) {
            this.samplingRate = q;
            return this;
        }

        /** q, or unset when {@code null}. */
        public Builder samplingRate(Double q) {
            this.samplingRate = q;
            return this;
        }

        /** E: T = max(1, floor(E * N / B)), or floor(E / q) with q given directly. */
        public Builder epochs(double e) {
            this.epochs = e;
            return this;
        }

        /** E, or unset when {@code null}. */
        public Builder epochs(Double e) {
            this.epochs = e;
            return this;
        }

        /** T directly, instead of epochs. */
        public Builder steps(long t) {
            this.steps = t;
            return this;
        }

        /** T, or unset when {@code null}. */
        public Builder steps(Long t) {
            this.steps = t;
            return this;
        }

        /** delta of the guarantee (required). */
        public Builder delta(double d) {
            this.delta = d;
            return this;
        }

        /** A target epsilon: sigma is calibrated to meet it. */
        public Builder targetEpsilon(double eps) {
            this.targetEpsilon = eps;
            return this;
        }

        /** The target epsilon, or unset when {@code null}. */
        public Builder targetEpsilon(Double eps) {
            this.targetEpsilon = eps;
            return this;
        }

        /** sigma directly, instead of a target epsilon. */
        public Builder noiseMultiplier(double sigma) {
            this.noiseMultiplier = sigma;
            return this;
        }

        /** sigma, or unset when {@code null}. */
        public Builder noiseMultiplier(Double sigma) {
            this.noiseMultiplier = sigma;
            return this;
        }

        /**
         * Checks every rule of the class comment, in the order listed there, and derives q and T.
         *
         * @throws InvalidParameterException naming the first parameter that breaks its rule
         */
        public PlanRequest build() {
            if (rows != null) {
                Checks.atLeast("rows", rows, 1);
            }

            Checks.exactlyOne("batchSize", batchSize != null, "samplingRate", samplingRate != null);
            double q;
            if (batchSize != null) {
                if (rows == null) {
                    throw new InvalidParameterException(List.of("batchSize", "rows"), "%s needs %s (q = B / N)");
                }
                if (!(batchSize >= 1 && batchSize <= rows)) {
                    throw new InvalidParameterException(List.of("batchSize", "rows"),
                            "%s must be an integer in [1, %s], got " + batchSize + " (N = " + rows + ")");
                }
                q = (double) batchSize / (double) rows;
            } else {
                if (!(samplingRate > 0 && samplingRate <= 1)) {
                    throw InvalidParameterException.of("samplingRate", "must be in (0, 1], got " + samplingRate);
                }
                q = samplingRate;
            }

            Checks.exactlyOne("epochs", epochs != null, "steps", steps != null);
            long t;
            if (epochs != null) {
                Checks.positive("epochs", epochs);
                // As dp-train has always computed it: (E * N) / B in doubles; E / q with q given directly.
                double exact = batchSize != null ? epochs * (double) rows / (double) batchSize : epochs / q;
                double floor = Math.floor(exact);
                if (!(floor <= MAX_STEPS)) {
                    throw InvalidParameterException.of("epochs", "gives T = " + (batchSize != null
                            ? "floor(E * N / B)" : "floor(E / q)") + " = " + String.format(Locale.ROOT, "%.6g", floor)
                            + " steps, above the limit of " + MAX_STEPS + " steps, got " + epochs);
                }
                t = Math.max(1L, (long) floor);
            } else {
                Checks.atLeast("steps", steps, 1);
                if (steps > MAX_STEPS) {
                    throw InvalidParameterException.of("steps", "must be <= " + MAX_STEPS + ", got " + steps);
                }
                t = steps;
            }

            if (nonPrivate) {
                if (targetEpsilon != null) {
                    throw new InvalidParameterException(List.of("noDp", "epsilon"), "%s trains without noise and "
                            + "claims no epsilon: do not pass %s with it");
                }
                if (noiseMultiplier != null && noiseMultiplier != 0.0) {
                    throw new InvalidParameterException(List.of("noDp", "noiseMultiplier"), "%s trains without "
                            + "noise: %s must be 0 or absent, got " + noiseMultiplier);
                }
                if (secureAggregation != null) {
                    throw new InvalidParameterException(List.of("noDp", "secureAggregation"), "%s adds no noise, so "
                            + "there is no noise to distribute: %s must be central");
                }
                if (normalizationNoise != null) {
                    throw new InvalidParameterException(List.of("noDp", "normalizationNoise"), "%s releases its "
                            + "statistics without noise and claims no epsilon: do not pass %s with it");
                }
                delta = 0.0;
                noiseMultiplier = 0.0;
                return new PlanRequest(this, q, t);
            }
            if (noiseMultiplier != null && noiseMultiplier == 0.0) {
                throw new InvalidParameterException(List.of("noiseMultiplier", "noDp"), "%s 0 adds no noise and gives "
                        + "no privacy at all: it is allowed only in the explicitly non-private mode, %s");
            }
            if (delta == null) {
                throw InvalidParameterException.of("delta", "is required");
            }
            Checks.openInterval("delta", delta, 0, 1);
            if (rows != null && !(delta < 1.0 / rows)) {
                throw new InvalidParameterException(List.of("delta", "rows"), "%s " + delta + " must be < 1/N = "
                        + (1.0 / rows) + " (N = " + rows + ", %s): a delta near 1/N allows publishing a whole row");
            }

            Checks.exactlyOne("noiseMultiplier", noiseMultiplier != null, "epsilon", targetEpsilon != null);
            if (targetEpsilon != null) {
                Checks.positive("epsilon", targetEpsilon);
            } else {
                Checks.positive("noiseMultiplier", noiseMultiplier);
            }

            Checks.positive("epsilonCeiling", epsilonCeiling);
            if (!allowWeakPrivacy) {
                if (targetEpsilon != null && !(targetEpsilon <= epsilonCeiling)) {
                    throw weakEpsilon("epsilon", num(targetEpsilon), targetEpsilon, epsilonCeiling);
                }
                if (noiseMultiplier != null && !(noiseMultiplier >= MIN_NOISE_MULTIPLIER)) {
                    throw weakNoise("noiseMultiplier", "is " + num(noiseMultiplier));
                }
            }
            if (secureAggregation != null) {
                checkSecureAggregation(secureAggregation, rows);
            }
            if (normalizationNoise != null) {
                checkNormalization(normalizationNoise, allowWeakPrivacy, secureAggregation != null);
            }
            return new PlanRequest(this, q, t);
        }
    }
}
