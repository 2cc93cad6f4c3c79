package org.dpspark.jobs.train;

import org.dpspark.core.optim.Adam;
import org.dpspark.core.optim.LearningRateSchedule;
import org.dpspark.core.optim.Momentum;
import org.dpspark.core.optim.Optimizer;
import org.dpspark.core.optim.Sgd;

/**
 * Creates the dp-core optimizer a {@link TrainConfig} names. Optimizers only post-process the noisy gradient, so
 * their choice has no privacy cost.
 */
public final class Optimizers {
    private Optimizers() {}

    /** The optimizer for a run of {@code steps} steps (the cosine schedule decays to 0 at the last step). */
    public static Optimizer create(TrainConfig cfg, long steps) {
        LearningRateSchedule lr = switch (cfg.schedule()) {
            case "constant" -> LearningRateSchedule.constant(cfg.learningRate());
            case "cosine" -> LearningRateSchedule.cosine(cfg.learningRate(), 0.0, steps);
            default -> throw new IllegalArgumentException("unknown --lr-schedule '" + cfg.schedule() + "'");
        };
        return switch (cfg.optimizer()) {
            case "sgd" -> new Sgd(lr);
            case "momentum" -> new Momentum(lr, cfg.momentum());
            case "adam" -> new Adam(lr, 0.9, 0.999, 1e-8);
            default -> throw new IllegalArgumentException("unknown --optimizer '" + cfg.optimizer() + "'");
        };
    }
}
