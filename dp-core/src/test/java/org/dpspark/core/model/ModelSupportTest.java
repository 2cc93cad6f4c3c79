package org.dpspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelSupportTest {

    @Test
    void sumOfSquares_matchesTheSequentialSum_forEveryTailLength_andPropagatesNaNAndInfinity() {
        double[] a = new double[40];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.sin(1.7 * i) * (1 + i % 5);
        }
        for (int from = 0; from < 3; from++) {
            for (int len = 0; len <= 37; len++) {
                double seq = 0.0;
                for (int j = from; j < from + len; j++) {
                    seq += a[j] * a[j];
                }
                double got = ModelSupport.sumOfSquares(a, from, len);
                assertEquals(seq, got, 1e-14 * Math.max(1.0, seq), "from " + from + ", len " + len);
            }
        }
        assertEquals(0.0, ModelSupport.sumOfSquares(a, 5, 0));
        a[6] = Double.NaN;
        assertTrue(Double.isNaN(ModelSupport.sumOfSquares(a, 5, 3)));
        a[6] = Double.NEGATIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, ModelSupport.sumOfSquares(a, 4, 9));
    }
}
