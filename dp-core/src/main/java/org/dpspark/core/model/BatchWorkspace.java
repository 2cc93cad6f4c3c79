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
        if (minLength < 0) {
            throw new IllegalArgumentException("minLength must be >= 0, got " + minLength);
        }
        if (doubles.length < minLength) {
            // grow by at least half, so that slowly increasing Poisson batch sizes reallocate O(log) times
            long grown = Math.max(minLength, Math.min(Integer.MAX_VALUE - 8L, doubles.length + (long) doubles.length / 2));
            doubles = new double[(int) grown];
        }
        return doubles;
    }

    /** An array of at least {@code minLength} floats with unspecified contents (grown when too short). */
    public float[] floats(int minLength) {
        if (minLength < 0) {
            throw new IllegalArgumentException("minLength must be >= 0, got " + minLength);
        }
        if (floats.length < minLength) {
            long grown = Math.max(minLength, Math.min(Integer.MAX_VALUE - 8L, floats.length + (long) floats.length / 2));
            floats = new float[(int) grown];
        }
        return floats;
    }

    /** An array of at least {@code minLength} ints with unspecified contents (grown when too short). */
    public int[] ints(int minLength) {
        if (minLength < 0) {
            throw new IllegalArgumentException("minLength must be >= 0, got " + minLength);
        }
        if (ints.length < minLength) {
            long grown = Math.max(minLength, Math.min(Integer.MAX_VALUE - 8L, ints.length + (long) ints.length / 2));
            ints = new int[(int) grown];
        }
        return ints;
    }
}
