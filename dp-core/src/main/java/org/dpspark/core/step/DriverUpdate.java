package org.dpspark.core.step;

import java.util.Objects;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.optim.Optimizer;

/**
 * The driver-side math of one DP-SGD step (Abadi et al. 2016, "Deep Learning with Differential Privacy", CCS,
 * Algorithm 1, "add noise" and "descent"):
 * <pre>
 *   noisy   = clippedSum + N(0, sigma^2 C^2 I)      (all numParams + 1 coordinates, once)
 *   mean    = noisy / (q N)
 *   params  = optimizer(params, mean[0 .. numParams))
 *   loss    = clip.decodeLoss(mean[numParams])
 * </pre>
 * with sigma the noise multiplier and C = clip.clipNorm(), the L2 sensitivity of the sum of (clipped gradient,
 * loss coordinate) vectors ({@link ClipBudget}). The divisor is the expected batch size qN, public, never the
 * true count, which is private. Noise is added here and only here, once per step. Everything after the noise
 * is post-processing. One instance per run, used by one thread: it reuses its work arrays from step to step.
 */
public final class DriverUpdate {

    private final DpModel model;
    private final ClipBudget clip;
    private final double noiseMultiplier;
    private final double expectedBatchSize;
    private final Noise noise;
    private final Optimizer optimizer;
    /** Reused every step (not thread-safe, as the optimizer's state is not): the noised sum and the gradient. */
    private double[] noisy;
    private double[] gradient;

    /**
     * @param noiseMultiplier   sigma, finite and &gt;= 0 (0 means no privacy; for tests and non-private baselines)
     * @param expectedBatchSize qN, finite and &gt; 0
     */
    public DriverUpdate(DpModel model, ClipBudget clip, double noiseMultiplier, double expectedBatchSize,
            Noise noise, Optimizer optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.clip = Objects.requireNonNull(clip, "clip");
        this.noise = Objects.requireNonNull(noise, "noise");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (!(noiseMultiplier >= 0.0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noiseMultiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        if (!(expectedBatchSize > 0.0 && expectedBatchSize < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("expectedBatchSize must be finite and > 0, got " + expectedBatchSize);
        }
        this.noiseMultiplier = noiseMultiplier;
        this.expectedBatchSize = expectedBatchSize;
    }

    /** The per-coordinate noise std sigma * C. */
    public double noiseStd() {
        return noiseMultiplier * clip.clipNorm();
    }

    /**
     * Noises a copy of {@code clippedSum} (length numParams + 1; not modified), divides by the expected batch
     * size, applies the optimizer to {@code params} in place, and returns the DP estimate of the batch's mean
     * (clamped) loss, NaN when the clip budget does not track the loss.
     */
    public double apply(double[] params, double[] clippedSum) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(clippedSum, "clippedSum");
        int p = model.numParams();
        if (params.length != p) {
            throw new IllegalArgumentException("params must have length numParams = " + p + ", got " + params.length);
        }
        if (clippedSum.length != p + 1) {
            throw new IllegalArgumentException("clippedSum must have length numParams + 1 = " + (p + 1) + ", got "
                    + clippedSum.length);
        }
        double[] noisy = noisyBuffer(p);
        System.arraycopy(clippedSum, 0, noisy, 0, p + 1);
        noise.addTo(noisy, noiseStd());
        return descend(params, noisy);
    }

    /**
     * As {@link #apply}, for a sum whose noise was added by the parties themselves (secure aggregation: the
     * distributed discrete Gaussian, decoded from the masked or encrypted total): no noise is added here; the sum is
     * divided by the expected batch size and the optimizer applied. Whoever calls this must hold the guarantee of
     * the mechanism that noised the sum (its own accountant), not this class's sigma.
     *
     * @param noisedSum length numParams + 1, already noised; not modified
     */
    public double applyNoised(double[] params, double[] noisedSum) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(noisedSum, "noisedSum");
        int p = model.numParams();
        if (params.length != p || noisedSum.length != p + 1) {
            throw new IllegalArgumentException("params must have length " + p + " and noisedSum " + (p + 1) + ", got "
                    + params.length + " and " + noisedSum.length);
        }
        return descend(params, noisedSum); // descend only reads it: no copy
    }

    private double[] noisyBuffer(int p) {
        if (noisy == null) {
            noisy = new double[p + 1];
        }
        return noisy;
    }

    /** Reads {@code noisy} (the noised sum, numParams + 1) without writing it. */
    private double descend(double[] params, double[] noisy) {
        int p = model.numParams();
        if (gradient == null) {
            gradient = new double[p];
        }
        double[] gradient = this.gradient;
        for (int j = 0; j < p; j++) {
            gradient[j] = noisy[j] / expectedBatchSize;
        }
        double meanLossCoordinate = noisy[p] / expectedBatchSize;
        optimizer.step(params, gradient);
        return clip.tracksLoss() ? clip.decodeLoss(meanLossCoordinate) : Double.NaN;
    }

    @Override
    public String toString() {
        return "DriverUpdate[noiseMultiplier=" + noiseMultiplier + ", expectedBatchSize=" + expectedBatchSize
                + ", clip=" + clip + ", optimizer=" + optimizer + "]";
    }
}
