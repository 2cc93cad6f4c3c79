package org.dpspark.jobs.train;

import java.io.Serializable;
import java.util.Locale;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.params.InvalidParameterException;

/**
 * DP data normalization of scattering channels before training ({@link ChannelNormalization}), two kinds:
 * <ul>
 *   <li>{@code --normalize dp:SIGMA[,MEAN_BOUND,SQUARE_BOUND]}: standardization. The channel means and mean squares
 *       of the training rows are released once by the Gaussian mechanism with noise multiplier SIGMA, and every
 *       channel is standardized with them (Tramer and Boneh's data normalization).</li>
 *   <li>{@code --normalize dp-zca:SIGMA[,MEAN_BOUND,MOMENT_BOUND[,EPS]]}: ZCA whitening. The channel means and the
 *       channels' second-moment matrix are released the same way, and every position's channel vector is whitened
 *       with the regularized inverse square root of the released covariance.</li>
 * </ul>
 * Either way two releases with no subsampling, accounted in the run's plan with the training.
 *
 * <p>The per-example contributions are clipped to {@code meanBound} and {@code squareBound} (L2). When both are NaN
 * (the forms {@code dp:SIGMA} and {@code dp-zca:SIGMA}), they are the proven bounds after the transform's group
 * normalization ({@link ChannelNormalization#groupNormMeanBound}, {@link ChannelNormalization#groupNormSquareBound};
 * for whitening the moment bound is C, the second-moment matrix's trace bound), which never clip; without group
 * normalization they must be given (public thresholds, hyperparameters like the clip norm). Whitening's {@code eps}
 * NaN means the default, {@link #DEFAULT_EPS}: measured on MNIST (docs/benchmarks.md), a small eps that whitens the
 * directions the noise dominates too did better than one at the noise's spectral norm (about 2 sqrt(C) MOMENT_BOUND
 * SIGMA / N for a C x C symmetric Gaussian matrix; Vershynin 2018, Cor. 4.4.8): 0.9883 at 1e-5 against 0.9871 at
 * 3e-4, one run each.
 *
 * @param kind            {@link #STANDARDIZE} or {@link #WHITEN}
 * @param noiseMultiplier sigma of both releases
 * @param meanBound       the channel means' clip bound, or NaN for the proven one
 * @param squareBound     the mean squares' (standardize) or second moments' (whiten) clip bound, or NaN for the proven
 * @param eps             whitening's regularization, NaN for the default (standardization: NaN)
 */
public record DataNormalization(String kind, double noiseMultiplier, double meanBound, double squareBound,
        double eps) implements Serializable {

    /** Channel standardization ({@code dp:}). */
    public static final String STANDARDIZE = "dp";

    /** ZCA whitening of the channels ({@code dp-zca:}). */
    public static final String WHITEN = "dp-zca";

    private static final long serialVersionUID = 1L;

    /** The parameter's canonical name ({@code --normalize}). */
    public static final String PARAM = "normalize";

    /** Checks the values: sigma positive and finite; the bounds both NaN, or both positive and finite. */
    public DataNormalization {
        if (!STANDARDIZE.equals(kind) && !WHITEN.equals(kind)) {
            throw InvalidParameterException.of(PARAM, "must be dp: or dp-zca:, got " + kind);
        }
        if (!Double.isNaN(eps) && (kind.equals(STANDARDIZE) || !positive(eps))) {
            throw InvalidParameterException.of(PARAM, "EPS is whitening's, and positive, got " + eps);
        }
        if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
            throw InvalidParameterException.of(PARAM, kind + ":SIGMA needs a positive noise multiplier SIGMA, got "
                    + noiseMultiplier);
        }
        boolean proven = Double.isNaN(meanBound) && Double.isNaN(squareBound);
        if (!proven && !(positive(meanBound) && positive(squareBound))) {
            throw InvalidParameterException.of(PARAM, kind + ":SIGMA,MEAN_BOUND,... needs two positive bounds, got "
                    + meanBound + " and " + squareBound);
        }
    }

    private static boolean positive(double v) {
        return v > 0 && !Double.isInfinite(v);
    }

    /**
     * Parses {@code none} (null: no normalization), {@code dp:SIGMA[,MEAN_BOUND,SQUARE_BOUND]} or
     * {@code dp-zca:SIGMA[,MEAN_BOUND,MOMENT_BOUND[,EPS]]}.
     *
     * @throws InvalidParameterException naming the parameter when the text is none of these
     */
    public static DataNormalization parse(String text) {
        String t = text == null ? "none" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return null;
        }
        String kind = t.startsWith(WHITEN + ":") ? WHITEN : t.startsWith(STANDARDIZE + ":") ? STANDARDIZE : null;
        if (kind == null) {
            throw InvalidParameterException.of(PARAM, "must be none, dp:SIGMA[,MEAN_BOUND,SQUARE_BOUND] or "
                    + "dp-zca:SIGMA[,MEAN_BOUND,MOMENT_BOUND[,EPS]], got '" + text + "'");
        }
        String[] p = t.substring(kind.length() + 1).split(",", -1);
        boolean ok = kind.equals(STANDARDIZE) ? p.length == 1 || p.length == 3 : p.length == 1 || p.length == 3
                || p.length == 4;
        if (!ok) {
            throw InvalidParameterException.of(PARAM, kind + ": takes " + (kind.equals(STANDARDIZE)
                    ? "SIGMA, or SIGMA,MEAN_BOUND,SQUARE_BOUND" : "SIGMA, SIGMA,MEAN_BOUND,MOMENT_BOUND or "
                    + "SIGMA,MEAN_BOUND,MOMENT_BOUND,EPS") + ", got '" + text + "'");
        }
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            try {
                v[i] = Double.parseDouble(p[i].strip());
            } catch (NumberFormatException e) {
                throw InvalidParameterException.of(PARAM, kind + ": takes numbers, got '" + text + "'");
            }
        }
        return new DataNormalization(kind, v[0], p.length > 1 ? v[1] : Double.NaN, p.length > 1 ? v[2] : Double.NaN,
                p.length > 3 ? v[3] : Double.NaN);
    }

    /** Whether this is ZCA whitening (else standardization). */
    public boolean whitening() {
        return kind.equals(WHITEN);
    }

    /** Whitening's default regularization, as batch normalization's eps in PyTorch. */
    public static final double DEFAULT_EPS = 1e-5;

    /** Whitening's regularization: EPS, or {@link #DEFAULT_EPS}. */
    public double whiteningEps() {
        return Double.isNaN(eps) ? DEFAULT_EPS : eps;
    }

    /** Whether the bounds are the proven ones after group normalization (the form {@code dp:SIGMA}). */
    public boolean provenBounds() {
        return Double.isNaN(meanBound);
    }

    /**
     * The clip bounds {mean, square} for a transform of {@code channels} channels in {@code groups} groups (0: no
     * group normalization).
     *
     * @throws InvalidParameterException when the bounds are to be proven but the transform has no group normalization
     */
    public double[] bounds(int channels, int groups) {
        if (!provenBounds()) {
            return new double[] {meanBound, squareBound};
        }
        if (groups < 1) {
            throw new InvalidParameterException(java.util.List.of(PARAM, "features"), "%s " + kind + ":SIGMA takes "
                    + "its clip bounds from the group normalization of %s scatter:J,L,G, which has none here (G = 0): "
                    + "give them, " + kind + ":SIGMA,MEAN_BOUND," + (whitening() ? "MOMENT_BOUND" : "SQUARE_BOUND"));
        }
        return new double[] {ChannelNormalization.groupNormMeanBound(channels), whitening()
                ? ChannelNormalization.groupNormMomentBound(channels)
                : ChannelNormalization.groupNormSquareBound(channels, groups)};
    }
}
