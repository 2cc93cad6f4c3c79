package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class RowFingerprintTest {
    private static final double[][] ROWS = {{0.5, -1.0, 0.25}, {0.0, 1.0, 0.75}, {0.125, 0.5, -0.5}};
    private static final double[] LABELS = {1, 0, 1};

    private static String of(int... order) {
        RowFingerprint f = new RowFingerprint();
        for (int i : order) {
            f.add(ROWS[i], 0, 3, LABELS[i]);
        }
        return f.toString();
    }

    @Test
    void fingerprint_ignoresOrderAndPartitioning() {
        assertEquals(of(0, 1, 2), of(2, 0, 1));
        RowFingerprint a = new RowFingerprint().add(ROWS[0], 0, 3, LABELS[0]);
        RowFingerprint b = new RowFingerprint().add(ROWS[2], 0, 3, LABELS[2]).add(ROWS[1], 0, 3, LABELS[1]);
        assertEquals(of(0, 1, 2), a.merge(b).toString());
    }

    @Test
    void fingerprint_changesWithARepeatedDroppedOrAlteredRow() {
        String base = of(0, 1, 2);
        assertNotEquals(base, of(0, 1, 2, 2));
        assertNotEquals(base, of(0, 1));
        RowFingerprint f = new RowFingerprint();
        f.add(ROWS[0], 0, 3, LABELS[0]).add(ROWS[1], 0, 3, 1.0).add(ROWS[2], 0, 3, LABELS[2]);
        assertNotEquals(base, f.toString(), "a flipped label is other data");
        // Swapping two coordinates of one row is another row.
        RowFingerprint g = new RowFingerprint();
        g.add(new double[] {-1.0, 0.5, 0.25}, 0, 3, 1).add(ROWS[1], 0, 3, LABELS[1]).add(ROWS[2], 0, 3, LABELS[2]);
        assertNotEquals(base, g.toString());
    }

    @Test
    void negativeZero_isZero() {
        RowFingerprint a = new RowFingerprint().add(new double[] {0.0, 1.0}, 0, 2, 0.0);
        RowFingerprint b = new RowFingerprint().add(new double[] {-0.0, 1.0}, 0, 2, -0.0);
        assertEquals(a.toString(), b.toString());
    }

    @Test
    void toLongs_roundTrips() {
        RowFingerprint a = new RowFingerprint().add(ROWS[0], 0, 3, 1).add(ROWS[1], 0, 3, 0);
        long[] l = a.toLongs();
        assertEquals(a.toString(), RowFingerprint.fromLongs(l[0], l[1], l[2]).toString());
        assertEquals(2, a.rows());
    }
}
