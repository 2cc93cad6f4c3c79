package org.dpspark.datasets.spec;

import java.io.Serializable;
import java.util.Locale;

/**
 * A fixed, public, data-independent map applied to an image vector after its elements are encoded to [0, 1]: nothing
 * is fitted on the data, so it costs no privacy. Saved in the feature spec (and so in every model trained with it)
 * and applied alike to training, evaluation and prediction. Implementations are immutable, thread-safe and
 * serializable.
 *
 * <p>Text forms ({@code dp-train --features}): {@code dct:K} ({@link LowPassDct}) and {@code scatter:J,L[,G]}
 * ({@link ScatterTransform}).
 */
public sealed interface ImageTransform extends Serializable permits LowPassDct, ScatterTransform {

    /** Image height. */
    int height();

    /** Image width. */
    int width();

    /** Input length: height * width. */
    default int inputSize() {
        return height() * width();
    }

    /** Output length. */
    int outputSize();

    /**
     * Writes the transform of {@code in[inOffset .. inOffset + inputSize())} to
     * {@code out[outOffset .. outOffset + outputSize())}; the ranges must not overlap.
     */
    void apply(double[] in, int inOffset, double[] out, int outOffset);

    /** The text form, as {@code --features} takes it. */
    String text();

    /**
     * A bound on the output's L2 norm for every input of L2 norm at most {@code inputNorm} (a proven bound, stated
     * by each implementation).
     */
    double normBound(double inputNorm);

    /**
     * Parses a text form for a square image of {@code size} = S * S elements.
     *
     * @throws IllegalArgumentException naming the text when it is neither form, or its parameters do not fit the image
     */
    static ImageTransform parse(String text, int size) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith(LowPassDct.TYPE + ":")) {
            return LowPassDct.parse(t, size);
        }
        if (t.startsWith(ScatterTransform.TYPE + ":")) {
            return ScatterTransform.parse(t, size);
        }
        throw new IllegalArgumentException("a feature transform must be dct:K or scatter:J,L[,G], got '" + text + "'");
    }
}
