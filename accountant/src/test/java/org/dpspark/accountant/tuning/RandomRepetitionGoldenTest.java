package org.dpspark.accountant.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;

/**
 * {@link RandomRepetition} against Google dp_accounting's RDP accountant ({@code RepeatAndSelectDpEvent}), an
 * independent implementation of Papernot and Steinke (ICLR 2022) Theorems 2 and 6.
 *
 * <p>The values come from {@code accountant/src/test/python/repeat_select_golden.py}, run on google/differential-privacy
 * at commit b5b0286e313b64a692abfc8c528d54ef47d960a0 (python/dp_accounting) with Debian bookworm's python3 3.11,
 * numpy, scipy, absl and mpmath. Each case is a search whose trial is {@code steps} compositions of the
 * Poisson-subsampled Gaussian (q, sigma) plus, when scoreSigma is finite, one Gaussian release; dp_accounting's
 * shape 1 is the geometric count, 0 the logarithmic, +Infinity the Poisson. The script prints the search's RDP at a
 * few orders (for Poisson made nonincreasing towards lower orders as {@link RandomRepetition} does; dp_accounting does
 * so itself for the truncated negative binomial) and epsilon at delta 1e-5 by dp_accounting's conversion of it.
 *
 * <p>Two grids:
 * <ul>
 *   <li>Integer orders 2..63, 128, 256, 512, 1024. There the two libraries' trial RDP (subsampled Gaussian) agree to
 *       about 1e-14, so the theorems' implementations are compared alone: relative tolerance 1e-9 (gamma's bisection
 *       in dp_accounting stops at a relative 1e-9, moving log E[K] by about 1e-9).</li>
 *   <li>The default grid (with fractional orders 1.1..10.9). dp_accounting's subsampled Gaussian RDP at fractional
 *       orders is a looser series than dpspark's exact one (0.1007 against 0.0973 at order 1.5 for q = 256/29305,
 *       sigma = 1, 1000 steps; dpspark's is checked against numerical integration in SubsampledGaussianRdpTest), and
 *       the theorems minimize over the orders, so dpspark's values are at most dp_accounting's; measured on these
 *       cases: RDP within a relative 1.3e-4, epsilon within 4.4e-5 (logarithmic case; 6e-7 for the geometric one).
 *       Tolerance: relative 1e-3.</li>
 * </ul>
 */
class RandomRepetitionGoldenTest {

    private record Golden(String name, double shape, double mean, double q, double sigma, long steps,
            double scoreSigma, double epsilon, double[] rdpAtOrders) {
        TrialCount count() {
            if (shape == Double.POSITIVE_INFINITY) {
                return TrialCount.poisson(mean);
            }
            return shape == 1 ? TrialCount.geometric(mean) : TrialCount.truncatedNegativeBinomial(shape, mean);
        }
    }

    /** Integer orders of the default grid: 2..63, 128, 256, 512, 1024. */
    private static final double[] INTEGER_GRID = LongStream.concat(LongStream.rangeClosed(2, 63),
            LongStream.of(128, 256, 512, 1024)).asDoubleStream().toArray();
    private static final double[] INTEGER_SHOWN = {2, 3, 4, 6, 8, 12, 16, 32};
    private static final List<Golden> INTEGER = List.of(
            new Golden("geometric10", 1.0, 10.0, 0.008735710629585395, 1.0, 1000, Double.POSITIVE_INFINITY, 3.673117347038474,
                    new double[] {2.384570979126251, 2.384570979126251, 2.384570979126251, 2.384570979126251, 2.4590081791929403, 832.5347334483058, 2945.3187805507146, 11108.310845175598}),
            new Golden("geometric10_score", 1.0, 10.0, 0.008735710629585395, 1.0, 1000, 100.0, 3.673917347038474,
                    new double[] {2.3852709791262505, 2.3852709791262505, 2.3852709791262505, 2.3852709791262505, 2.4598081791929403, 832.5357334483058, 2945.3199805507143, 11108.312845175598}),
            new Golden("negbin0.5", 0.5, 10.0, 0.01, 1.2, 500, Double.POSITIVE_INFINITY, 2.100527133066761,
                    new double[] {1.333927025461514, 1.333927025461514, 1.333927025461514, 1.333927025461514, 1.333927025461514, 1.3668095268580065, 324.2534911004426, 3179.563639574613}),
            new Golden("logarithmic10", 0.0, 10.0, 0.02, 0.9, 300, Double.POSITIVE_INFINITY, 5.325146239659137,
                    new double[] {2.9132436631771688, 2.9132436631771688, 2.9132436631771688, 3.9392032448726337, 146.76128807969198, 943.5894299209016, 1712.7052628461377, 4715.97102784724}),
            new Golden("negbin3", 3.0, 20.0, 0.005, 0.8, 2000, 50.0, 6.484071303451746,
                    new double[] {4.587035816931159, 4.587035816931159, 4.587035816931159, 4.722159661097265, 465.35636176270395, 7193.603149112597, 13700.404564428567, 39064.920046006526}),
            new Golden("poisson10", Double.POSITIVE_INFINITY, 10.0, 0.01, 1.1, 1000, Double.POSITIVE_INFINITY, 3.6619182429344335,
                    new double[] {1.978440353172357, 1.978440353172357, 2.024646300721255, 2.2361193426781485, 2.4857289809827474, 43.40310578587802, 1701.9083069410724, 8471.549464667682}),
            new Golden("poisson10_score", Double.POSITIVE_INFINITY, 10.0, 0.01, 1.1, 1000, 20.0, 3.6980867286816603,
                    new double[] {1.998160901150381, 1.998160901150381, 2.044614274200341, 2.2641515422379364, 2.5194975684981467, 43.4454341434921, 1701.942821855325, 8471.604963370568}));

    private static final double[] DEFAULT_SHOWN = {1.5, 2, 3, 4, 6, 8, 12, 16, 32};
    private static final List<Golden> DEFAULT = List.of(
            new Golden("geometric10", 1.0, 10.0, 0.008735710629585395, 1.0, 1000, Double.POSITIVE_INFINITY, 3.647784768933315,
                    new double[] {2.3799763797741793, 2.3799763797741793, 2.3799763797741793, 2.3799763797741793, 2.3799763797741793, 2.4546606446538366, 832.5303859137666, 2945.3144330161754, 11108.306497641059}),
            new Golden("geometric10_score", 1.0, 10.0, 0.008735710629585395, 1.0, 1000, 100.0, 3.6486347689333156,
                    new double[] {2.38071137977418, 2.38071137977418, 2.38071137977418, 2.38071137977418, 2.38071137977418, 2.455490644653837, 832.5314159137666, 2945.315663016175, 11108.308527641058}),
            new Golden("negbin0.5", 0.5, 10.0, 0.01, 1.2, 500, Double.POSITIVE_INFINITY, 2.0999865601803256,
                    new double[] {1.3326775868590177, 1.3326775868590177, 1.3326775868590177, 1.3326775868590177, 1.3326775868590177, 1.3326775868590177, 1.3662689539715709, 324.2529505275562, 3179.563099001726}),
            new Golden("logarithmic10", 0.0, 10.0, 0.02, 0.9, 300, Double.POSITIVE_INFINITY, 5.278145507347434,
                    new double[] {2.9122217762520197, 2.9122217762520197, 2.9122217762520197, 2.9122217762520197, 3.9381813579474843, 146.76026619276684, 943.5884080339764, 1712.7042409592127, 4715.970005960315}),
            new Golden("negbin3", 3.0, 20.0, 0.005, 0.8, 2000, 50.0, 6.4836869245745845,
                    new double[] {4.585917663745372, 4.585917663745372, 4.585917663745372, 4.585917663745372, 4.721775282220105, 465.3559773838268, 7193.60276473372, 13700.40418004969, 39064.919661627646}),
            new Golden("poisson10", Double.POSITIVE_INFINITY, 10.0, 0.01, 1.1, 1000, Double.POSITIVE_INFINITY, 3.639061250762535,
                    new double[] {1.9664684794157707, 1.9664684794157707, 1.9664684794157707, 2.0063158796153266, 2.2360691599959406, 2.4739636085289467, 43.360762965772444, 1701.8488122748386, 8471.513693774647}),
            new Golden("poisson10_score", Double.POSITIVE_INFINITY, 10.0, 0.01, 1.1, 1000, 20.0, 3.670805438432726,
                    new double[] {1.9870360429694895, 1.9870360429694895, 1.9870360429694895, 2.029664599504705, 2.2629116797524156, 2.5035782172660603, 43.395765010633184, 1701.8892902304533, 8471.573214746686}));

    @Test
    void integerGrid_rdpAndEpsilon_equalDpAccountingToRounding() {
        check(INTEGER_GRID, INTEGER_SHOWN, INTEGER, 1e-9, false);
    }

    @Test
    void defaultGrid_rdpAndEpsilon_withinTheFractionalOrderDifference() {
        check(RdpAccountant.defaultOrders(), DEFAULT_SHOWN, DEFAULT, 1e-3, true);
    }

    @Test
    void epsilon_usesTheDefaultGrid() {
        for (Golden g : DEFAULT) {
            double[] orders = RdpAccountant.defaultOrders();
            double expected = RdpAccountant.toEpsilon(orders, RandomRepetition.rdp(orders,
                    RandomRepetition.trialRdp(orders, g.q(), g.sigma(), g.steps(), g.scoreSigma()), g.count()), 1e-5)
                    .epsilon();
            assertEquals(expected, RandomRepetition.epsilon(g.count(), g.q(), g.sigma(), g.steps(), g.scoreSigma(),
                    1e-5), 0, g.name());
        }
    }

    private static void check(double[] orders, double[] shown, List<Golden> cases, double rel, boolean atMost) {
        for (Golden g : cases) {
            double[] rdp = RandomRepetition.rdp(orders,
                    RandomRepetition.trialRdp(orders, g.q(), g.sigma(), g.steps(), g.scoreSigma()), g.count());
            for (int k = 0; k < shown.length; k++) {
                double order = shown[k];
                int i = IntStream.range(0, orders.length).filter(x -> orders[x] == order).findFirst().orElseThrow();
                double expected = g.rdpAtOrders()[k];
                assertEquals(expected, rdp[i], rel * expected, g.name() + " at order " + order);
                if (atMost) {
                    assertTrue(rdp[i] <= expected * (1 + 1e-12), g.name() + " at order " + order);
                }
            }
            double eps = RdpAccountant.toEpsilon(orders, rdp, 1e-5).epsilon();
            assertEquals(g.epsilon(), eps, rel * g.epsilon(), g.name() + " epsilon");
        }
    }
}
