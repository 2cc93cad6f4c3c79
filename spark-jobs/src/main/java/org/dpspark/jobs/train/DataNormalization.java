package org.dpspark.jobs.train;

import java.io.Serializable;
import java.util.Locale;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.params.InvalidParameterException;

/**
 * DP data normalization of scattering channels before training ({@code --normalize dp:SIGMA[,MEAN_BOUND,SQUARE_BOUND]};
 * {@link ChannelNormalization}): the channel means and mean squares of the training rows are released once by the
 * Gaussian mechanism with noise multiplier {@code noiseMultiplier}, accounted in the run's plan with the training
 * (two releases, no subsampling), and every channel is standardized with them.
 *
 * <p>The per-example contributions are clipped to {@code meanBound} and {@code squareBound} (L2). When both are NaN
 * (the form {@code dp:SIGMA}), they are the proven bounds after the transform's group normalization
 * ({@link ChannelNormalization#groupNormMeanBound}, {@link ChannelNormalization#groupNormSquareBound}), which never
 * clip; without group normalization they must be given (public thresholds, hyperparameters like the clip norm).
 *
 * @param noiseMultiplier sigma of both releases
 * @param meanBound       the channel means' clip bound, or NaN for the proven one
 * @param squareBound     the channel mean squares' clip bound, or NaN for the proven one
 */
public record DataNormalization(double noiseMultiplier, double meanBound, double squareBound) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The parameter's canonical name ({@code --normalize}). */
    public static final String PARAM = "normalize";

    /** Checks the values: sigma positive and finite; the bounds both NaN, or both positive and finite. */
    public DataNormalization {
        if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
            throw InvalidParameterException.of(PARAM, "dp:SIGMA needs a positive noise multiplier SIGMA, got "
                    + noiseMultiplier);
        }
        boolean proven = Double.isNaN(meanBound) && Double.isNaN(squareBound);
        if (!proven && !(positive(meanBound) && positive(squareBound))) {
            throw InvalidParameterException.of(PARAM, "dp:SIGMA,MEAN_BOUND,SQUARE_BOUND needs two positive bounds, got "
                    + meanBound + " and " + squareBound);
        }
    }

    private static boolean positive(double v) {
        return v > 0 && !Double.isInfinite(v);
    }

    /**
     * Parses {@code none} (null: no normalization), {@code dp:SIGMA} or {@code dp:SIGMA,MEAN_BOUND,SQUARE_BOUND}.
     *
     * @throws InvalidParameterException naming the parameter when the text is none of these
     */
    public static DataNormalization parse(String text) {
        String t = text == null ? "none" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return null;
        }
        if (!t.startsWith("dp:")) {
            throw InvalidParameterException.of(PARAM, "must be none, dp:SIGMA or dp:SIGMA,MEAN_BOUND,SQUARE_BOUND, got '"
                    + text + "'");
        }
        String[] p = t.substring(3).split(",", -1);
        if (p.length != 1 && p.length != 3) {
            throw InvalidParameterException.of(PARAM, "dp: takes SIGMA, or SIGMA,MEAN_BOUND,SQUARE_BOUND, got '"
                    + text + "'");
        }
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            try {
                v[i] = Double.parseDouble(p[i].strip());
            } catch (NumberFormatException e) {
                throw InvalidParameterException.of(PARAM, "dp: takes numbers, got '" + text + "'");
            }
        }
        return p.length == 1 ? new DataNormalization(v[0], Double.NaN, Double.NaN)
                : new DataNormalization(v[0], v[1], v[2]);
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
            throw new InvalidParameterException(java.util.List.of(PARAM, "features"), "%s dp:SIGMA takes its clip "
                    + "bounds from the group normalization of %s scatter:J,L,G, which has none here (G = 0): give "
                    + "them, dp:SIGMA,MEAN_BOUND,SQUARE_BOUND");
        }
        return new double[] {ChannelNormalization.groupNormMeanBound(channels),
                ChannelNormalization.groupNormSquareBound(channels, groups)};
    }

    /** The flag's text form. */
    public String text() {
        return "dp:" + num(noiseMultiplier) + (provenBounds() ? "" : "," + num(meanBound) + "," + num(squareBound));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
