package org.dpspark.core.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an {@link Optimizer} carries from one step to the next, for a checkpoint: its step counter (which the
 * learning-rate schedule reads) and its buffers (none for SGD; the velocity for momentum; the first and second
 * moments for Adam), empty until the first step. Only post-processing of noised gradients: no privacy role.
 *
 * @param steps   steps taken so far
 * @param buffers the buffers, in the optimizer's own order (copied)
 */
public record OptimizerState(long steps, List<double[]> buffers) {
    public OptimizerState {
        if (!(steps >= 0)) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        List<double[]> copy = new ArrayList<>();
        for (double[] b : Objects.requireNonNull(buffers, "buffers")) {
            copy.add(Objects.requireNonNull(b, "buffer").clone());
        }
        buffers = List.copyOf(copy);
    }

    /** A copy of buffer {@code i}. */
    public double[] buffer(int i) {
        return buffers.get(i).clone();
    }

    /** Refuses a state of {@code expected} buffers (or none, before the first step) with another count. */
    void requireBuffers(int expected, String optimizer) {
        if (!(buffers.isEmpty() || buffers.size() == expected)) {
            throw new IllegalArgumentException(optimizer + " state must have " + expected + " buffers, got "
                    + buffers.size());
        }
        for (double[] b : buffers) {
            if (b.length != buffers.get(0).length) {
                throw new IllegalArgumentException(optimizer + " state buffers must have one length");
            }
        }
    }
}
