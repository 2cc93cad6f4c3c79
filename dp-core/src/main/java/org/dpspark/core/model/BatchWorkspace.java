package org.dpspark.core.model;

/**
 * Work arrays for {@link DpModel#addClippedGradients}, kept between calls so that a step's hot loop allocates
 * nothing once the arrays have grown to the batch's size. Not thread-safe: one workspace per thread (a model is
 * shared between threads, its workspaces are not). Its contents between calls are unspecified and never read:
 * every user overwrites what it reads. It holds activations of training examples, so it is never logged or
 * serialized.
 */
public final class BatchWorkspace {

    private double[] doubles = new double[0];
    private int[] ints = new int[0];
    private float[] floats = new float[0];

    /** An array of at least {@code minLength} doubles with unspecified contents (grown when too short). */
    public double[] doubles(int minLength) {
        checkMin(minLength);
        if (doubles.length < minLength) {
            doubles = new double[grown(doubles.length, minLength)];
        }
        return doubles;
    }

    /** An array of at least {@code minLength} floats with unspecified contents (grown when too short). */
    public float[] floats(int minLength) {
        checkMin(minLength);
        if (floats.length < minLength) {
            floats = new float[grown(floats.length, minLength)];
        }
        return floats;
    }

    /** An array of at least {@code minLength} ints with unspecified contents (grown when too short). */
    public int[] ints(int minLength) {
        checkMin(minLength);
        if (ints.length < minLength) {
            ints = new int[grown(ints.length, minLength)];
        }
        return ints;
    }

    private static void checkMin(int minLength) {
        if (minLength < 0) {
            throw new IllegalArgumentException("minLength must be >= 0, got " + minLength);
        }
    }

    /**
     * At least minLength, and at least half again the current length, so that slowly increasing Poisson batch sizes
     * reallocate O(log) times.
     */
    private static int grown(int current, int minLength) {
        return (int) Math.max(minLength, Math.min(Integer.MAX_VALUE - 8L, current + (long) current / 2));
    }
}
