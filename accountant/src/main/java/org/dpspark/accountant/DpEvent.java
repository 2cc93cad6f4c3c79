package org.dpspark.accountant;

/**
 * {@code steps} compositions of the Poisson-subsampled Gaussian mechanism under add/remove adjacency.
 *
 * <p>Each step includes every record independently with probability {@code samplingRate} (q), sums the
 * records' contributions (L2 sensitivity 1 after clipping and scaling) and adds Gaussian noise of standard
 * deviation {@code noiseMultiplier} (sigma) times the sensitivity (Abadi et al. 2016; Mironov, Talwar,
 * Zhang 2019).
 *
 * @param samplingRate    q, with 0 &lt; q &lt;= 1 (q = 1: no subsampling)
 * @param noiseMultiplier sigma = noise standard deviation / L2 sensitivity, finite and &gt; 0
 * @param steps           number of compositions, &gt;= 1
 */
public record DpEvent(double samplingRate, double noiseMultiplier, long steps) {

    /** Validates the parameters; every check rejects NaN. */
    public DpEvent {
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException("samplingRate must be in (0, 1], got " + samplingRate);
        }
        if (!(noiseMultiplier > 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noiseMultiplier must be finite and > 0, got " + noiseMultiplier);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
    }
}
