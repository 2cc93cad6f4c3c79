package org.dpspark.datasets;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A public assignment of a dataset's rows (by index in file order) to federated users, as in McMahan, Moore,
 * Ramage, Hampson and Agüera y Arcas, "Communication-Efficient Learning of Deep Networks from Decentralized Data"
 * (AISTATS 2017), section 3, for MNIST's 60,000 training images:
 * <ul>
 *   <li>{@link #iid}: "the data is shuffled, and then partitioned into 100 clients each receiving 600 examples";
 *       here: a uniform random permutation of the rows, cut into {@code users} equal consecutive pieces.</li>
 *   <li>{@link #pathological} (non-IID): "sort the data by digit label, divide it into 200 shards of size 300,
 *       and assign each of 100 clients 2 shards"; here: rows stably sorted by label (ties by row index), cut into
 *       {@code users * shardsPerUser} equal shards, the shards uniformly permuted, user u getting shards
 *       {@code u * shardsPerUser .. (u + 1) * shardsPerUser - 1} of the permutation. With equal label counts
 *       divisible by the shard size (e.g. 6,000 per digit and shards of 300) each user sees at most
 *       {@code shardsPerUser} labels; with MNIST's real counts (5,421 to 6,742 per digit) a shard can straddle two
 *       digits, so, as the paper says, "most clients will only have examples of two digits".</li>
 * </ul>
 * Every user gets exactly {@code rows / users} rows (the row count must be divisible).
 *
 * <p>Randomness: a {@link SplittableRandom} seeded with the public {@code seed} (Fisher-Yates shuffle), on
 * purpose: the split is a public, reproducible simulation of where data lives, not a privacy mechanism, so anyone
 * with the seed can rebuild it. It must never be used to choose which rows are kept or sampled in training (that
 * is the CSPRNG's job, {@code org.dpspark.core.random.CsprngStream}).
 */
public final class FederatedSplit implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The name of the integer user column the readers add. */
    public static final String USER = "user";

    private final String description;
    private final int users;
    private final int[] userOf;

    private FederatedSplit(String description, int users, int[] userOf) {
        this.description = description;
        this.users = users;
        this.userOf = userOf;
    }

    /**
     * The IID split: a seeded uniform permutation of {@code rows} rows cut into {@code users} equal parts.
     *
     * @throws IllegalArgumentException unless {@code 1 <= users <= rows <= Integer.MAX_VALUE - 8} and users divides
     *                                  rows
     */
    public static FederatedSplit iid(long rows, int users, long seed) {
        checkSizes(rows, users, users, "users");
        int n = (int) rows;
        int[] perm = permutation(n, new SplittableRandom(seed));
        int per = n / users;
        int[] userOf = new int[n];
        for (int i = 0; i < n; i++) {
            userOf[perm[i]] = i / per;
        }
        return new FederatedSplit("iid(users=" + users + ", seed=" + seed + ")", users, userOf);
    }

    /**
     * The pathological non-IID split: rows sorted by label, cut into {@code users * shardsPerUser} equal shards,
     * each user given {@code shardsPerUser} shards chosen by a seeded uniform permutation.
     *
     * @param labels the label of each row in file order (public for MNIST); not modified
     * @throws IllegalArgumentException unless users, shardsPerUser &gt;= 1 and users * shardsPerUser divides the
     *                                  number of rows
     */
    public static FederatedSplit pathological(int[] labels, int users, int shardsPerUser, long seed) {
        if (labels == null) {
            throw new IllegalArgumentException("labels must be non-null");
        }
        if (!(shardsPerUser >= 1)) {
            throw new IllegalArgumentException("shardsPerUser must be >= 1, got " + shardsPerUser);
        }
        if (!(users >= 1)) {
            throw new IllegalArgumentException("users must be >= 1, got " + users);
        }
        long shards = (long) users * shardsPerUser;
        checkSizes(labels.length, users, shards, "users * shardsPerUser");
        int n = labels.length;
        int shardSize = (int) (n / shards);
        // Stable sort of row indices by label: boxed once, n is at most a few million here.
        Integer[] byLabel = new Integer[n];
        for (int i = 0; i < n; i++) {
            byLabel[i] = i;
        }
        Arrays.sort(byLabel, (a, b) -> labels[a] != labels[b] ? Integer.compare(labels[a], labels[b])
                : Integer.compare(a, b));
        int[] shardOrder = permutation((int) shards, new SplittableRandom(seed));
        int[] userOf = new int[n];
        for (int pos = 0; pos < shards; pos++) {
            int user = pos / shardsPerUser;
            int shard = shardOrder[pos];
            for (int j = shard * shardSize; j < (shard + 1) * shardSize; j++) {
                userOf[byLabel[j]] = user;
            }
        }
        return new FederatedSplit("pathological(users=" + users + ", shardsPerUser=" + shardsPerUser + ", seed="
                + seed + ")", users, userOf);
    }

    private static void checkSizes(long rows, int users, long parts, String what) {
        if (!(users >= 1)) {
            throw new IllegalArgumentException("users must be >= 1, got " + users);
        }
        if (!(rows >= parts && rows <= BlockPacker.MAX_ARRAY)) {
            throw new IllegalArgumentException("rows must be in [" + what + " = " + parts + ", "
                    + BlockPacker.MAX_ARRAY + "], got " + rows);
        }
        if (rows % parts != 0) {
            throw new IllegalArgumentException(what + " = " + parts + " must divide the number of rows " + rows
                    + " so that every user gets the same number");
        }
    }

    /** A uniform permutation of 0..n-1 (Fisher-Yates, Knuth vol. 2, algorithm P). */
    private static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Number of users. */
    public int users() {
        return users;
    }

    /** Number of rows assigned. */
    public int rows() {
        return userOf.length;
    }

    /** The user (0 .. users - 1) of row {@code row} (0-based, file order). */
    public int userOf(int row) {
        return userOf[row];
    }

    /** Rows per user, indexed by user. */
    public int[] rowsPerUser() {
        int[] c = new int[users];
        for (int u : userOf) {
            c[u]++;
        }
        return c;
    }

    /** E.g. {@code pathological(users=100, shardsPerUser=2, seed=0)}: enough to rebuild the split. */
    public String describe() {
        return description;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FederatedSplit f && f.users == users && Arrays.equals(f.userOf, userOf);
    }

    @Override
    public int hashCode() {
        return 31 * users + Arrays.hashCode(userOf);
    }

    @Override
    public String toString() {
        return "FederatedSplit[" + description + ", rows=" + userOf.length + "]";
    }
}
