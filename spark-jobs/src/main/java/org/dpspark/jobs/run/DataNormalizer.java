package org.dpspark.jobs.run;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.RowEncoder;
import org.dpspark.datasets.spec.ScatterTransform;
import org.dpspark.datasets.spec.VectorFeature;
import org.dpspark.jobs.train.DataNormalization;

/**
 * The data normalization step of a run ({@link DataNormalization}): checks that it fits the spec (before anything is
 * reserved), then, after the reservation, sums every row's clipped channel statistics on the executors in one job
 * and releases them on the driver with the Gaussian mechanism ({@link ChannelNormalization#release}, or
 * {@link ChannelNormalization#releaseWhitening} for whitening). The executors
 * send only per-partition sums of clipped contributions; the driver adds the noise before the sums leave this class,
 * and neither the sums nor the rows are logged.
 */
final class DataNormalizer {

    private final DataNormalization settings;
    private final ScatterTransform transform;
    private final int offset;
    private final double meanBound;
    private final double squareBound;

    private DataNormalizer(DataNormalization settings, ScatterTransform transform, int offset, double meanBound,
            double squareBound) {
        this.settings = settings;
        this.transform = transform;
        this.offset = offset;
        this.meanBound = meanBound;
        this.squareBound = squareBound;
    }

    /**
     * The step for {@code spec}, whose vector feature must carry a scattering transform without statistics yet.
     *
     * @throws InvalidParameterException naming {@code normalize} (and {@code features}) when it does not fit
     */
    static DataNormalizer check(DataNormalization n, FeatureSpec spec) {
        int[] offsets = spec.offsets();
        for (int i = 0; i < spec.features().size(); i++) {
            if (spec.features().get(i) instanceof VectorFeature v && v.transform() instanceof ScatterTransform sc) {
                if (sc.normalization().isPresent()) {
                    throw InvalidParameterException.of(DataNormalization.PARAM, "the spec's scattering transform "
                            + "already carries released statistics: use a spec without them");
                }
                double[] b = n.bounds(sc.channels(), sc.groups());
                return new DataNormalizer(n, sc, offsets[i], b[0], b[1]);
            }
        }
        throw new InvalidParameterException(List.of(DataNormalization.PARAM, "features"), "%s " + n.kind()
                + " normalizes scattering channels: it needs %s scatter:J,L[,G] (the default for --format mnist)");
    }

    /** The mean bound of the contributions. */
    double meanBound() {
        return meanBound;
    }

    /** The square bound of the contributions. */
    double squareBound() {
        return squareBound;
    }

    /** The channels normalized. */
    int channels() {
        return transform.channels();
    }

    /** Whitening's regularization (NaN for a standardization). */
    double eps() {
        return settings.whitening() ? settings.whiteningEps() : Double.NaN;
    }

    /** What this step fits: "standardization" or "ZCA whitening". */
    String what() {
        return settings.whitening() ? "ZCA whitening" : "standardization";
    }

    /**
     * Releases the channel statistics of {@code frame}'s {@code rows} rows (validated, so every row encodes) with
     * noise multiplier {@code sigma} from {@code noise}, and fits the map.
     */
    ChannelNormalization.ChannelMap release(Dataset<Row> frame, FeatureSpec spec, long rows, double sigma,
            Noise noise) {
        RowEncoder encoder = new RowEncoder(spec, frame.schema());
        int channels = transform.channels();
        int spatial = transform.spatial();
        int at = offset;
        double mb = meanBound;
        double sb = squareBound;
        boolean whiten = settings.whitening();
        int length = whiten ? ChannelNormalization.momentsLength(channels) : 2 * channels;
        JavaRDD<double[]> partial = frame.javaRDD().mapPartitions(it -> {
            double[] sums = new double[length];
            double[] x = new double[encoder.dimension()];
            while (it.hasNext()) {
                encoder.encodeInto(it.next(), x, 0);
                if (whiten) {
                    ChannelNormalization.contributeMoments(x, at, channels, spatial, mb, sb, sums);
                } else {
                    ChannelNormalization.contribute(x, at, channels, spatial, mb, sb, sums);
                }
            }
            return List.of(sums).iterator();
        });
        double[] sums = partial.treeReduce((a, b) -> {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return a;
        });
        ChannelNormalization.ChannelMap map = whiten
                ? ChannelNormalization.releaseWhitening(sums, rows, sigma, mb, sb, eps(), noise)
                : ChannelNormalization.release(sums, rows, sigma, mb, sb, noise);
        java.util.Arrays.fill(sums, 0.0); // the pre-noise sums go no further
        return map;
    }
}
