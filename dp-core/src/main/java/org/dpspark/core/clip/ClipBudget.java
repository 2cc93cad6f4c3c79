package org.dpspark.core.clip;

/**
 * How an example's L2 budget C is split between its clipped gradient and a coordinate that carries its loss, so
 * that the training loss is released by the same Gaussian mechanism as the gradient, at no extra privacy cost.
 *
 * <p>Each example contributes the vector (g, l) with
 * <ul>
 *   <li>g = the gradient clipped to {@link #gradientClip()} = C sqrt(1 - s^2), and</li>
 *   <li>l = {@link #lossCoordinate(double)} = s C min(max(loss, 0), B) / B, so 0 &lt;= l &lt;= s C,</li>
 * </ul>
 * where s = lossShare and B = lossBound. Then ||(g, l)||^2 &lt;= C^2 (1 - s^2) + s^2 C^2 = C^2: the whole vector
 * has L2 sensitivity C, and adding N(0, sigma^2 C^2) to every coordinate of the sum (Abadi et al. 2016,
 * Algorithm 1) releases the gradient and the loss together under one Gaussian mechanism. {@link
 * #decodeLoss(double)} maps the noisy mean coordinate back to a loss: mean * B / (s C). It estimates the mean of
 * the losses clamped to [0, B]; a NaN loss counts as B. s = 0 disables loss tracking (coordinate 0, decoded
 * loss NaN) and leaves the whole budget to the gradient.
 *
 * @param clipNorm  C, the L2 bound of each example's whole contribution, finite and &gt; 0
 * @param lossShare s, the fraction of C given to the loss coordinate, 0 &lt;= s &lt; 1
 * @param lossBound B, the public bound to which losses are clamped, finite and &gt; 0
 */
public record ClipBudget(double clipNorm, double lossShare, double lossBound) implements java.io.Serializable {

    public static final double DEFAULT_LOSS_SHARE = 0.2;
    public static final double DEFAULT_LOSS_BOUND = 5.0;

    public ClipBudget {
        if (!(clipNorm > 0.0 && clipNorm < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
        }
        if (!(lossShare >= 0.0 && lossShare < 1.0)) {
            throw new IllegalArgumentException("lossShare must be in [0, 1), got " + lossShare);
        }
        if (!(lossBound > 0.0 && lossBound < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("lossBound must be finite and > 0, got " + lossBound);
        }
    }

    /**
     * clipNorm C with loss tracking at the defaults: lossShare 0.2, lossBound 5. The gradient keeps
     * sqrt(1 - 0.04) = 98% of C; a log loss above 5 (a probability below 0.7% for the true class) is clamped.
     */
    public static ClipBudget withDefaultLossTracking(double clipNorm) {
        return new ClipBudget(clipNorm, DEFAULT_LOSS_SHARE, DEFAULT_LOSS_BOUND);
    }

    /** clipNorm C with loss tracking disabled (lossShare 0): the gradient gets the whole budget. */
    public static ClipBudget withoutLossTracking(double clipNorm) {
        return new ClipBudget(clipNorm, 0.0, DEFAULT_LOSS_BOUND);
    }

    /** Whether the loss coordinate carries anything (lossShare &gt; 0). */
    public boolean tracksLoss() {
        return lossShare > 0.0;
    }

    /** C sqrt(1 - s^2): the L2 bound of the gradient part. */
    public double gradientClip() {
        return clipNorm * Math.sqrt(1.0 - lossShare * lossShare);
    }

    /** s C min(max(loss, 0), B) / B, in [0, s C]; a NaN loss counts as B; 0 when lossShare is 0. */
    public double lossCoordinate(double loss) {
        if (lossShare == 0.0) {
            return 0.0;
        }
        double clamped = Double.isNaN(loss) ? lossBound : Math.min(Math.max(loss, 0.0), lossBound);
        return lossShare * clipNorm * (clamped / lossBound);
    }

    /** meanCoordinate * B / (s C): the loss that a mean loss coordinate stands for; NaN when lossShare is 0. */
    public double decodeLoss(double meanCoordinate) {
        if (lossShare == 0.0) {
            return Double.NaN;
        }
        return meanCoordinate * lossBound / (lossShare * clipNorm);
    }

    /**
     * The standard deviation of one step's decoded loss estimate: the noise sigma C on the loss coordinate,
     * divided by the expected batch size qN and decoded by B / (s C), i.e. sigma B / (s qN). NaN without loss
     * tracking. Averaging k steps divides it by sqrt(k).
     */
    public double lossEstimateStd(double noiseMultiplier, double expectedBatchSize) {
        if (!tracksLoss()) {
            return Double.NaN;
        }
        return noiseMultiplier * lossBound / (lossShare * expectedBatchSize);
    }
}
