package org.dpspark.jobs.train;

import java.io.Serializable;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The parameters of one DP-SGD training run. Build with {@link #builder()}; {@link Builder#build()} checks every
 * field (NaN and infinity fail) and the cross-field rule that exactly one of a target epsilon and a noise
 * multiplier is given.
 *
 * <p>The expected batch size B sets the Poisson sampling rate q = B / N, and the number of steps is
 * T = floor(epochs * N / B), the convention of Opacus' DP data loader.
 */
public final class TrainConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The optimizers {@link Optimizers#create} knows. */
    public static final String[] OPTIMIZERS = {"sgd", "momentum", "adam"};
    /** The learning-rate schedules: constant, or cosine decay to 0 over the run (Loshchilov &amp; Hutter 2017). */
    public static final String[] SCHEDULES = {"constant", "cosine"};

    private final double epochs;
    private final int batchSize;
    private final double clipNorm;
    private final double learningRate;
    private final String optimizer;
    private final double momentum;
    private final String schedule;
    private final double delta;
    private final Double targetEpsilon;
    private final Double noiseMultiplier;
    private final Long insecureTestSeed;
    private final boolean dpLossTracking;
    private final StepMode stepMode;

    private TrainConfig(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.clipNorm = b.clipNorm;
        this.learningRate = b.learningRate;
        this.optimizer = b.optimizer;
        this.momentum = b.momentum;
        this.schedule = b.schedule;
        this.delta = b.delta;
        this.targetEpsilon = b.targetEpsilon;
        this.noiseMultiplier = b.noiseMultiplier;
        this.insecureTestSeed = b.insecureTestSeed;
        this.dpLossTracking = b.dpLossTracking;
        this.stepMode = b.stepMode;
    }

    public static Builder builder() {
        return new Builder();
    }

    public double epochs() {
        return epochs;
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

    /** How each step's executor work is scheduled (default {@link StepMode#AUTO}); no effect on the result. */
    public StepMode stepMode() {
        return stepMode;
    }

    /** The Poisson sampling rate q = B / N for a dataset of {@code rows} rows. */
    public double samplingRate(long rows) {
        if (rows < batchSize) {
            throw new IllegalArgumentException(
                    "--batch-size " + batchSize + " exceeds the number of rows " + rows + "; the expected batch must be <= N");
        }
        return (double) batchSize / (double) rows;
    }

    /** T = floor(epochs * N / B), at least 1. */
    public long steps(long rows) {
        long t = (long) Math.floor(epochs * (double) rows / (double) batchSize);
        return Math.max(1L, t);
    }

    /** The builder; every setter's value is checked in {@link #build()}. */
    public static final class Builder {
        private double epochs = 10;
        private int batchSize = 256;
        private double clipNorm = 1.0;
        private double learningRate = 1.0;
        private String optimizer = "sgd";
        private double momentum = 0.9;
        private String schedule = "constant";
        private double delta = 1e-5;
        private Double targetEpsilon;
        private Double noiseMultiplier;
        private Long insecureTestSeed;
        private boolean dpLossTracking = true;
        private StepMode stepMode = StepMode.AUTO;

        private Builder() {}

        public Builder epochs(double v) {
            this.epochs = v;
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

        public Builder stepMode(StepMode v) {
            this.stepMode = v;
            return this;
        }

        public TrainConfig build() {
            if (stepMode == null) {
                throw new IllegalArgumentException("--step-mode must be auto, barrier or job, got null");
            }
            if (!(epochs > 0) || Double.isInfinite(epochs)) {
                throw new IllegalArgumentException("--epochs must be a finite number > 0, got " + epochs);
            }
            if (!(batchSize >= 1)) {
                throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
            }
            if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("--clip-norm must be a finite number > 0, got " + clipNorm);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("--learning-rate must be a finite number > 0, got " + learningRate);
            }
            if (optimizer == null || !java.util.Arrays.asList(OPTIMIZERS).contains(optimizer)) {
                throw new IllegalArgumentException("--optimizer must be one of " + String.join(", ", OPTIMIZERS)
                        + ", got " + optimizer);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
            }
            if (schedule == null || !java.util.Arrays.asList(SCHEDULES).contains(schedule)) {
                throw new IllegalArgumentException("--lr-schedule must be one of " + String.join(", ", SCHEDULES)
                        + ", got " + schedule);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("--delta must be in (0, 1), got " + delta);
            }
            if ((targetEpsilon == null) == (noiseMultiplier == null)) {
                throw new IllegalArgumentException("give exactly one of --epsilon and --noise-multiplier");
            }
            if (targetEpsilon != null && (!(targetEpsilon > 0) || targetEpsilon.isInfinite())) {
                throw new IllegalArgumentException("--epsilon must be a finite number > 0, got " + targetEpsilon);
            }
            if (noiseMultiplier != null && (!(noiseMultiplier > 0) || noiseMultiplier.isInfinite())) {
                throw new IllegalArgumentException("--noise-multiplier must be a finite number > 0, got " + noiseMultiplier);
            }
            return new TrainConfig(this);
        }
    }
}
