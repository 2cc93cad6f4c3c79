package org.dpspark.jobs.train;

import org.dpspark.core.optim.Optimizer;
import org.dpspark.core.optim.Sgd;

/** Creates the dp-core optimizer a {@link TrainConfig} names. Optimizers only post-process the noisy gradient. */
public final class Optimizers {
    private Optimizers() {}

    public static Optimizer create(TrainConfig cfg) {
        switch (cfg.optimizer()) {
            case "sgd":
                return new Sgd(cfg.learningRate());
            default:
                throw new IllegalArgumentException("unknown optimizer '" + cfg.optimizer() + "'");
        }
    }
}
