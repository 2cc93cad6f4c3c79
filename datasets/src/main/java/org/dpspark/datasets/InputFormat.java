package org.dpspark.datasets;

import java.util.Locale;

/** The input formats {@link DataReader} reads. */
public enum InputFormat {
    /** Comma-separated text with a header line; every column read as a string. */
    CSV,
    /** Apache Parquet (a file or a directory). */
    PARQUET,
    /** Arrow IPC file format (Feather v2), possibly LZ4/ZSTD-compressed. Alias: "feather". */
    ARROW,
    /** The UCI Adult files as distributed (adult.data, adult.test). */
    ADULT,
    /** MNIST IDX files (raw or gzip): the path names the images file; see {@link MnistReader}. */
    MNIST,
    /** LibSVM / SVMlight text ("label index:value ..."), read by Spark's "libsvm" data source. */
    LIBSVM;

    /**
     * Parses a format name, case-insensitively, ignoring surrounding whitespace; "feather" means {@link #ARROW}.
     *
     * @throws IllegalArgumentException for null or an unknown name (the message lists the allowed values)
     */
    public static InputFormat parse(String s) {
        if (s != null) {
            String t = s.strip().toLowerCase(Locale.ROOT);
            for (InputFormat f : values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(t)) {
                    return f;
                }
            }
            if (t.equals("feather")) {
                return ARROW;
            }
        }
        throw new IllegalArgumentException("input format must be one of csv, parquet, arrow (or feather), adult, mnist,"
                + " libsvm;"
                + " got '" + s + "'");
    }
}
