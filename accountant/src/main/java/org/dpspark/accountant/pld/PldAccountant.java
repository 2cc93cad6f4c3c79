package org.dpspark.accountant.pld;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.pld.SubsampledGaussianPld.Direction;

/**
 * Privacy loss distribution (PLD) accountant for compositions of the Poisson-subsampled Gaussian mechanism
 * under add/remove adjacency (Koskela, Jalko, Honkela 2020, "Computing Tight Differential Privacy Guarantees
 * Using FFT"; Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022, "Connect the Dots"), the method of Google
 * dp_accounting's {@code PLDAccountant} with pessimistic estimates.
 *
 * <ul>
 *   <li>Each distinct (q, sigma) is discretized once per direction with the pessimistic connect-the-dots
 *       construction on the grid i * {@link #valueDiscretizationInterval()} ({@link SubsampledGaussianPld}).</li>
 *   <li>All events, with their different q and sigma (heterogeneous composition), are convolved together in
 *       one FFT per direction: each distinct PLD raised to its number of steps in the frequency domain
 *       ({@link PldComposition}).</li>
 *   <li>delta(eps) is the larger of the two directions' composed hockey-stick divergences (as dp_accounting
 *       does), and epsilon(delta) the larger of the two directions' epsilons, each solved exactly on its
 *       discrete PLD.</li>
 * </ul>
 * Every step of the construction only moves mass to larger losses or adds mass, so the reported epsilon is
 * an upper bound of the true one (up to floating-point rounding of the order of 1e-12 in delta, which is
 * allowed for). When the composed PLD would need more than {@link #MAX_POINTS} grid points (very small
 * sigma, or enormous epsilon), the interval is doubled until it fits: coarser, still pessimistic;
 * {@link #effectiveInterval()} reports the interval used.
 *
 * <p><b>Distributed discrete Gaussian events</b> ({@link DpEvent#isDiscrete()}, secure aggregation) are accepted but
 * not accounted: this accountant has no privacy loss distribution for the Poisson-subsampled distributed discrete
 * Gaussian (a sum of discrete Gaussians is not a discrete Gaussian, and its privacy loss is only bounded through
 * KLS 2021's Renyi bound, Prop. 14). A history holding one reports epsilon = +Infinity (and delta = 1), a valid but
 * vacuous bound, so the best-of rule ({@code BestAccountant}) claims the RDP accountant's bound for it.
 *
 * <p><b>Hyperparameter searches</b> ({@link DpEvent#isSelection()}: K trials, K random, best one selected) are
 * likewise accepted but not accounted: their privacy is bounded only in Renyi DP (Papernot and Steinke, ICLR 2022,
 * Theorems 2 and 6), and no privacy loss distribution of the selection is built here. A history holding one reports
 * epsilon = +Infinity and delta = 1, so {@code BestAccountant} claims RDP's bound.
 *
 * <p>Thread-safe. The composed PLDs are computed on the first query after a {@link #compose} and cached.
 */
public final class PldAccountant implements PrivacyAccountant {

    /** The default value discretization interval, that of dp_accounting's PLDAccountant. */
    public static final double DEFAULT_INTERVAL = 1e-4;

    /** Largest number of grid points of one (single-step or composed) PLD: 2^22, 32 MB of doubles. */
    public static final int MAX_POINTS = 1 << 22;

    private final double interval;
    private final List<DpEvent> events = new ArrayList<>();
    private DiscretePld composedRemove;
    private DiscretePld composedAdd;
    private double effectiveInterval = Double.NaN;
    private boolean withoutPld; // a distributed discrete Gaussian or a selection event was composed

    /** An accountant with the value discretization interval {@value #DEFAULT_INTERVAL}. */
    public PldAccountant() {
        this(DEFAULT_INTERVAL);
    }

    /**
     * An accountant on the grid i * interval.
     *
     * @param valueDiscretizationInterval the grid step of privacy loss values, finite and in (0, 1]
     */
    public PldAccountant(double valueDiscretizationInterval) {
        if (!(valueDiscretizationInterval > 0 && valueDiscretizationInterval <= 1)) {
            throw new IllegalArgumentException("valueDiscretizationInterval must be in (0, 1], got "
                    + valueDiscretizationInterval);
        }
        this.interval = valueDiscretizationInterval;
    }

    /**
     * The number of threads one FFT may use: JTransforms' process-wide setting (JLargeArrays' ConcurrencyUtils),
     * by default the number of cores, used for transforms of 2^13 points and more. A caller that runs several
     * accountants in parallel (a sweep) should set 1, so that the parallel evaluations do not each spawn FFT
     * threads and compete for the same cores.
     *
     * @param threads &gt;= 1
     */
    public static void setFftThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        pl.edu.icm.jlargearrays.ConcurrencyUtils.setNumberOfThreads(threads);
    }

    @Override
    public AccountantName name() {
        return AccountantName.PLD;
    }

    @Override
    public synchronized void compose(DpEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("event must not be null");
        }
        int last = events.size() - 1;
        if (last >= 0 && events.get(last).sameMechanism(event)) {
            DpEvent previous = events.get(last);
            events.set(last, previous.withSteps(Math.addExact(previous.steps(), event.steps())));
        } else {
            events.add(event);
        }
        if (event.isDiscrete() || event.isSelection()) {
            withoutPld = true; // no PLD for either (class comment)
        }
        composedRemove = null;
        composedAdd = null;
    }

    /** The composed events in order, consecutive events of the same mechanism merged; unmodifiable. */
    public synchronized List<DpEvent> events() {
        return List.copyOf(events);
    }

    /** The requested value discretization interval. */
    public double valueDiscretizationInterval() {
        return interval;
    }

    /**
     * The interval actually used for the current history (the requested one unless it had to be coarsened,
     * see the class comment); NaN before the first query.
     */
    public synchronized double effectiveInterval() {
        return effectiveInterval;
    }

    /**
     * The smallest epsilon &gt;= 0 with delta(epsilon) &lt;= delta for the composed history; 0 when nothing was
     * composed, +Infinity when the mass at infinity exceeds delta or the history holds a distributed discrete
     * Gaussian event or a hyperparameter search (see the class comment).
     *
     * @param delta with 0 &lt; delta &lt; 1
     */
    @Override
    public synchronized double epsilon(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (events.isEmpty()) {
            return 0.0;
        }
        if (withoutPld) {
            return Double.POSITIVE_INFINITY; // no PLD for the subsampled DDG (class comment)
        }
        ensureComposed();
        return Math.max(composedRemove.epsilon(delta), composedAdd.epsilon(delta));
    }

    /**
     * The delta at which the composed history is (epsilon, delta)-DP by this accountant: the larger of the two
     * directions' hockey-stick divergences at epsilon, at most 1; 0 when nothing was composed; 1 (no guarantee) when
     * the history holds a distributed discrete Gaussian event or a hyperparameter search.
     *
     * @param epsilon finite and &gt;= 0
     */
    public synchronized double delta(double epsilon) {
        if (!(epsilon >= 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        if (events.isEmpty()) {
            return 0.0;
        }
        if (withoutPld) {
            return 1.0;
        }
        ensureComposed();
        return Math.max(composedRemove.delta(epsilon), composedAdd.delta(epsilon));
    }

    private void ensureComposed() {
        if (composedRemove != null) {
            return;
        }
        // Group equal (q, sigma) wherever they occur: composition commutes.
        Map<List<Double>, Long> counts = new LinkedHashMap<>();
        for (DpEvent e : events) {
            counts.merge(List.of(e.samplingRate(), e.noiseMultiplier()), e.steps(), Math::addExact);
        }
        for (double h = interval; ; h *= 2) {
            DiscretePld remove = composeDirection(counts, Direction.REMOVE, h);
            DiscretePld add = remove == null ? null : composeDirection(counts, Direction.ADD, h);
            if (add != null) {
                composedRemove = remove;
                composedAdd = add;
                effectiveInterval = h;
                return;
            }
            if (h > 1e6) {
                throw new IllegalStateException("no PLD grid fits " + MAX_POINTS + " points for " + events);
            }
        }
    }

    private static DiscretePld composeDirection(Map<List<Double>, Long> counts, Direction direction, double h) {
        List<PldComposition.Part> parts = new ArrayList<>();
        for (Map.Entry<List<Double>, Long> e : counts.entrySet()) {
            DiscretePld step = SubsampledGaussianPld.discretize(e.getKey().get(0), e.getKey().get(1), direction, h,
                    MAX_POINTS);
            if (step == null) {
                return null;
            }
            parts.add(new PldComposition.Part(step, e.getValue()));
        }
        return PldComposition.compose(parts, MAX_POINTS);
    }
}
