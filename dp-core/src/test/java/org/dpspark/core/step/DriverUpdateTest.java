package org.dpspark.core.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.core.optim.Sgd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class DriverUpdateTest {

    private static final BinaryLogisticRegression MODEL = new BinaryLogisticRegression(3);

    /** Records every call; adds a fixed offset so that its effect is visible. */
    private static final class RecordingNoise implements Noise {
        final List<double[]> inputs = new ArrayList<>();
        final List<Double> stds = new ArrayList<>();
        int samples;

        @Override
        public void addTo(double[] v, double std) {
            inputs.add(v.clone());
            stds.add(std);
            for (int i = 0; i < v.length; i++) {
                v[i] += 1.0;
            }
        }

        @Override
        public double sample(double std) {
            samples++;
            return 0.0;
        }
    }

    @Test
    void applyNoised_addsNoNoise_updatesFromTheSumAsGiven_andLeavesItUnchanged() {
        ClipBudget clip = new ClipBudget(2.0, 0.2, 5.0);
        double qN = 37.5;
        double lr = 0.3;
        RecordingNoise noise = new RecordingNoise();
        DriverUpdate update = new DriverUpdate(MODEL, clip, 1.3, qN, noise, new Sgd(lr));
        double[] params = {1.0, -1.0, 0.5, 0.25};
        double[] sum = {3.0, -6.0, 9.0, 1.5, 4.0};
        for (int step = 0; step < 2; step++) {
            double before0 = params[0];
            double loss = update.applyNoised(params, sum);
            assertEquals(before0 - lr * 3.0 / qN, params[0], 1e-15);
            assertEquals(clip.decodeLoss(4.0 / qN), loss, 1e-15);
        }
        assertArrayEquals(new double[] {1.0 - 2 * lr * 3.0 / qN, -1.0 + 2 * lr * 6.0 / qN, 0.5 - 2 * lr * 9.0 / qN,
            0.25 - 2 * lr * 1.5 / qN}, params, 1e-15);
        assertArrayEquals(new double[] {3.0, -6.0, 9.0, 1.5, 4.0}, sum); // read in place, never written
        assertTrue(noise.inputs.isEmpty() && noise.samples == 0, "applyNoised drew noise");
    }

    @Test
    void apply_zeroNoise_updateIsMinusLrTimesSumOverExpectedBatchSize() {
        ClipBudget clip = new ClipBudget(2.0, 0.2, 5.0);
        double qN = 37.5;
        double lr = 0.3;
        DriverUpdate update = new DriverUpdate(MODEL, clip, 0.0, qN, SecureGaussianNoise.create(), new Sgd(lr));
        double[] params = {1.0, -1.0, 0.5, 0.25};
        double[] sum = {3.0, -6.0, 9.0, 1.5, 4.0};
        double loss = update.apply(params, sum);
        double[] expected = {1.0 - lr * 3.0 / qN, -1.0 + lr * 6.0 / qN, 0.5 - lr * 9.0 / qN, 0.25 - lr * 1.5 / qN};
        assertArrayEquals(expected, params, 1e-15);
        assertEquals(clip.decodeLoss(4.0 / qN), loss, 1e-15);
        assertEquals(4.0 / qN * 5.0 / (0.2 * 2.0), loss, 1e-14);
        assertArrayEquals(new double[] {3.0, -6.0, 9.0, 1.5, 4.0}, sum); // the input is not modified
    }

    @Test
    void apply_addsNoiseOnce_toAllCoordinates_withStdSigmaTimesC() {
        ClipBudget clip = new ClipBudget(0.5, 0.1, 10.0);
        RecordingNoise noise = new RecordingNoise();
        DriverUpdate update = new DriverUpdate(MODEL, clip, 1.7, 10.0, noise, new Sgd(1.0));
        double[] params = new double[4];
        double[] sum = {1.0, 2.0, 3.0, 4.0, 0.5};
        double loss = update.apply(params, sum);
        assertEquals(1, noise.inputs.size(), "addTo calls");
        assertEquals(0, noise.samples, "sample calls");
        assertArrayEquals(sum, noise.inputs.get(0), "noise is added to a copy of the whole sum, loss included");
        assertEquals(1.7 * 0.5, noise.stds.get(0), 1e-15);
        assertEquals(1.7 * 0.5, update.noiseStd(), 1e-15);
        assertArrayEquals(new double[] {-0.2, -0.3, -0.4, -0.5}, params, 1e-15); // (sum + 1) / 10
        assertEquals(clip.decodeLoss(1.5 / 10.0), loss, 1e-15);
        double[] second = {-1.0, 0.0, 1.0, 2.0, 0.25};
        update.apply(params, second);
        assertEquals(2, noise.inputs.size(), "one addTo per apply");
        // the work arrays are reused: the second step starts from its own sum, nothing of the first one's
        assertArrayEquals(second, noise.inputs.get(1));
        assertArrayEquals(new double[] {-0.2, -0.4, -0.6, -0.8}, params, 1e-15);
        assertArrayEquals(new double[] {-1.0, 0.0, 1.0, 2.0, 0.25}, second); // not modified
    }

    @Test
    void apply_withoutLossTracking_returnsNaN() {
        DriverUpdate update = new DriverUpdate(MODEL, ClipBudget.withoutLossTracking(1.0), 1.0, 5.0,
                SecureGaussianNoise.create(), new Sgd(0.1));
        assertTrue(Double.isNaN(update.apply(new double[4], new double[5])));
    }

    /**
     * With zero sum, zero params and learning rate 1, the update is -noise/qN: over 20,000 applies x 4 params
     * its variance is (sigma C / qN)^2, and the returned loss has variance (sigma C / qN * B / (s C))^2. Noise
     * added twice (or not at all) would double (or zero) them. Each variance check: normal approximation to the
     * chi-square, |z| &lt; 4.89 at 1e-6; the test fails falsely with probability at most 2e-6.
     */
    @Test
    @Tag("statistical")
    void apply_noiseVarianceOverManyApplies_matchesSigmaCOverExpectedBatchSize() {
        double sigma = 1.3;
        ClipBudget clip = new ClipBudget(0.7, 0.2, 4.0);
        double qN = 50.0;
        DriverUpdate update = new DriverUpdate(MODEL, clip, sigma, qN, SecureGaussianNoise.create(), new Sgd(1.0));
        int applies = 20_000;
        double sumSqParams = 0.0;
        double sumSqLoss = 0.0;
        double[] zeroSum = new double[5];
        for (int k = 0; k < applies; k++) {
            double[] params = new double[4];
            double loss = update.apply(params, zeroSum);
            for (double p : params) {
                sumSqParams += p * p;
            }
            sumSqLoss += loss * loss;
        }
        double zCrit = StatTestSupport.zTwoSided(StatTestSupport.ALPHA);
        double paramStd = sigma * clip.clipNorm() / qN;
        int n = 4 * applies;
        double zParams = (sumSqParams / n / (paramStd * paramStd) - 1) / Math.sqrt(2.0 / n);
        assertTrue(Math.abs(zParams) < zCrit, "parameter noise variance ratio "
                + sumSqParams / n / (paramStd * paramStd) + ", z = " + zParams);
        double lossStd = paramStd * clip.lossBound() / (clip.lossShare() * clip.clipNorm());
        double zLoss = (sumSqLoss / applies / (lossStd * lossStd) - 1) / Math.sqrt(2.0 / applies);
        assertTrue(Math.abs(zLoss) < zCrit, "loss noise variance ratio "
                + sumSqLoss / applies / (lossStd * lossStd) + ", z = " + zLoss);
    }

    @Test
    void constructor_invalidArguments_rejected() {
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        Noise noise = SecureGaussianNoise.create();
        Sgd sgd = new Sgd(0.1);
        for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DriverUpdate(MODEL, clip, bad, 10.0, noise, sgd));
            assertTrue(e.getMessage().contains("noiseMultiplier"), e.getMessage());
        }
        for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DriverUpdate(MODEL, clip, 1.0, bad, noise, sgd));
            assertTrue(e.getMessage().contains("expectedBatchSize"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> new DriverUpdate(MODEL, clip, 1.0, 10.0, null, sgd));
    }

    @Test
    void apply_wrongLengths_rejected() {
        DriverUpdate update = new DriverUpdate(MODEL, ClipBudget.withDefaultLossTracking(1.0), 1.0, 10.0,
                SecureGaussianNoise.create(), new Sgd(0.1));
        assertThrows(IllegalArgumentException.class, () -> update.apply(new double[4], new double[4]));
        assertThrows(IllegalArgumentException.class, () -> update.apply(new double[3], new double[5]));
    }
}
