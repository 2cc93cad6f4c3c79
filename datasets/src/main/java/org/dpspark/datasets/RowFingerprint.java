package org.dpspark.datasets;

import java.io.Serializable;
import java.util.Locale;

/**
 * An order-independent fingerprint of a dataset's encoded rows: the rows as training sees them (the feature vector
 * after the spec's encoding, and the label), not the bytes of the files that hold them. The same rows give the same
 * fingerprint in CSV, Parquet or Arrow, split into any number of files or partitions, in any order.
 *
 * <p>Each row (x, y) is hashed by two independent 64-bit lanes (a MurmurHash3-finalizer chain over the IEEE bits of
 * x_1..x_d, y, with -0.0 folded to 0.0), and the lanes are summed over the rows modulo 2^64: addition commutes, so
 * order and partitioning do not matter, while repeating or dropping a row changes the sums. It identifies data for
 * the privacy ledger; it is not a cryptographic commitment (a party that controls the rows can craft a collision).
 * Rendered as {@code rows-v1:<lane 1><lane 2>:<N>} (hex).
 */
public final class RowFingerprint implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long SEED_1 = 0x9E3779B97F4A7C15L;
    private static final long SEED_2 = 0xC2B2AE3D27D4EB4FL;

    private long rows;
    private long lane1;
    private long lane2;

    /** Adds the row whose d features start at {@code x[offset]}, with label {@code y}. */
    public RowFingerprint add(double[] x, int offset, int d, double y) {
        long h1 = SEED_1;
        long h2 = SEED_2;
        for (int j = 0; j < d; j++) {
            long bits = Double.doubleToLongBits(x[offset + j] + 0.0);
            h1 = mix(h1 ^ bits);
            h2 = mix(h2 + bits * 0x9FB21C651E98DF25L);
        }
        long yb = Double.doubleToLongBits(y + 0.0);
        lane1 += mix(h1 ^ yb ^ d);
        lane2 += mix(h2 + yb * 0x9FB21C651E98DF25L + d);
        rows++;
        return this;
    }

    /** Adds another part's rows (e.g. another partition's). */
    public RowFingerprint merge(RowFingerprint other) {
        rows += other.rows;
        lane1 += other.lane1;
        lane2 += other.lane2;
        return this;
    }

    /** The rows added. */
    public long rows() {
        return rows;
    }

    /** The two lanes and the row count, for transport (e.g. in a Spark task's result). */
    public long[] toLongs() {
        return new long[] {rows, lane1, lane2};
    }

    /** Rebuilds a part from {@link #toLongs()}. */
    public static RowFingerprint fromLongs(long rows, long lane1, long lane2) {
        RowFingerprint f = new RowFingerprint();
        f.rows = rows;
        f.lane1 = lane1;
        f.lane2 = lane2;
        return f;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "rows-v1:%016x%016x:%d", lane1, lane2, rows);
    }

    /** The finalizer of MurmurHash3 (Appleby), a bijective 64-bit mixer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
