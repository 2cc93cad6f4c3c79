package org.dpspark.core.noise;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Gaussian mechanism's noise for whole vectors of one length, drawn one vector ahead on a background thread:
 * while the driver waits for a step's clipped sum, the next step's noise is being drawn. The noise of a step does
 * not depend on the data or on any earlier step, so drawing it early changes nothing but when the work is done: the
 * vectors, their order and the stream they come from are those of {@link SecureGaussianNoise#addTo} on the same
 * source, bit for bit (test). Issue 19: an MLP's 203,531 coordinates take 814,124 Ziggurat draws per step, a third of
 * the step's time on the driver when drawn in line.
 *
 * <p>Only {@link #addTo} with vectors of the length given at construction is served; {@link #sample} is refused,
 * since a draw taken out of order would change the stream. A vector drawn ahead is zeroed once added, and then filled again two steps later.
 * {@link #draws()} counts the draws of the vectors delivered so far (the seeded test path's resume point), not of
 * the one drawn ahead. Close it to stop the thread; not thread-safe (one caller).
 */
public final class NoiseAhead implements Noise, AutoCloseable {

    private final SecureGaussianNoise source;
    private final int length;
    private final ExecutorService thread;
    private Future<Drawn> next;
    private long deliveredDraws;
    /** The vector last delivered (zeroed), which the draw after next fills: two vectors serve the whole run. */
    private double[] spare;

    private record Drawn(double[] sums, long drawsAfter) {}

    /**
     * @param source the stream the vectors come from; only this object may use it from now on
     * @param length the length of every vector served
     */
    public NoiseAhead(SecureGaussianNoise source, int length) {
        this.source = Objects.requireNonNull(source, "source");
        if (length <= 0) {
            throw new IllegalArgumentException("length must be > 0, got " + length);
        }
        this.length = length;
        this.deliveredDraws = source.draws();
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dpspark-noise-ahead");
            t.setDaemon(true);
            return t;
        });
        this.next = submit(null);
    }

    private Future<Drawn> submit(double[] into) {
        return thread.submit(() -> draw(into));
    }

    private Drawn draw(double[] into) {
        double[] z = into != null ? into : new double[length];
        source.fillSums(z);
        return new Drawn(z, source.draws());
    }

    @Override
    public void addTo(double[] v, double std) {
        Objects.requireNonNull(v, "v");
        if (v.length != length) {
            throw new IllegalArgumentException("this noise serves vectors of length " + length + ", got " + v.length);
        }
        SecureGaussianNoise.checkStd(std);
        if (std == 0.0) {
            return;
        }
        Drawn d = take();
        next = submit(spare);
        double halfStd = 0.5 * std;
        double[] z = d.sums();
        for (int i = 0; i < length; i++) {
            v[i] += z[i] * halfStd;
            z[i] = 0.0; // zeroed once added, in the same pass
        }
        spare = z;
        deliveredDraws = d.drawsAfter();
    }

    private Drawn take() {
        try {
            return next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing noise", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("drawing noise failed: " + e.getCause(), e.getCause());
        }
    }

    /** Refused: a single draw out of the vectors' order would change the stream. */
    @Override
    public double sample(double std) {
        throw new UnsupportedOperationException("NoiseAhead serves whole vectors only");
    }

    /** The source's draws up to the last delivered vector (-1 for a secure source, as {@link SecureGaussianNoise#draws}). */
    public long draws() {
        return deliveredDraws;
    }

    /** Stops the thread; a vector drawn ahead and never used is zeroed. */
    @Override
    public void close() {
        thread.shutdownNow();
        if (next.isDone() && !next.isCancelled()) {
            try {
                Arrays.fill(next.get().sums(), 0.0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // nothing was drawn
            }
        } else {
            next.cancel(true);
        }
    }

    @Override
    public String toString() {
        return "NoiseAhead[" + source + ", length " + length + "]";
    }
}
