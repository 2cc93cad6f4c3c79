package org.dpspark.datasets;

import java.io.Serializable;
import java.nio.file.Path;
import org.dpspark.core.step.RowSource;

/**
 * One partition's examples packed for training: row-major features ({@code features[r * dim + j]} is coordinate j
 * of example r) and labels ({@code labels[r]}: a class index 0, 1, ... or a clipped regression value).
 *
 * <p>The accessors return the internal arrays, not copies, so executors can run the per-example gradient loop
 * without allocation; callers must not modify them. {@link #toString()} shows only the shape, never the data.
 *
 * <p>Privacy unit. Without {@code userStarts} (row level) each row is its own unit: {@link #users()} equals
 * {@link #rows()}. With it (user level, see {@link UserBlocks}), the rows are grouped by user: user u of the block
 * owns the contiguous rows {@code [userStarts[u], userStarts[u + 1])}, so {@code userStarts} has length
 * {@code users + 1}, starts at 0, ends at {@code rows} and is strictly increasing (no user has 0 rows). The
 * grouping carries no user id, only the boundaries.
 *
 * <p>Storage. The features are kept as doubles (the default), as floats ({@link Precision#FLOAT32}: half the memory;
 * see {@link #withPrecision}) or in a file on the executor's local disk ({@link BlockFile}; see {@link #toDisk}),
 * with the labels (and user boundaries) in memory. Whatever the storage, {@link #rowSource()} reads rows as doubles;
 * {@link #features()} is the double array of a float64 block in memory only.
 */
public final class DenseBlock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int dim;
    /** Exactly one of features, features32, file is non-null. */
    private final double[] features;
    private final float[] features32;
    private final BlockFile file;
    private final double[] labels;
    /** Null at row level. */
    private final int[] userStarts;

    /**
     * @param rows     number of examples, {@code >= 0}
     * @param dim      feature dimension, {@code >= 1}
     * @param features row-major, length {@code rows * dim} (kept, not copied)
     * @param labels   length {@code rows} (kept, not copied)
     */
    public DenseBlock(int rows, int dim, double[] features, double[] labels) {
        this(rows, dim, features, labels, null);
    }

    /**
     * A block whose rows are grouped by user.
     *
     * @param rows       number of examples, {@code >= 0}
     * @param dim        feature dimension, {@code >= 1}
     * @param features   row-major, length {@code rows * dim} (kept, not copied)
     * @param labels     length {@code rows} (kept, not copied)
     * @param userStarts null for row level; else length {@code users + 1}, {@code userStarts[0] = 0}, strictly
     *                   increasing, last element {@code rows} (kept, not copied)
     */
    public DenseBlock(int rows, int dim, double[] features, double[] labels, int[] userStarts) {
        this(rows, dim, requireFeatures(features), null, null, labels, userStarts);
    }

    /**
     * A row-level block whose features are floats (see {@link Precision#FLOAT32}).
     *
     * @param features row-major, length {@code rows * dim} (kept, not copied)
     */
    public DenseBlock(int rows, int dim, float[] features, double[] labels) {
        this(rows, dim, null, requireFeatures(features), null, labels, null);
    }

    private static <T> T requireFeatures(T features) {
        if (features == null) {
            throw new IllegalArgumentException("features and labels must be non-null");
        }
        return features;
    }

    private DenseBlock(int rows, int dim, double[] features, float[] features32, BlockFile file, double[] labels,
            int[] userStarts) {
        if (!(rows >= 0)) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (!(dim >= 1)) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (labels == null) {
            throw new IllegalArgumentException("features and labels must be non-null");
        }
        long length = features != null ? features.length : features32 != null ? features32.length : -1;
        if (file != null && (file.rows() != rows || file.dim() != dim)) {
            throw new IllegalArgumentException("the block file holds " + file.rows() + " x " + file.dim()
                    + " values, the block " + rows + " x " + dim);
        }
        if (file == null && (long) rows * dim != length) {
            throw new IllegalArgumentException("features.length must be rows * dim = " + ((long) rows * dim)
                    + ", got " + length);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException("labels.length must be rows = " + rows + ", got " + labels.length);
        }
        if (userStarts != null) {
            checkUserStarts(userStarts, rows);
        }
        this.rows = rows;
        this.dim = dim;
        this.features = features;
        this.features32 = features32;
        this.file = file;
        this.labels = labels;
        this.userStarts = userStarts;
    }

    private static void checkUserStarts(int[] userStarts, int rows) {
        if (userStarts.length < 1) {
            throw new IllegalArgumentException("userStarts must have length users + 1 >= 1, got 0");
        }
        if (userStarts[0] != 0) {
            throw new IllegalArgumentException("userStarts[0] must be 0, got " + userStarts[0]);
        }
        if (userStarts[userStarts.length - 1] != rows) {
            throw new IllegalArgumentException("userStarts must end at rows = " + rows + ", got "
                    + userStarts[userStarts.length - 1]);
        }
        for (int u = 1; u < userStarts.length; u++) {
            if (!(userStarts[u] > userStarts[u - 1])) {
                throw new IllegalArgumentException("userStarts must be strictly increasing (every user owns at least"
                        + " one row), but userStarts[" + u + "] = " + userStarts[u] + " after " + userStarts[u - 1]);
            }
        }
    }

    /** Number of examples. */
    public int rows() {
        return rows;
    }

    /** Feature dimension. */
    public int dim() {
        return dim;
    }

    /**
     * The row-major feature array itself (not a copy; do not modify), of a float64 block in memory.
     *
     * @throws IllegalStateException for a float32 block or one on disk: read its rows through {@link #rowSource()}
     *     or {@link #featuresAsDoubles()}
     */
    public double[] features() {
        if (features == null) {
            throw new IllegalStateException("this block keeps its features " + storageName()
                    + ": read them through rowSource()");
        }
        return features;
    }

    /** How the features are stored: FLOAT64 or FLOAT32 (in memory or in the block's file). */
    public Precision precision() {
        return file != null ? file.precision() : features32 != null ? Precision.FLOAT32 : Precision.FLOAT64;
    }

    /** Whether the features live in a file on the executor's local disk ({@link #toDisk}). */
    public boolean onDisk() {
        return file != null;
    }

    /** The block's file, or null when its features are in memory. */
    public BlockFile file() {
        return file;
    }

    /** The stored features' size in bytes: rows x dim x 8 (float64) or 4 (float32), in memory or on disk. */
    public long featureBytes() {
        return (long) rows * dim * precision().bytes();
    }

    /** The features' bytes held in memory: {@link #featureBytes()}, or 0 when they are on disk. */
    public long featureBytesInMemory() {
        return file != null ? 0 : featureBytes();
    }

    /** The features as a row-major double array: {@link #features()} itself for float64 in memory, else a copy. */
    public double[] featuresAsDoubles() {
        if (features != null) {
            return features;
        }
        double[] out = new double[Math.multiplyExact(rows, dim)];
        if (features32 != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = features32[i];
            }
        } else if (rows > 0) {
            int[] all = new int[rows];
            for (int r = 0; r < rows; r++) {
                all[r] = r;
            }
            file.gather(all, rows, out, null);
        }
        return out;
    }

    /** The rows as doubles, whatever the storage ({@link RowSource}); nothing counted. */
    public RowSource rowSource() {
        return rowSource(null);
    }

    /**
     * The rows as doubles, whatever the storage: floats are widened exactly, a file is read at the sampled rows only.
     * Each gather adds its sampled bytes and the bytes it read to {@code counter} (when not null).
     */
    public RowSource rowSource(ReadCounter counter) {
        return new BlockRows(this, counter);
    }

    /**
     * This block with its features stored at {@code precision}: itself when it already is, else a copy (float32:
     * each value rounded to the nearest float). Blocks grouped by user and blocks on disk are not converted.
     */
    public DenseBlock withPrecision(Precision precision) {
        if (precision == precision()) {
            return this;
        }
        if (file != null) {
            throw new IllegalStateException("a block on disk keeps the precision it was written with");
        }
        if (precision == Precision.FLOAT32) {
            float[] f = new float[features.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) features[i];
            }
            return new DenseBlock(rows, dim, null, f, null, labels, userStarts);
        }
        double[] d = new double[features32.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = features32[i];
        }
        return new DenseBlock(rows, dim, d, null, null, labels, userStarts);
    }

    /**
     * This block with its features written to a new owner-only file {@code dir/name} at {@code precision} and
     * dropped from memory: the returned block keeps the labels (and user boundaries) only. The caller deletes the
     * file ({@link BlockFile#delete()}) when the run ends.
     */
    public DenseBlock toDisk(Path dir, String name, Precision precision) {
        if (file != null) {
            throw new IllegalStateException("the block is on disk already");
        }
        BlockFile f = BlockFile.write(dir, name, rows, dim, featuresAsDoubles(), precision);
        return new DenseBlock(rows, dim, null, null, f, labels, userStarts);
    }

    private String storageName() {
        return file != null ? "on disk (" + file.precision().jsonName() + ")" : "as float32";
    }

    /** The label array itself (not a copy; do not modify). */
    public double[] labels() {
        return labels;
    }

    /** Number of privacy units: the number of users when grouped by user, else {@link #rows()}. */
    public int users() {
        return userStarts == null ? rows : userStarts.length - 1;
    }

    /** True when the rows are grouped by user ({@link #userStarts()} is non-null). */
    public boolean isUserLevel() {
        return userStarts != null;
    }

    /**
     * The user boundaries itself (not a copy; do not modify), or null at row level, where row r is unit r.
     * User u owns rows {@code [userStarts[u], userStarts[u + 1])}.
     */
    public int[] userStarts() {
        return userStarts;
    }

    /** First row of unit u (row u at row level). */
    public int userStart(int u) {
        return userStarts == null ? u : userStarts[u];
    }

    /** One past the last row of unit u (u + 1 at row level). */
    public int userEnd(int u) {
        return userStarts == null ? u + 1 : userStarts[u + 1];
    }

    @Override
    public String toString() {
        String storage = file != null ? ", " + file.precision().jsonName() + " on disk"
                : features32 != null ? ", float32" : "";
        return userStarts == null
                ? "DenseBlock[rows=" + rows + ", dim=" + dim + storage + "]"
                : "DenseBlock[rows=" + rows + ", dim=" + dim + ", users=" + users() + storage + "]";
    }

    /** A block's rows read as doubles, counting what each gather reads. */
    private static final class BlockRows implements RowSource {
        private final DenseBlock b;
        private final ReadCounter counter;

        BlockRows(DenseBlock b, ReadCounter counter) {
            this.b = b;
            this.counter = counter;
        }

        @Override
        public int rows() {
            return b.rows;
        }

        @Override
        public int dim() {
            return b.dim;
        }

        @Override
        public void gather(int[] idx, int count, double[] out) {
            int d = b.dim;
            if (b.file != null) {
                b.file.gather(idx, count, out, counter);
                return;
            }
            if (b.features != null) {
                for (int k = 0; k < count; k++) {
                    System.arraycopy(b.features, idx[k] * d, out, k * d, d);
                }
            } else {
                float[] f = b.features32;
                for (int k = 0; k < count; k++) {
                    int from = idx[k] * d;
                    int to = k * d;
                    for (int j = 0; j < d; j++) {
                        out[to + j] = f[from + j];
                    }
                }
            }
            if (counter != null) {
                long bytes = (long) count * d * b.precision().bytes();
                counter.add(bytes, bytes, 0);
            }
        }

        @Override
        public boolean floatValues() {
            return b.precision() == Precision.FLOAT32;
        }

        @Override
        public String toString() {
            return "RowSource[" + b + "]";
        }
    }
}
