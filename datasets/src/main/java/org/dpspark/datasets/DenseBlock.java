package org.dpspark.datasets;

import java.io.Serializable;

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
 */
public final class DenseBlock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int dim;
    private final double[] features;
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
        if (!(rows >= 0)) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (!(dim >= 1)) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (features == null || labels == null) {
            throw new IllegalArgumentException("features and labels must be non-null");
        }
        if ((long) rows * dim != features.length) {
            throw new IllegalArgumentException("features.length must be rows * dim = " + ((long) rows * dim)
                    + ", got " + features.length);
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

    /** The row-major feature array itself (not a copy; do not modify). */
    public double[] features() {
        return features;
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
        return userStarts == null
                ? "DenseBlock[rows=" + rows + ", dim=" + dim + "]"
                : "DenseBlock[rows=" + rows + ", dim=" + dim + ", users=" + users() + "]";
    }
}
