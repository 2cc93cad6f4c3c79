package org.dpspark.core.optim;

/**
 * The learning rate as a function of the step: {@code rate(t)} for the t-th update, t = 0, 1, 2, ... A schedule
 * depends only on public hyperparameters and the step count, never on data, so it has no privacy cost.
 */
public interface LearningRateSchedule extends java.io.Serializable {

    /** The learning rate of update t (t &gt;= 0); finite and &gt; 0. */
    double rate(long t);

    /** The same rate at every step. */
    static LearningRateSchedule constant(double rate) {
        return new Constant(rate);
    }

    /** rate * gamma^floor(t / stepSize): multiplied by gamma every stepSize updates. */
    static LearningRateSchedule stepDecay(double rate, double gamma, long stepSize) {
        return new StepDecay(rate, gamma, stepSize);
    }

    /**
     * Cosine annealing without restarts (Loshchilov and Hutter, "SGDR", ICLR 2017, eq. 5):
     * min + (rate - min) (1 + cos(pi t / totalSteps)) / 2 for t &lt; totalSteps, then min.
     */
    static LearningRateSchedule cosine(double rate, double min, long totalSteps) {
        return new Cosine(rate, min, totalSteps);
    }

    /** @param rate finite and &gt; 0 */
    record Constant(double rate) implements LearningRateSchedule {
        public Constant {
            checkRate(rate, "rate");
        }

        @Override
        public double rate(long t) {
            return rate;
        }
    }

    /**
     * @param rate     the initial rate, finite and &gt; 0
     * @param gamma    the decay factor, in (0, 1]
     * @param stepSize updates between decays, &gt;= 1
     */
    record StepDecay(double rate, double gamma, long stepSize) implements LearningRateSchedule {
        public StepDecay {
            checkRate(rate, "rate");
            if (!(gamma > 0.0 && gamma <= 1.0)) {
                throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
            }
            if (!(stepSize >= 1)) {
                throw new IllegalArgumentException("stepSize must be >= 1, got " + stepSize);
            }
        }

        /** Never below Double.MIN_NORMAL, so the rate stays &gt; 0 however long the run. */
        @Override
        public double rate(long t) {
            return Math.max(Double.MIN_NORMAL, rate * Math.pow(gamma, (double) (Math.max(t, 0) / stepSize)));
        }
    }

    /**
     * @param rate       the initial (largest) rate, finite and &gt; 0
     * @param min        the final rate, finite, in (0, rate]
     * @param totalSteps the annealing length, &gt;= 1
     */
    record Cosine(double rate, double min, long totalSteps) implements LearningRateSchedule {
        public Cosine {
            checkRate(rate, "rate");
            checkRate(min, "min");
            if (!(min <= rate)) {
                throw new IllegalArgumentException("min must be <= rate, got min=" + min + ", rate=" + rate);
            }
            if (!(totalSteps >= 1)) {
                throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
            }
        }

        @Override
        public double rate(long t) {
            if (t >= totalSteps) {
                return min;
            }
            double progress = Math.max(t, 0) / (double) totalSteps;
            return min + (rate - min) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
        }
    }

    private static void checkRate(double rate, String name) {
        if (!(rate > 0.0 && rate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + rate);
        }
    }
}
