package org.dpspark.datasets;

import java.util.Locale;

/**
 * How a {@link DenseBlock} stores its features: as doubles (8 bytes a value, the default) or as floats (4 bytes: half
 * the memory and bandwidth). A float32 block's values are the float nearest to each encoded double; a step reads them
 * back as doubles ({@link DenseBlock#rows()}), so the privacy-critical arithmetic (norms, clipping factors, noise,
 * the sum) stays in double whatever the storage. A float32 block's rows say so ({@code RowSource.floatValues}): the
 * MLP then computes its first-layer forward product in float32.
 */
public enum Precision {
    FLOAT64("float64", Double.BYTES),
    FLOAT32("float32", Float.BYTES);

    private final String jsonName;
    private final int bytes;

    Precision(String jsonName, int bytes) {
        this.jsonName = jsonName;
        this.bytes = bytes;
    }

    /** The flag's and the report's name: {@code float64} or {@code float32}. */
    public String jsonName() {
        return jsonName;
    }

    /** Bytes per stored feature value: 8 or 4. */
    public int bytes() {
        return bytes;
    }

    /**
     * The precision named {@code s} ({@code float64} or {@code float32}, case-insensitive).
     *
     * @throws IllegalArgumentException for any other name (the message names the accepted ones, not a flag)
     */
    public static Precision parse(String s) {
        if (s != null) {
            for (Precision p : values()) {
                if (p.jsonName.equals(s.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("must be float64 or float32, got '" + s + "'");
    }
}
