package org.dpspark.core.sampling;

import java.util.Objects;
import java.util.function.IntConsumer;
import org.dpspark.core.random.RandomSource;

/**
 * Poisson subsampling with rate q: every index in [0, n) is selected independently with probability q. This is
 * the sampling that the subsampled-Gaussian privacy analysis assumes (Abadi et al. 2016, "Deep Learning with
 * Differential Privacy", CCS; Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian
 * Mechanism"); a fixed-size or shuffled batch does not carry the same guarantee.
 *
 * <p>Geometric skips, O(qn) work instead of O(n): rather than flipping n coins, draw the number of unselected
 * indices before the next selected one, G = floor(ln U / ln(1 - q)) with U uniform in (0, 1]. Since
 * ln(1 - q) &lt; 0, G &gt;= k iff ln U &lt;= k ln(1 - q) iff U &lt;= (1 - q)^k, so P(G &gt;= k) = (1 - q)^k: G is
 * geometric, P(G = k) = (1 - q)^k q, exactly the law of the run of failures before the first success in
 * independent Bernoulli(q) trials. The trials after a success are independent of those before it, so a sequence of
 * Bernoulli(q) coins is the same thing as a sequence of independent geometric gaps between its successes, and
 * walking the indices with i &lt;- i + G + 1 selects each index independently with probability q. (Exact up to
 * the 2^-53 resolution of U and the rounding of ln; ln(1 - q) is computed as log1p(-q) so small q stay accurate.)
 * U = 1 - nextDouble() is never 0, so ln U is finite; q == 1 selects every index.
 *
 * <p>Immutable and thread-safe; the randomness comes from the {@link RandomSource} passed to each call, which in
 * the trainer is {@code CsprngStream.derive(jobSecret, step, partition)}.
 */
public final class PoissonSampler implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final double q;
    /** 1 / ln(1 - q); unused when q == 1. */
    private final double inverseLogOneMinusQ;

    /** @param q the sampling rate, 0 &lt; q &lt;= 1 */
    public PoissonSampler(double q) {
        if (!(q > 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("q must be in (0, 1], got " + q);
        }
        this.q = q;
        this.inverseLogOneMinusQ = q == 1.0 ? 0.0 : 1.0 / Math.log1p(-q);
    }

    /** The sampling rate q. */
    public double rate() {
        return q;
    }

    /**
     * Selects each index of [0, n) independently with probability q, calling {@code onSelected} for each selected
     * index in increasing order.
     *
     * @return the number of selected indices
     */
    public int sample(int n, RandomSource rng, IntConsumer onSelected) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(onSelected, "onSelected");
        if (q == 1.0) {
            for (int i = 0; i < n; i++) {
                onSelected.accept(i);
            }
            return n;
        }
        int count = 0;
        long last = -1; // the last selected index; long so that last + skip + 1 cannot overflow
        for (;;) {
            double u = 1.0 - rng.nextDouble(); // in (0, 1]: nextDouble() < 1
            if (u <= 0.0) {
                u = Double.MIN_NORMAL; // unreachable guard: keeps ln(u) finite
            }
            double skip = Math.floor(Math.log(u) * inverseLogOneMinusQ); // >= 0, may be huge
            if (skip >= (double) (n - 1 - last)) {
                return count; // the next selection would be at index >= n
            }
            last += (long) skip + 1;
            onSelected.accept((int) last);
            count++;
        }
    }

    @Override
    public String toString() {
        return "PoissonSampler[q=" + q + "]";
    }
}
