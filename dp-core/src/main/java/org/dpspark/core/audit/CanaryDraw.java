package org.dpspark.core.audit;

import java.util.Objects;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.RandomSource;

/**
 * The coin flips of the one-run privacy audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one (1)
 * training run", NeurIPS 2023, arXiv 2305.08846, Algorithm 1): each of the m canaries is included in training
 * independently with probability 1/2, and the included ones are spread over the partitions.
 *
 * <p>The coins are the audit's secret: they must come from a {@code CsprngStream} in production, and neither them
 * nor the partitions' canary ids may be logged before the audit's guesses are scored.
 */
public final class CanaryDraw {

    private CanaryDraw() {
    }

    /**
     * m independent fair coins, true meaning "included": one uniformly random bit per coin, 64 coins per
     * {@link RandomSource#nextLong()} (each bit of a uniform long is an unbiased, independent coin).
     *
     * @param m the number of canaries, &gt;= 1
     */
    public static boolean[] coins(int m, RandomSource rng) {
        if (m < 1) {
            throw InvalidParameterException.of("canaries", "must be >= 1, got " + m);
        }
        Objects.requireNonNull(rng, "rng");
        boolean[] included = new boolean[m];
        long bits = 0;
        for (int i = 0; i < m; i++) {
            if ((i & 63) == 0) {
                bits = rng.nextLong();
            }
            included[i] = (bits & 1L) != 0;
            bits >>>= 1;
        }
        return included;
    }

    /**
     * The included canaries' ids by partition: canary i (with included[i]) goes to partition i mod partitions;
     * result[j] lists partition j's ids in increasing order (empty when it has none).
     *
     * @param partitions the number of partitions, &gt;= 1
     */
    public static int[][] byPartition(boolean[] included, int partitions) {
        Objects.requireNonNull(included, "included");
        if (partitions < 1) {
            throw InvalidParameterException.of("partitions", "must be >= 1, got " + partitions);
        }
        int[] counts = new int[partitions];
        for (int i = 0; i < included.length; i++) {
            if (included[i]) {
                counts[i % partitions]++;
            }
        }
        int[][] ids = new int[partitions][];
        for (int j = 0; j < partitions; j++) {
            ids[j] = new int[counts[j]];
        }
        int[] filled = new int[partitions];
        for (int i = 0; i < included.length; i++) {
            if (included[i]) {
                int j = i % partitions;
                ids[j][filled[j]++] = i;
            }
        }
        return ids;
    }
}
