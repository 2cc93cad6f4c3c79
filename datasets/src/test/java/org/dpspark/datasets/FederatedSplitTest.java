package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The federated MNIST splits of McMahan et al. 2017, section 3 ({@link FederatedSplit}). */
class FederatedSplitTest {

    /** MNIST's training label counts, digits 0..9 (sum 60,000). */
    private static final int[] MNIST_COUNTS = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};

    private static int[] labelsWithCounts(int[] counts) {
        int n = Arrays.stream(counts).sum();
        int[] labels = new int[n];
        // Interleaved like a shuffled file: the split must not depend on file order being sorted.
        int[] left = counts.clone();
        int i = 0;
        while (i < n) {
            for (int d = 0; d < counts.length; d++) {
                if (left[d] > 0) {
                    labels[i++] = d;
                    left[d]--;
                }
            }
        }
        return labels;
    }

    private static int[] distinctLabelsPerUser(FederatedSplit s, int[] labels) {
        List<Set<Integer>> seen = new java.util.ArrayList<>();
        for (int u = 0; u < s.users(); u++) {
            seen.add(new HashSet<>());
        }
        for (int i = 0; i < labels.length; i++) {
            seen.get(s.userOf(i)).add(labels[i]);
        }
        return seen.stream().mapToInt(Set::size).toArray();
    }

    @Test
    void iid_everyUserGetsTheSameNumber_reproducibleFromTheSeed() {
        FederatedSplit s = FederatedSplit.iid(60_000, 100, 7);
        assertEquals(60_000, s.rows());
        assertEquals(100, s.users());
        int[] per = s.rowsPerUser();
        assertTrue(Arrays.stream(per).allMatch(c -> c == 600), Arrays.toString(per));
        assertEquals(s, FederatedSplit.iid(60_000, 100, 7));
        assertNotEquals(s, FederatedSplit.iid(60_000, 100, 8));
        assertEquals("iid(users=100, seed=7)", s.describe());
        // Shuffled, not consecutive blocks: the first 600 rows are spread over many users.
        Set<Integer> firstRows = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            firstRows.add(s.userOf(i));
        }
        assertTrue(firstRows.size() > 50, firstRows.size() + " users among the first 600 rows");
    }

    @Test
    void pathological_equalLabelCounts_eachUserSeesAtMostTwoLabels() {
        int[] labels = labelsWithCounts(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000});
        FederatedSplit s = FederatedSplit.pathological(labels, 100, 2, 0);
        assertTrue(Arrays.stream(s.rowsPerUser()).allMatch(c -> c == 600));
        int[] distinct = distinctLabelsPerUser(s, labels);
        assertTrue(Arrays.stream(distinct).allMatch(d -> d >= 1 && d <= 2), Arrays.toString(distinct));
        // Not all users hold a single digit: shards are dealt at random.
        assertTrue(Arrays.stream(distinct).filter(d -> d == 2).count() > 50);
        assertEquals(s, FederatedSplit.pathological(labels, 100, 2, 0));
        assertNotEquals(s, FederatedSplit.pathological(labels, 100, 2, 1));
        assertEquals("pathological(users=100, shardsPerUser=2, seed=0)", s.describe());
    }

    /**
     * With MNIST's real counts a 300-image shard can straddle two digits; there are at most 9 boundaries, so at
     * most 9 users see more than 2 digits and none more than 4.
     */
    @Test
    void pathological_mnistCounts_mostUsersTwoDigits_atMostFour() {
        int[] labels = labelsWithCounts(MNIST_COUNTS);
        assertEquals(60_000, labels.length);
        FederatedSplit s = FederatedSplit.pathological(labels, 100, 2, 42);
        assertTrue(Arrays.stream(s.rowsPerUser()).allMatch(c -> c == 600));
        int[] distinct = distinctLabelsPerUser(s, labels);
        assertTrue(Arrays.stream(distinct).allMatch(d -> d <= 4), Arrays.toString(distinct));
        assertTrue(Arrays.stream(distinct).filter(d -> d > 2).count() <= 9, Arrays.toString(distinct));
    }

    @Test
    void splits_sizesThatDoNotDivide_refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FederatedSplit.iid(60_000, 7, 0));
        assertTrue(e.getMessage().contains("divide"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FederatedSplit.iid(10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> FederatedSplit.iid(5, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> FederatedSplit.pathological(new int[600], 100, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> FederatedSplit.pathological(new int[600], 100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> FederatedSplit.pathological(null, 1, 1, 0));
    }
}
