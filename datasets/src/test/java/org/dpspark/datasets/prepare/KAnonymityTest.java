package org.dpspark.datasets.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

class KAnonymityTest {

    private static List<List<String>> randomTable(long seed) {
        Random rnd = new Random(seed);
        int n = rnd.nextInt(60);
        int width = 1 + rnd.nextInt(3);
        int alphabet = 1 + rnd.nextInt(4);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> row = new ArrayList<>();
            for (int j = 0; j < width; j++) {
                int v = rnd.nextInt(alphabet + 1);
                row.add(v == alphabet ? null : "v" + v); // nulls are values too
            }
            rows.add(row);
        }
        return rows;
    }

    /** Size of row i's class by pairwise comparison, independent of hashing. */
    private static long bruteClassSize(List<List<String>> rows, int i) {
        long size = 0;
        for (List<String> other : rows) {
            boolean equal = other.size() == rows.get(i).size();
            for (int j = 0; equal && j < other.size(); j++) {
                equal = Objects.equals(other.get(j), rows.get(i).get(j));
            }
            if (equal) {
                size++;
            }
        }
        return size;
    }

    @Test
    void of_matchesBruteForceOnRandomTables() {
        for (long seed = 1; seed <= 40; seed++) {
            List<List<String>> rows = randomTable(seed);
            KAnonymity.Result r = KAnonymity.of(rows);
            int n = rows.size();
            long classes = 0;
            long smallest = n == 0 ? 0 : Long.MAX_VALUE;
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long size = bruteClassSize(rows, i);
                smallest = Math.min(smallest, size);
                // Row i is its class's first row iff no earlier row equals it.
                boolean first = true;
                for (int e = 0; e < i && first; e++) {
                    first = !rows.get(e).equals(rows.get(i));
                }
                if (first) {
                    classes++;
                    sizes.add(size);
                }
            }
            assertEquals(n, r.rows(), "seed " + seed);
            assertEquals(classes, r.classes(), "seed " + seed);
            assertEquals(smallest, r.smallestClass(), "seed " + seed);
            long[] expectedSizes = sizes.stream().mapToLong(Long::longValue).sorted().toArray();
            assertArrayEquals(expectedSizes, r.classSizes(), "seed " + seed);
            for (int k = 2; k <= 6; k++) {
                long below = 0;
                Set<List<String>> expectedBelow = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    if (bruteClassSize(rows, i) < k) {
                        below++;
                        expectedBelow.add(rows.get(i));
                    }
                }
                assertEquals(below, r.rowsInClassesBelow(k), "seed " + seed + ", k " + k);
                assertEquals(below == 0, r.isKAnonymous(k), "seed " + seed + ", k " + k);
                assertEquals(expectedBelow, KAnonymity.classesBelow(rows, k), "seed " + seed + ", k " + k);
            }
        }
    }

    @Test
    void of_smallExample() {
        List<List<String>> rows = List.of(
                List.of("021**", "[30, 40)"), List.of("021**", "[30, 40)"), List.of("021**", "[30, 40)"),
                List.of("021**", "[40, 50)"), List.of("021**", "[40, 50)"),
                List.of("100**", "[30, 40)"));
        KAnonymity.Result r = KAnonymity.of(rows);
        assertEquals(6, r.rows());
        assertEquals(3, r.classes());
        assertEquals(1, r.smallestClass());
        assertArrayEquals(new long[] {1, 2, 3}, r.classSizes());
        assertEquals(1, r.rowsInClassesBelow(2));
        assertEquals(3, r.rowsInClassesBelow(3));
        assertEquals(6, r.rowsInClassesBelow(4));
        assertEquals(Set.of(List.of("100**", "[30, 40)")), KAnonymity.classesBelow(rows, 2));
        assertEquals(Set.of(List.of("100**", "[30, 40)"), List.of("021**", "[40, 50)")),
                KAnonymity.classesBelow(rows, 3));
    }

    @Test
    void of_emptyTable() {
        KAnonymity.Result r = KAnonymity.of(List.of());
        assertEquals(0, r.rows());
        assertEquals(0, r.classes());
        assertEquals(0, r.smallestClass());
        assertEquals(0, r.rowsInClassesBelow(2));
        assertTrue(KAnonymity.classesBelow(List.of(), 2).isEmpty());
    }

    @Test
    void kBelowTwoIsRefused() {
        KAnonymity.Result r = KAnonymity.of(List.of(List.of("a")));
        for (int k : new int[] {1, 0, -3}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> r.rowsInClassesBelow(k));
            assertEquals(List.of("kAnonymity"), e.parameters());
            assertThrows(InvalidParameterException.class, () -> KAnonymity.classesBelow(List.of(), k));
        }
        assertEquals("kAnonymity must be >= 2, got 1",
                assertThrows(InvalidParameterException.class, () -> r.isKAnonymous(1)).getMessage());
    }

    @Test
    void raggedRowsAreRefusedWithoutValues() {
        List<List<String>> rows = List.of(List.of("secret-a", "x"), List.of("secret-b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KAnonymity.of(rows));
        assertEquals("row 1 has 1 quasi-identifiers, row 0 has 2", e.getMessage());
        assertFalse(e.getMessage().contains("secret"));
    }

    @Test
    void classesBelow_returnsCopiesNotCallerLists() {
        List<String> row = new ArrayList<>(Arrays.asList("a", "b"));
        Set<List<String>> below = KAnonymity.classesBelow(List.of(row), 2);
        row.set(0, "changed");
        assertEquals(Set.of(List.of("a", "b")), below);
        assertThrows(UnsupportedOperationException.class, () -> below.iterator().next().set(0, "x"));
    }

    @Test
    void result_defensiveCopyAndEquality() {
        long[] sizes = {3, 1};
        KAnonymity.Result r = new KAnonymity.Result(4, 2, 1, sizes);
        sizes[0] = 99;
        assertArrayEquals(new long[] {1, 3}, r.classSizes());
        r.classSizes()[0] = 42;
        assertArrayEquals(new long[] {1, 3}, r.classSizes());
        assertEquals(r, new KAnonymity.Result(4, 2, 1, new long[] {1, 3}));
        assertEquals(r.hashCode(), new KAnonymity.Result(4, 2, 1, new long[] {1, 3}).hashCode());
        assertThrows(IllegalArgumentException.class, () -> new KAnonymity.Result(5, 2, 1, new long[] {1, 3}));
        assertThrows(IllegalArgumentException.class, () -> new KAnonymity.Result(4, 2, 3, new long[] {1, 3}));
    }
}
