package org.dpspark.core.optim;

import java.util.Objects;

/** Argument checks shared by the optimizers. */
final class Optimizers {

    private Optimizers() {
    }

    static void checkStep(double[] params, double[] gradient) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(gradient, "gradient");
        if (params.length != gradient.length) {
            throw new IllegalArgumentException("gradient must have length params.length = " + params.length
                    + ", got " + gradient.length);
        }
    }
}
