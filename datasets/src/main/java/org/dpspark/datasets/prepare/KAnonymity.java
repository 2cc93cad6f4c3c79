package org.dpspark.datasets.prepare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpspark.core.params.InvalidParameterException;

/**
 * Exact equivalence-class statistics over quasi-identifier tuples (Sweeney 2002, "k-anonymity: a model for
 * protecting privacy"): rows with equal tuples form a class, and a table is k-anonymous iff every class has at
 * least k rows.
 *
 * <p>Each row is the list of a record's quasi-identifier values, in a fixed column order; all rows must have the
 * same length. A null element is a value of its own (a missing ZIP is one class, not a wildcard). Counting is one
 * hash pass over the rows (the row lists themselves are the keys, not copied; do not modify them during the
 * call). k-anonymity is a property of the released table, not differential privacy: it gives no guarantee against
 * background knowledge or homogeneity attacks (Machanavajjhala et al. 2007); the DP guarantee comes from training.
 */
public final class KAnonymity {
    private KAnonymity() {
    }

    /**
     * The equivalence-class statistics of {@code rows}.
     *
     * @param rows          number of rows
     * @param classes       number of distinct quasi-identifier tuples
     * @param smallestClass size of the smallest class (0 for an empty table); the table is k-anonymous for
     *                      every {@code k <= smallestClass}
     * @param classSizes    every class size, ascending (copied; the accessor returns a copy)
     */
    public record Result(long rows, long classes, long smallestClass, long[] classSizes) {
        public Result {
            classSizes = classSizes.clone();
            Arrays.sort(classSizes);
            if (classSizes.length != classes) {
                throw new IllegalArgumentException("classes (" + classes + ") must equal the number of class sizes ("
                        + classSizes.length + ")");
            }
            if (Arrays.stream(classSizes).sum() != rows) {
                throw new IllegalArgumentException("class sizes must sum to rows (" + rows + ")");
            }
            long smallest = classSizes.length == 0 ? 0 : classSizes[0];
            if (smallest != smallestClass) {
                throw new IllegalArgumentException("smallestClass (" + smallestClass + ") must be the smallest class"
                        + " size (" + smallest + ")");
            }
        }

        @Override
        public long[] classSizes() {
            return classSizes.clone();
        }

        /**
         * Rows in classes of fewer than {@code k} rows: the rows that would need suppression (or coarser
         * generalization) for k-anonymity.
         *
         * @throws InvalidParameterException naming {@code kAnonymity} if {@code k < 2}
         */
        public long rowsInClassesBelow(int k) {
            requireK(k);
            long total = 0;
            for (long size : classSizes) {
                if (size >= k) {
                    break;
                }
                total += size;
            }
            return total;
        }

        /** Whether every class has at least {@code k} rows ({@code k >= 2}). */
        public boolean isKAnonymous(int k) {
            return rowsInClassesBelow(k) == 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && rows == r.rows && classes == r.classes
                    && smallestClass == r.smallestClass && Arrays.equals(classSizes, r.classSizes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(rows) * 31 + Arrays.hashCode(classSizes);
        }

        @Override
        public String toString() {
            return "KAnonymity.Result[rows=" + rows + ", classes=" + classes + ", smallestClass=" + smallestClass
                    + "]";
        }
    }

    /** The equivalence-class statistics of {@code rows} (quasi-identifier tuples). */
    public static Result of(List<List<String>> rows) {
        Map<List<String>, long[]> counts = count(rows);
        long[] sizes = new long[counts.size()];
        int i = 0;
        for (long[] c : counts.values()) {
            sizes[i++] = c[0];
        }
        Arrays.sort(sizes);
        return new Result(rows.size(), sizes.length, sizes.length == 0 ? 0 : sizes[0], sizes);
    }

    /**
     * The quasi-identifier tuples whose class has fewer than {@code k} rows (unmodifiable copies).
     *
     * @throws InvalidParameterException naming {@code kAnonymity} if {@code k < 2}
     */
    public static Set<List<String>> classesBelow(List<List<String>> rows, int k) {
        requireK(k);
        Map<List<String>, long[]> counts = count(rows);
        Set<List<String>> below = new HashSet<>();
        for (Map.Entry<List<String>, long[]> e : counts.entrySet()) {
            if (e.getValue()[0] < k) {
                below.add(Collections.unmodifiableList(new ArrayList<>(e.getKey())));
            }
        }
        return Collections.unmodifiableSet(below);
    }

    private static void requireK(int k) {
        if (k < 2) {
            throw InvalidParameterException.of("kAnonymity", "must be >= 2, got " + k);
        }
    }

    private static Map<List<String>, long[]> count(List<List<String>> rows) {
        if (rows == null) {
            throw new IllegalArgumentException("rows must not be null");
        }
        Map<List<String>, long[]> counts = new HashMap<>();
        int width = -1;
        long index = 0;
        for (List<String> row : rows) {
            if (row == null) {
                throw new IllegalArgumentException("row " + index + " is null");
            }
            if (width < 0) {
                width = row.size();
            } else if (row.size() != width) {
                throw new IllegalArgumentException("row " + index + " has " + row.size()
                        + " quasi-identifiers, row 0 has " + width);
            }
            counts.computeIfAbsent(row, r -> new long[1])[0]++;
            index++;
        }
        return counts;
    }
}
