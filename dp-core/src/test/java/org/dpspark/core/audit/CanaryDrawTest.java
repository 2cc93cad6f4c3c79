package org.dpspark.core.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class CanaryDrawTest {

    /** Binomial(m, 1/2) heads overall, and in each of the 64 bit positions of the draws (4 sd). */
    @Test
    void coins_areBalanced_withinFourBinomialStandardDeviations() {
        int m = 64 * 1000 + 17; // not a multiple of 64: the last long is partly used
        boolean[] coins = CanaryDraw.coins(m, InsecureTestRandomness.seededSource(31));
        assertEquals(m, coins.length);
        int heads = 0;
        int[] byBit = new int[64];
        int[] perBit = new int[64];
        for (int i = 0; i < m; i++) {
            perBit[i % 64]++;
            if (coins[i]) {
                heads++;
                byBit[i % 64]++;
            }
        }
        assertEquals(m / 2.0, heads, 4 * Math.sqrt(m / 4.0));
        for (int b = 0; b < 64; b++) {
            assertEquals(perBit[b] / 2.0, byBit[b], 4 * Math.sqrt(perBit[b] / 4.0), "bit " + b);
        }
        // consecutive coins are not correlated: pairs (i, i+1) agree half the time
        int agree = 0;
        for (int i = 0; i + 1 < m; i++) {
            if (coins[i] == coins[i + 1]) {
                agree++;
            }
        }
        assertEquals((m - 1) / 2.0, agree, 4 * Math.sqrt((m - 1) / 4.0));
    }

    /** The coins are exactly the bits of the stream's longs, lowest bit first (one bit per coin, 64 per long). */
    @Test
    void coins_useOneBitPerCoin() {
        RandomSource ref = InsecureTestRandomness.seededSource(32);
        long a = ref.nextLong();
        long b = ref.nextLong();
        boolean[] coins = CanaryDraw.coins(100, InsecureTestRandomness.seededSource(32));
        for (int i = 0; i < 64; i++) {
            assertEquals(((a >>> i) & 1) == 1, coins[i], "coin " + i);
        }
        for (int i = 64; i < 100; i++) {
            assertEquals(((b >>> (i - 64)) & 1) == 1, coins[i], "coin " + i);
        }
    }

    @Test
    void byPartition_assignsIncludedIdsModuloPartitions_ascending() {
        boolean[] included = CanaryDraw.coins(203, InsecureTestRandomness.seededSource(33));
        for (int partitions : new int[] {1, 3, 7, 500}) {
            int[][] got = CanaryDraw.byPartition(included, partitions);
            assertEquals(partitions, got.length);
            for (int j = 0; j < partitions; j++) {
                List<Integer> expected = new ArrayList<>();
                for (int i = j; i < included.length; i += partitions) {
                    if (included[i]) {
                        expected.add(i);
                    }
                }
                assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), got[j],
                        "partition " + j + " of " + partitions);
            }
        }
        assertArrayEquals(new int[][] {{0, 3}, {4}, {}}, CanaryDraw.byPartition(
                new boolean[] {true, false, false, true, true, false}, 3));
    }

    @Test
    void invalidArguments_refusedNamingTheParameter() {
        assertEquals(List.of("canaries"), assertThrows(InvalidParameterException.class,
                () -> CanaryDraw.coins(0, InsecureTestRandomness.seededSource(1))).parameters());
        assertEquals(List.of("partitions"), assertThrows(InvalidParameterException.class,
                () -> CanaryDraw.byPartition(new boolean[3], 0)).parameters());
    }
}
