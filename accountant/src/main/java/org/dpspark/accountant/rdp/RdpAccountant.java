package org.dpspark.accountant.rdp;

import java.util.ArrayList;
import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;

/**
 * Renyi-DP accountant for compositions of the Poisson-subsampled Gaussian mechanism and of the Poisson-subsampled
 * distributed discrete Gaussian of secure aggregation.
 *
 * <p>Composition: RDP at a fixed order adds up over adaptive compositions (Mironov 2017, Prop. 1), so
 * after events (q_i, sigma_i, T_i) the RDP curve is
 * <pre>  rdp(alpha) = sum_i T_i * rdp_{q_i, sigma_i}(alpha),</pre>
 * evaluated on a fixed grid of orders with {@link SubsampledGaussianRdp#rdp} for a Gaussian event and
 * {@link DistributedDiscreteGaussianRdp#rdp} for a discrete one ({@link DpEvent#isDiscrete()}: KLS 2021, Prop. 14,
 * subsampled by Zhu and Wang 2019, Thm 5). A discrete event contributes +Infinity at the grid's fractional orders
 * (its bound holds at integer orders only), so a history with one is converted on the integer orders (2..63, 128,
 * 256, 512, 1024 on the default grid).
 *
 * <p>A hyperparameter search ({@link DpEvent#isSelection()}) adds, at each order, the RDP of the whole search:
 * {@link RepeatAndSelectRdp#rdp} of the trial's curve {@link RepeatAndSelectRdp#trialRdp} (Papernot and Steinke, ICLR 2022,
 * Theorem 2 or 6). It is never merged with another event; composing two searches adds their curves.
 *
 * <p>Conversion to (epsilon, delta)-DP (Balle, Barthe, Gaboardi, Hsu, Sato 2020, "Hypothesis testing
 * interpretations and Renyi differential privacy", Thm 21; the conversion of Google dp_accounting and
 * Opacus):
 * <pre>  epsilon(delta) = max(0, min_alpha [ rdp(alpha) + log1p(-1/alpha) - (log(delta) + log(alpha)) / (alpha - 1) ]),</pre>
 * and the same bound solved for delta:
 * <pre>  delta(epsilon) = min(1, min_alpha exp((alpha - 1) (rdp(alpha) - epsilon + log1p(-1/alpha)) - log(alpha))).</pre>
 * Both are upper bounds: any order gives a valid guarantee, the grid only decides how tight it is.
 *
 * <p>Thread-safe. {@link #compose} reuses the per-step curve when consecutive events are the same mechanism
 * ({@link DpEvent#sameMechanism}: q, sigma and the discrete part), so recording one step at a time costs one pass
 * over the orders.
 */
public final class RdpAccountant implements PrivacyAccountant {

    /**
     * An epsilon and the Renyi order that attains it.
     *
     * @param epsilon the (epsilon, delta)-DP epsilon, &gt;= 0, +Infinity when no order gives a finite bound
     * @param order   the order of the minimum, NaN when epsilon is +Infinity
     */
    public record EpsilonResult(double epsilon, double order) {}

    private final double[] orders;
    private final double[] rdp;
    private final List<DpEvent> events = new ArrayList<>();

    private DpEvent cachedMechanism;
    private double[] cachedStepRdp;

    /** An accountant on {@link #defaultOrders()}. */
    public RdpAccountant() {
        this(defaultOrders());
    }

    /**
     * An accountant on the given orders.
     *
     * @param orders Renyi orders, each finite and &gt; 1; copied
     */
    public RdpAccountant(double[] orders) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("orders must be a non-empty array, got "
                    + (orders == null ? "null" : "an empty array"));
        }
        for (int i = 0; i < orders.length; i++) {
            if (!(orders[i] > 1 && orders[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("orders[" + i + "] must be finite and > 1, got " + orders[i]);
            }
        }
        this.orders = orders.clone();
        this.rdp = new double[orders.length];
    }

    /**
     * The default orders of Google dp_accounting: 1 + x/10 for x = 1..99, then 11..63, then 128, 256, 512,
     * 1024 (160 orders).
     */
    public static double[] defaultOrders() {
        double[] result = new double[99 + 53 + 4];
        int i = 0;
        for (int x = 1; x <= 99; x++) {
            result[i++] = 1 + x / 10.0;
        }
        for (int a = 11; a <= 63; a++) {
            result[i++] = a;
        }
        for (int a : new int[] {128, 256, 512, 1024}) {
            result[i++] = a;
        }
        return result;
    }

    @Override
    public AccountantName name() {
        return AccountantName.RDP;
    }

    @Override
    public synchronized void compose(DpEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("event must not be null");
        }
        if (event.isSelection()) {
            DpEvent.Selection s = event.selection();
            double[] search = RepeatAndSelectRdp.rdp(orders, RepeatAndSelectRdp.trialRdp(orders, event.samplingRate(),
                    event.noiseMultiplier(), event.steps(), s.scoreNoiseMultiplier()), s.count());
            for (int i = 0; i < orders.length; i++) {
                rdp[i] += search[i];
            }
            events.add(event);
            return;
        }
        if (cachedStepRdp == null || !event.sameMechanism(cachedMechanism)) {
            double[] stepRdp = new double[orders.length];
            for (int i = 0; i < orders.length; i++) {
                stepRdp[i] = stepRdp(event, orders[i]);
            }
            cachedStepRdp = stepRdp;
            cachedMechanism = event;
        }
        double steps = event.steps();
        for (int i = 0; i < orders.length; i++) {
            rdp[i] += steps * cachedStepRdp[i];
        }
        int last = events.size() - 1;
        if (last >= 0 && events.get(last).sameMechanism(event)) {
            DpEvent previous = events.get(last);
            events.set(last, previous.withSteps(Math.addExact(previous.steps(), event.steps())));
        } else {
            events.add(event);
        }
    }

    /**
     * The RDP of one step of {@code event}'s mechanism at {@code order}: the subsampled Gaussian's
     * ({@link SubsampledGaussianRdp}) or the subsampled distributed discrete Gaussian's
     * ({@link DistributedDiscreteGaussianRdp}; +Infinity at fractional orders).
     *
     * @throws IllegalArgumentException for a selection event, which has no per-step RDP ({@link RepeatAndSelectRdp})
     */
    public static double stepRdp(DpEvent event, double order) {
        if (event.isSelection()) {
            throw new IllegalArgumentException("a selection event has no per-step RDP; see RepeatAndSelectRdp: " + event);
        }
        DpEvent.Discrete d = event.discrete();
        return d == null ? SubsampledGaussianRdp.rdp(event.samplingRate(), event.noiseMultiplier(), order)
                : DistributedDiscreteGaussianRdp.rdp(event.samplingRate(), event.noiseMultiplier(), d.tau(), d.dim(),
                        order);
    }

    /** The orders, a copy. */
    public double[] orders() {
        return orders.clone();
    }

    /** The composed RDP at each of {@link #orders()}, a copy. */
    public synchronized double[] rdp() {
        return rdp.clone();
    }

    /** The composed events in order, consecutive events of the same mechanism merged; unmodifiable. */
    public synchronized List<DpEvent> events() {
        return List.copyOf(events);
    }

    @Override
    public double epsilon(double delta) {
        return epsilonResult(delta).epsilon();
    }

    /**
     * Epsilon at {@code delta} and the order attaining it (Balle et al. 2020, Thm 21; see the class comment).
     *
     * @param delta with 0 &lt; delta &lt; 1
     */
    public synchronized EpsilonResult epsilonResult(double delta) {
        return toEpsilon(orders, rdp, delta);
    }

    /**
     * The smallest delta such that the composed history is (epsilon, delta)-DP by the conversion of the class
     * comment, capped at 1.
     *
     * @param epsilon finite and &gt;= 0
     */
    public synchronized double delta(double epsilon) {
        return toDelta(orders, rdp, epsilon);
    }

    /**
     * Converts an RDP curve to epsilon at {@code delta} (Balle et al. 2020, Thm 21):
     * eps = max(0, min_a [rdp(a) + log1p(-1/a) - (log(delta) + log(a)) / (a - 1)]).
     *
     * @param orders Renyi orders, each &gt; 1
     * @param rdp    RDP at each order, &gt;= 0 (+Infinity allowed)
     * @param delta  with 0 &lt; delta &lt; 1
     */
    public static EpsilonResult toEpsilon(double[] orders, double[] rdp, double delta) {
        checkCurve(orders, rdp);
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        double logDelta = Math.log(delta);
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double eps = rdp[i] + Math.log1p(-1 / a) - (logDelta + Math.log(a)) / (a - 1);
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new EpsilonResult(Math.max(0.0, best), bestOrder);
    }

    /**
     * Converts an RDP curve to delta at {@code epsilon}, the inverse of {@link #toEpsilon} at each order:
     * delta = min(1, min_a exp((a - 1) (rdp(a) - epsilon + log1p(-1/a)) - log(a))).
     *
     * @param orders  Renyi orders, each &gt; 1
     * @param rdp     RDP at each order, &gt;= 0 (+Infinity allowed)
     * @param epsilon finite and &gt;= 0
     */
    public static double toDelta(double[] orders, double[] rdp, double epsilon) {
        checkCurve(orders, rdp);
        if (!(epsilon >= 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        double bestLogDelta = Double.POSITIVE_INFINITY;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double logDelta = (a - 1) * (rdp[i] - epsilon + Math.log1p(-1 / a)) - Math.log(a);
            bestLogDelta = Math.min(bestLogDelta, logDelta);
        }
        return Math.min(1.0, Math.exp(bestLogDelta));
    }

    private static void checkCurve(double[] orders, double[] rdp) {
        if (orders == null || rdp == null || orders.length == 0 || orders.length != rdp.length) {
            throw new IllegalArgumentException("orders and rdp must be non-empty arrays of equal length, got "
                    + (orders == null ? "null" : orders.length) + " and " + (rdp == null ? "null" : rdp.length));
        }
        for (int i = 0; i < orders.length; i++) {
            if (!(orders[i] > 1 && orders[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("orders[" + i + "] must be finite and > 1, got " + orders[i]);
            }
            if (!(rdp[i] >= 0)) {
                throw new IllegalArgumentException("rdp[" + i + "] must be >= 0, got " + rdp[i]);
            }
        }
    }
}
