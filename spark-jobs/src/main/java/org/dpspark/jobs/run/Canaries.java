package org.dpspark.jobs.run;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.api.java.JavaRDD;
import org.dpspark.accountant.audit.AuditResult;
import org.dpspark.core.audit.BlackBoxCanaries;
import org.dpspark.core.audit.CanaryDraw;
import org.dpspark.core.audit.CanaryPaddedModel;
import org.dpspark.core.audit.WhiteBoxCanaries;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.train.AuditCanaries;

/**
 * The canaries of one audit run (Steinke, Nasr and Jagielski 2023, Algorithm 1): drawn on the driver, planted in the
 * run, scored after it. The coins (which canaries are in) come from a secure source and stay on the driver, except
 * that each partition learns which of its own white-box canaries to add, and the blocks hold the included black-box
 * rows; nothing about them is logged.
 */
final class Canaries {
    private final AuditSettings settings;
    private final int partitions;
    private final boolean[] whiteIn;
    private final int firstCoordinate;
    private final double rawNorm;
    private final BlackBoxCanaries blackBox;
    private final boolean[] blackIn;

    private Canaries(AuditSettings settings, int partitions, boolean[] whiteIn, int firstCoordinate, double rawNorm,
            BlackBoxCanaries blackBox, boolean[] blackIn) {
        this.settings = settings;
        this.partitions = partitions;
        this.whiteIn = whiteIn;
        this.firstCoordinate = firstCoordinate;
        this.rawNorm = rawNorm;
        this.blackBox = blackBox;
        this.blackIn = blackIn;
    }

    /**
     * Draws the coins and the black-box rows.
     *
     * @param padded the padded model of a white-box audit, or null
     * @param base the model as published (the black-box rows' shape)
     * @param seed the insecure test seed, when the run is on that path (the coins are then reproducible)
     */
    static Canaries plant(AuditSettings a, ModelSpec spec, CanaryPaddedModel padded, DpModel base,
            int partitions, double clipNorm, OptionalLong seed) {
        RandomSource rng = seed.isPresent()
                ? InsecureTestRandomness.seededSource(seed.getAsLong() ^ 0x61756469744cL)
                : CsprngStream.fromSecureRandom();
        boolean[] whiteIn = null;
        int first = -1;
        if (a.whiteBox()) {
            whiteIn = CanaryDraw.coins(a.canaries(), rng);
            first = padded.canaryCoordinate(0);
        }
        BlackBoxCanaries bb = null;
        boolean[] blackIn = null;
        if (a.blackBox()) {
            int classes = spec.isClassifier() ? Math.max(2, spec.numClasses()) : 0;
            bb = BlackBoxCanaries.generate(a.canaries(), base.numFeatures(), classes, spec.labelMin(), spec.labelMax(),
                    rng);
            blackIn = CanaryDraw.coins(a.canaries(), rng);
        }
        return new Canaries(a, partitions, whiteIn, first, a.rawNormFactor() * clipNorm, bb, blackIn);
    }

    BlackBoxCanaries blackBox() {
        return blackBox;
    }

    /** What the steps add: the white-box canaries of each partition, and how many black-box rows the blocks hold. */
    AuditCanaries planted() {
        int[][] ids = whiteIn == null ? null : CanaryDraw.byPartition(whiteIn, partitions);
        long extra = 0;
        if (blackIn != null) {
            for (boolean in : blackIn) {
                extra += in ? 1 : 0;
            }
        }
        return new AuditCanaries(firstCoordinate, ids, rawNorm, extra);
    }

    /** The blocks with each partition's included black-box rows appended as one more block. */
    JavaRDD<DenseBlock> appendRows(JavaRDD<DenseBlock> blocks) {
        int[][] ids = CanaryDraw.byPartition(blackIn, blocks.getNumPartitions());
        int d = blackBox.numFeatures();
        DenseBlock[] extra = new DenseBlock[ids.length];
        for (int p = 0; p < ids.length; p++) {
            double[] x = new double[ids[p].length * d];
            double[] y = new double[ids[p].length];
            for (int k = 0; k < ids[p].length; k++) {
                System.arraycopy(blackBox.features(), ids[p][k] * d, x, k * d, d);
                y[k] = blackBox.labels()[ids[p][k]];
            }
            extra[p] = new DenseBlock(ids[p].length, d, x, y);
        }
        return blocks.mapPartitionsWithIndex((p, it) -> append(it, extra[p]), true);
    }

    private static Iterator<DenseBlock> append(Iterator<DenseBlock> it, DenseBlock extra) {
        List<DenseBlock> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        if (extra.rows() > 0) {
            out.add(extra);
        }
        return out.iterator();
    }

    /**
     * Each game's result.
     *
     * @param paddedParams the final parameters with the canary coordinates (white-box), or null
     * @param base the published model, and {@code params} its final parameters (black-box: the loss of each row)
     * @param delta the delta of the claim (0 for a non-private run)
     */
    List<AuditResult> score(double[] paddedParams, DpModel base, double[] params, double delta) {
        List<AuditResult> out = new ArrayList<>();
        if (whiteIn != null) {
            // The canary coordinates start at 0 (CanaryPaddedModel pads the initial parameters with zeros).
            double[] scores = WhiteBoxCanaries.scores(new double[paddedParams.length], paddedParams, firstCoordinate,
                    settings.canaries());
            out.add(AuditResult.of("white-box", scores, whiteIn, settings.guessesIn(), settings.guessesOut(), delta,
                    settings.beta()));
        }
        if (blackIn != null) {
            out.add(AuditResult.of("black-box", blackBox.scores(base, params), blackIn, settings.guessesIn(),
                    settings.guessesOut(), delta, settings.beta()));
        }
        return out;
    }
}
