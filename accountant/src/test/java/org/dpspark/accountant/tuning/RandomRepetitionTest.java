package org.dpspark.accountant.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.rdp.SubsampledGaussianRdp;
import org.junit.jupiter.api.Test;

/** {@link RandomRepetition}: the theorems evaluated independently, and the search's behaviour. */
class RandomRepetitionTest {

    /**
     * Papernot and Steinke (ICLR 2022) Theorem 2, written out here with plain loops for a trial that is the Gaussian
     * mechanism of noise multiplier s (RDP alpha / (2 s^2), Mironov 2017 Prop. 7), eta = 0.5, gamma = 0.05:
     * eps'(lambda) = eps(lambda) + min over lambda-hat of (1 + eta) [(1 - 1/lh) eps(lh) + log(1/gamma) / lh]
     * + log(E[K]) / (lambda - 1), E[K] = eta (1 - gamma) / (gamma (1 - gamma^eta)) (Definition 1), then the
     * minimum over the grid's orders &gt;= lambda.
     */
    @Test
    void theorem2_evaluatedDirectly() {
        double s = 3.0;
        double eta = 0.5;
        double gamma = 0.05;
        double[] orders = {1.25, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};
        double[] trial = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            trial[i] = orders[i] / (2 * s * s);
        }
        double mean = eta * (1 - gamma) / (gamma * (1 - Math.pow(gamma, eta)));
        double[] bound = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < orders.length; j++) {
                double lh = orders[j];
                double v = trial[i] + (1 + eta) * (1 - 1 / lh) * trial[j] + (1 + eta) * Math.log(1 / gamma) / lh
                        + Math.log(mean) / (orders[i] - 1);
                best = Math.min(best, v);
            }
            bound[i] = best;
        }
        double[] expected = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            double m = Double.POSITIVE_INFINITY;
            for (int j = 0; j < orders.length; j++) {
                if (orders[j] >= orders[i]) {
                    m = Math.min(m, bound[j]);
                }
            }
            expected[i] = m;
        }
        TrialCount count = new TrialCount(TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL, eta, gamma);
        assertEquals(mean, count.mean(), 1e-13 * mean);
        double[] got = RandomRepetition.rdp(orders, trial, count);
        for (int i = 0; i < orders.length; i++) {
            assertEquals(expected[i], got[i], 1e-12 * expected[i], "order " + orders[i]);
        }
        // The orders' sequence does not matter.
        double[] rev = new double[orders.length];
        double[] revTrial = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            rev[i] = orders[orders.length - 1 - i];
            revTrial[i] = trial[orders.length - 1 - i];
        }
        double[] gotRev = RandomRepetition.rdp(rev, revTrial, count);
        for (int i = 0; i < orders.length; i++) {
            assertEquals(got[orders.length - 1 - i], gotRev[i], 0);
        }
    }

    /**
     * Theorem 6 written out for the Gaussian-mechanism trial: eps'(lambda) = eps(lambda) + mu delta-hat + log(mu) /
     * (lambda - 1), epsilon-hat = log(1 + 1/(lambda - 1)), delta-hat the smallest over the grid of Balle et al.
     * 2020's conversion exp((a - 1)(eps(a) - epsHat + log(1 - 1/a)) - log a) and of sqrt(1 - exp(-eps(a))).
     */
    @Test
    void theorem6_evaluatedDirectly() {
        double s = 4.0;
        double mu = 12;
        double[] orders = {1.5, 2, 3, 4, 6, 8, 12, 16, 32, 64};
        double[] trial = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            trial[i] = orders[i] / (2 * s * s);
        }
        double[] bound = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            double epsHat = Math.log(1 + 1 / (orders[i] - 1));
            double deltaHat = 1;
            for (int j = 0; j < orders.length; j++) {
                double a = orders[j];
                deltaHat = Math.min(deltaHat, Math.exp((a - 1) * (trial[j] - epsHat + Math.log(1 - 1 / a)) - Math.log(a)));
                deltaHat = Math.min(deltaHat, Math.sqrt(1 - Math.exp(-trial[j])));
            }
            bound[i] = trial[i] + mu * deltaHat + Math.log(mu) / (orders[i] - 1);
        }
        double[] got = RandomRepetition.rdp(orders, trial, TrialCount.poisson(mu));
        for (int i = 0; i < orders.length; i++) {
            double m = Double.POSITIVE_INFINITY;
            for (int j = i; j < orders.length; j++) {
                m = Math.min(m, bound[j]);
            }
            assertEquals(m, got[i], 1e-12 * m, "order " + orders[i]);
        }
    }

    @Test
    void trialRdp_isTheTrainingRunPlusTheScoreRelease() {
        double[] orders = RdpAccountant.defaultOrders();
        double[] none = RandomRepetition.trialRdp(orders, 0.01, 1.1, 700, Double.POSITIVE_INFINITY);
        double[] with = RandomRepetition.trialRdp(orders, 0.01, 1.1, 700, 20);
        RdpAccountant acc = new RdpAccountant();
        acc.compose(new DpEvent(0.01, 1.1, 700));
        double[] run = acc.rdp();
        for (int i = 0; i < orders.length; i++) {
            assertEquals(700 * SubsampledGaussianRdp.rdp(0.01, 1.1, orders[i]), none[i], 1e-12 * none[i]);
            assertEquals(run[i], none[i], 1e-12 * none[i]);
            assertEquals(none[i] + orders[i] / 800.0, with[i], 1e-12 * with[i]);
        }
    }

    @Test
    void searchCostsMoreThanOneTrial_andGrowsWithTheMean() {
        double q = 0.01;
        double sigma = 1.1;
        long steps = 1000;
        RdpAccountant single = new RdpAccountant();
        single.compose(new DpEvent(q, sigma, steps));
        double one = single.epsilon(1e-5);
        for (double eta : new double[] {0, 0.5, 1, 3}) {
            double previous = one;
            for (double mean : new double[] {2, 5, 10, 30, 100}) {
                double eps = RandomRepetition.epsilon(TrialCount.truncatedNegativeBinomial(eta, mean), q, sigma, steps,
                        Double.POSITIVE_INFINITY, 1e-5);
                assertTrue(eps > previous, "eta " + eta + " mean " + mean + ": " + eps + " after " + previous);
                previous = eps;
            }
        }
        double previous = one;
        for (double mean : new double[] {2, 5, 10, 30, 100}) {
            double eps = RandomRepetition.epsilon(TrialCount.poisson(mean), q, sigma, steps, Double.POSITIVE_INFINITY,
                    1e-5);
            assertTrue(eps > previous, "Poisson mean " + mean + ": " + eps + " after " + previous);
            previous = eps;
        }
        // Releasing the score costs something; a larger score noise less.
        TrialCount geo = TrialCount.geometric(10);
        double noScore = RandomRepetition.epsilon(geo, q, sigma, steps, Double.POSITIVE_INFINITY, 1e-5);
        double score100 = RandomRepetition.epsilon(geo, q, sigma, steps, 100, 1e-5);
        double score10 = RandomRepetition.epsilon(geo, q, sigma, steps, 10, 1e-5);
        assertTrue(noScore < score100 && score100 < score10, noScore + " " + score100 + " " + score10);
    }

    @Test
    void calibrateSigma_meetsTheTarget_andNoLessDoes() {
        double q = 256 / 29305.0;
        long steps = 15L * 29305 / 256;
        for (TrialCount count : new TrialCount[] {TrialCount.geometric(10), TrialCount.poisson(10),
                TrialCount.truncatedNegativeBinomial(0, 5)}) {
            for (double target : new double[] {1, 4}) {
                double sigma = RandomRepetition.calibrateSigma(target, 1e-5, count, q, steps, 100);
                assertTrue(RandomRepetition.epsilon(count, q, sigma, steps, 100, 1e-5) <= target, count.describe());
                assertTrue(RandomRepetition.epsilon(count, q, 0.999 * sigma, steps, 100, 1e-5) > target,
                        count.describe());
            }
        }
    }

    @Test
    void calibrateSigma_refusesAnUnreachableTarget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RandomRepetition.calibrateSigma(0.01, 1e-5, TrialCount.geometric(10), 1.0, 1_000_000, 1));
        assertTrue(e.getMessage().contains("no noise multiplier in [0.3, 1000]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RandomRepetition.calibrateSigma(-1, 1e-5, TrialCount.geometric(10), 0.01, 100, 1));
    }

    @Test
    void infiniteTrialRdp_givesNoBound() {
        double[] orders = {2, 3, 4};
        double[] inf = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (TrialCount c : new TrialCount[] {TrialCount.geometric(10), TrialCount.poisson(10)}) {
            for (double v : RandomRepetition.rdp(orders, inf, c)) {
                assertEquals(Double.POSITIVE_INFINITY, v, 0);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> RandomRepetition.rdp(orders, new double[] {1, 2},
                TrialCount.geometric(10)));
    }

    @Test
    void theorem_namesTheTheorem() {
        assertEquals("Papernot and Steinke (ICLR 2022), Theorem 2 (truncated negative binomial)",
                RandomRepetition.theorem(TrialCount.geometric(10)));
        assertEquals("Papernot and Steinke (ICLR 2022), Theorem 6 (Poisson)",
                RandomRepetition.theorem(TrialCount.poisson(10)));
    }
}
