package org.dpspark.jobs.train;

import org.dpspark.core.optim.Adam;
import org.dpspark.core.optim.Averaged;
import org.dpspark.core.optim.LearningRateSchedule;
import org.dpspark.core.optim.Momentum;
import org.dpspark.core.optim.Optimizer;
import org.dpspark.core.optim.Sgd;

/**
 * Creates the dp-core optimizer a {@link TrainConfig} names. Optimizers only post-process the noisy gradient, so
 * their choice has no privacy cost.
 */
public final class Optimizers {
    /** The cosine schedule decays to this fraction of the initial rate (Loshchilov &amp; Hutter 2017 use ~0). */
    static final double COSINE_FLOOR = 1e-6;

    private Optimizers() {}

    /**
     * The optimizer for a run of {@code steps} steps (the cosine schedule decays to 1e-6 of the rate at the end),
     * {@link Averaged} when the config asks for an EMA of the iterates.
     */
    public static Optimizer create(TrainConfig cfg, long steps) {
        LearningRateSchedule lr = switch (cfg.schedule()) {
            case "constant" -> LearningRateSchedule.constant(cfg.learningRate());
            case "cosine" -> LearningRateSchedule.cosine(cfg.learningRate(), cfg.learningRate() * COSINE_FLOOR, steps);
            default -> throw org.dpspark.core.params.InvalidParameterException.of("lrSchedule", "is unknown: '" + cfg.schedule() + "'");
        };
        Optimizer stepper = switch (cfg.optimizer()) {
            case "sgd" -> new Sgd(lr);
            case "momentum" -> new Momentum(lr, cfg.momentum());
            case "adam" -> new Adam(lr, 0.9, 0.999, 1e-8);
            default -> throw org.dpspark.core.params.InvalidParameterException.of("optimizer", "is unknown: '" + cfg.optimizer() + "'");
        };
        return cfg.emaDecay() > 0 ? new Averaged(stepper, cfg.emaDecay()) : stepper;
    }
}
