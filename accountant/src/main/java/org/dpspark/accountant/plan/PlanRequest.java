package org.dpspark.accountant.plan;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.core.params.Checks;
import org.dpspark.core.params.InvalidParameterException;

/**
 * What a training run asks of its privacy plan, validated: the Poisson sampling rate q (from the expected batch size
 * B and the dataset size N, or given directly), the number of steps T (from epochs, or given directly), delta, and
 * either a target epsilon (sigma is then calibrated) or the noise multiplier sigma. Built with {@link #builder()};
 * {@link Builder#build()} applies every rule below, once, for every entry point ({@code dp-train},
 * {@code dp-privacy}, {@code dp-ledger check}, the MLlib estimators).
 *
 * <p>The rules (each failure is an {@link InvalidParameterException} naming the parameter canonically: {@code rows},
 * {@code batchSize}, {@code samplingRate}, {@code epochs}, {@code steps}, {@code delta}, {@code epsilon},
 * {@code noiseMultiplier}; callers render the names in their own vocabulary):
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
 * </ul>
 * Every check rejects NaN and both infinities.
 */
public final class PlanRequest {

    /** The largest number of steps T a plan may have (see the class comment). */
    public static final long MAX_STEPS = 100_000_000L;

    private final OptionalLong rows;
    private final OptionalLong batchSize;
    private final double samplingRate;
    private final OptionalDouble epochs;
    private final long steps;
    private final double delta;
    private final OptionalDouble targetEpsilon;
    private final OptionalDouble noiseMultiplier;

    private PlanRequest(Builder b, double samplingRate, long steps) {
        this.rows = b.rows == null ? OptionalLong.empty() : OptionalLong.of(b.rows);
        this.batchSize = b.batchSize == null ? OptionalLong.empty() : OptionalLong.of(b.batchSize);
        this.samplingRate = samplingRate;
        this.epochs = b.epochs == null ? OptionalDouble.empty() : OptionalDouble.of(b.epochs);
        this.steps = steps;
        this.delta = b.delta;
        this.targetEpsilon = b.targetEpsilon == null ? OptionalDouble.empty() : OptionalDouble.of(b.targetEpsilon);
        this.noiseMultiplier = b.noiseMultiplier == null ? OptionalDouble.empty() : OptionalDouble.of(b.noiseMultiplier);
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

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PlanRequest[q=%s, steps=%d, delta=%s, rows=%s, batchSize=%s, epochs=%s, "
                + "targetEpsilon=%s, noiseMultiplier=%s]", samplingRate, steps, delta, rows, batchSize, epochs,
                targetEpsilon, noiseMultiplier);
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

        private Builder() {}

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
            return new PlanRequest(this, q, t);
        }
    }
}
