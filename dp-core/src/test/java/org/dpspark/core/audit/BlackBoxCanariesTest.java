package org.dpspark.core.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.LinearRegression;
import org.dpspark.core.model.SoftmaxRegression;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.InsecureTestRandomness;
import org.junit.jupiter.api.Test;

class BlackBoxCanariesTest {

    @Test
    void features_areUniformInMinusOneToOne() {
        int m = 2000;
        int d = 5;
        BlackBoxCanaries c = BlackBoxCanaries.generate(m, d, 3, 0, 0, InsecureTestRandomness.seededSource(11));
        assertEquals(m, c.count());
        assertEquals(d, c.numFeatures());
        double[] x = c.features();
        assertEquals(m * d, x.length);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double[] colSum = new double[d];
        double sumSq = 0;
        for (int i = 0; i < x.length; i++) {
            assertTrue(x[i] >= -1.0 && x[i] <= 1.0, "feature " + x[i]);
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
            colSum[i % d] += x[i];
            sumSq += x[i] * x[i];
        }
        // uniform on [-1, 1]: mean 0, variance 1/3 (and E x^2 = 1/3 with variance 4/45)
        for (int j = 0; j < d; j++) {
            assertEquals(0.0, colSum[j] / m, 4 * Math.sqrt(1.0 / 3.0 / m), "column " + j);
        }
        assertEquals(1.0 / 3.0, sumSq / x.length, 4 * Math.sqrt(4.0 / 45.0 / x.length));
        assertTrue(min < -0.99 && max > 0.99, min + " " + max);
    }

    @Test
    void classLabels_areUniformOverTheClasses() {
        int m = 3000;
        int k = 4;
        double[] y = BlackBoxCanaries.generate(m, 2, k, 0, 0, InsecureTestRandomness.seededSource(12)).labels();
        int[] counts = new int[k];
        for (double v : y) {
            assertTrue(v == Math.rint(v) && v >= 0 && v < k, "label " + v);
            counts[(int) v]++;
        }
        double p = 1.0 / k;
        for (int c = 0; c < k; c++) {
            assertEquals(m * p, counts[c], 4 * Math.sqrt(m * p * (1 - p)), "class " + c);
        }
        double[] binary = BlackBoxCanaries.generate(500, 2, 2, 0, 0, InsecureTestRandomness.seededSource(13))
                .labels();
        int ones = 0;
        for (double v : binary) {
            assertTrue(v == 0.0 || v == 1.0);
            ones += (int) v;
        }
        assertEquals(250, ones, 4 * Math.sqrt(500 * 0.25));
    }

    @Test
    void regressionLabels_areUniformInTheLabelRange() {
        int m = 3000;
        double lo = -3.0;
        double hi = 5.0;
        for (int numClasses : new int[] {0, 1}) {
            double[] y = BlackBoxCanaries.generate(m, 1, numClasses, lo, hi,
                    InsecureTestRandomness.seededSource(14 + numClasses)).labels();
            double sum = 0;
            int below = 0;
            for (double v : y) {
                assertTrue(v >= lo && v <= hi, "label " + v);
                sum += v;
                if (v < 1.0) {
                    below++;
                }
            }
            assertEquals(1.0, sum / m, 4 * (hi - lo) / Math.sqrt(12.0 * m));
            assertEquals(m / 2.0, below, 4 * Math.sqrt(m * 0.25)); // the median is 1
        }
    }

    /** score_i = -loss_i, checked against the logistic loss written out independently. */
    @Test
    void scores_areMinusTheLoss() {
        int m = 50;
        int d = 3;
        BlackBoxCanaries c = BlackBoxCanaries.generate(m, d, 2, 0, 0, InsecureTestRandomness.seededSource(16));
        double[] params = {0.4, -1.2, 2.0, 0.3};
        double[] s = c.scores(new BinaryLogisticRegression(d), params);
        double[] x = c.features();
        double[] y = c.labels();
        for (int i = 0; i < m; i++) {
            double margin = params[3];
            for (int j = 0; j < d; j++) {
                margin += params[j] * x[i * d + j];
            }
            double pOne = 1.0 / (1.0 + Math.exp(-margin));
            double loss = y[i] == 1.0 ? -Math.log(pOne) : -Math.log(1.0 - pOne);
            assertEquals(-loss, s[i], 1e-12, "canary " + i);
        }
        // other models: exactly -model.loss
        SoftmaxRegression soft = new SoftmaxRegression(d, 2);
        double[] sp = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8};
        double[] ss = c.scores(soft, sp);
        for (int i = 0; i < m; i++) {
            assertEquals(-soft.loss(sp, x, i * d, y[i]), ss[i], 0.0);
        }
        BlackBoxCanaries r = BlackBoxCanaries.generate(10, d, 1, -1, 1, InsecureTestRandomness.seededSource(17));
        LinearRegression lin = new LinearRegression(d, -1, 1);
        double[] lp = {0.5, 0.5, 0.5, 0.0};
        double[] rs = r.scores(lin, lp);
        double[] rx = r.features();
        double[] ry = r.labels();
        for (int i = 0; i < 10; i++) {
            double f = 0.5 * (rx[i * d] + rx[i * d + 1] + rx[i * d + 2]);
            assertEquals(-0.5 * (f - ry[i]) * (f - ry[i]), rs[i], 1e-14);
        }
    }

    @Test
    void generation_isReproducibleFromTheStream_andAccessorsReturnCopies() {
        BlackBoxCanaries a = BlackBoxCanaries.generate(20, 3, 3, 0, 0, InsecureTestRandomness.seededSource(18));
        BlackBoxCanaries b = BlackBoxCanaries.generate(20, 3, 3, 0, 0, InsecureTestRandomness.seededSource(18));
        assertArrayEquals(a.features(), b.features(), 0.0);
        assertArrayEquals(a.labels(), b.labels(), 0.0);
        a.features()[0] = 99;
        a.labels()[0] = 99;
        assertArrayEquals(b.features(), a.features(), 0.0);
        assertArrayEquals(b.labels(), a.labels(), 0.0);
    }

    @Test
    void invalidArguments_refusedNamingTheParameter() {
        var rng = InsecureTestRandomness.seededSource(19);
        assertEquals(List.of("canaries"), assertThrows(InvalidParameterException.class,
                () -> BlackBoxCanaries.generate(0, 2, 2, 0, 0, rng)).parameters());
        assertEquals(List.of("numFeatures"), assertThrows(InvalidParameterException.class,
                () -> BlackBoxCanaries.generate(5, -1, 2, 0, 0, rng)).parameters());
        assertEquals(List.of("numClasses"), assertThrows(InvalidParameterException.class,
                () -> BlackBoxCanaries.generate(5, 2, -1, 0, 0, rng)).parameters());
        assertEquals(List.of("labelMin", "labelMax"), assertThrows(InvalidParameterException.class,
                () -> BlackBoxCanaries.generate(5, 2, 1, 2, 1, rng)).parameters());
        assertEquals(List.of("labelMin", "labelMax"), assertThrows(InvalidParameterException.class,
                () -> BlackBoxCanaries.generate(5, 2, 0, 0, Double.POSITIVE_INFINITY, rng)).parameters());
        BlackBoxCanaries c = BlackBoxCanaries.generate(5, 2, 2, 0, 0, rng);
        assertThrows(IllegalArgumentException.class, () -> c.scores(new BinaryLogisticRegression(3), new double[4]));
    }
}
