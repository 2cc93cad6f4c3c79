package org.dpspark.accountant.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.DoubleFunction;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.calibration.BestCalibration;
import org.dpspark.accountant.calibration.DdgCalibration;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.secagg.DdgParams;

/**
 * What a run will spend, fixed before the first step: Poisson rate q, noise multiplier sigma, steps T, and the
 * guarantee (epsilon at delta) of T compositions of the Poisson-subsampled Gaussian (Abadi et al. 2016), under the
 * RDP (Mironov 2017; Balle et al. 2020) and the PLD accountant (Koskela et al. 2020; Doroshenko et al. 2022). Both
 * are valid upper bounds, so the smaller is claimed and its accountant named ({@link BestAccountant}). With a target
 * epsilon, sigma is the smallest that meets it under either accountant ({@link BestCalibration}), so the claimed
 * epsilon is at most the target.
 *
 * <p>The one home of the plan rule: {@code dp-train}, {@code dp-privacy}, {@code dp-ledger check} and the MLlib
 * estimators all build their plans here from a {@link PlanRequest} (whose {@code build()} holds every parameter
 * rule), so a dry run describes the job that would run.
 *
 * <p>Sanity limits ({@link PlanRequest}): without {@code allowWeakPrivacy}, a calibrated sigma below
 * {@link PlanRequest#MIN_NOISE_MULTIPLIER} and a claimed epsilon above the request's ceiling are refused here, the
 * two limits only the plan can check.
 *
 * <p><b>Secure aggregation</b> ({@link PlanRequest#secureAggregation()}): the noise is the distributed discrete
 * Gaussian of the parties' encoding {@link DdgParams} at sigma ({@link DdgParams#choose} with the request's b, n, t,
 * d, C and N), and the run's event is {@link DpEvent#distributedDiscrete}(q, encoding, T), accounted by RDP alone
 * (Kairouz, Liu and Steinke 2021, Prop. 14, subsampled by Zhu and Wang 2019, Thm 5; the PLD accountant has no bound
 * for it, so {@code pldEpsilon} is +Infinity and the claim is RDP's). With a target epsilon, sigma is the smallest
 * that meets it by that bound ({@link DdgCalibration}). The sanity limits apply alike. {@link #distributed()} holds
 * the encoding.
 *
 * <p><b>DP data normalization</b> ({@link PlanRequest#normalizationNoise()}, sigma_norm; Tramer and Boneh, ICLR 2021,
 * "Differentially private learning needs better features (or much more data)", section on data normalization of
 * ScatterNet features): before the first step, the per-channel means and mean squares of the features are released,
 * each as a sum over all rows (no subsampling) of per-example vectors of L2 norm at most 1, plus N(0, sigma_norm^2)
 * per coordinate. Each release is the Gaussian mechanism with L2 sensitivity 1 under add/remove adjacency (Dwork and
 * Roth 2014, Thm A.1; its RDP is alpha / (2 sigma_norm^2) at every order alpha, Mironov 2017, Prop. 7), so the two
 * are {@link #normalizationEvent()} = {@code DpEvent(1.0, sigma_norm, 2)}. It is part of this one plan: with a target
 * epsilon, sigma is calibrated so that the normalization and the training steps composed meet it
 * ({@link BestCalibration#of(double, double, double, long, List)}); every epsilon here (rdpEpsilon, pldEpsilon,
 * epsilon, {@link #epsilonAfter}) is that of the whole composition; {@link #events()} lists the normalization
 * first. Plans of secure aggregation never carry it ({@link PlanRequest} refuses it there).
 *
 * <p>Ledger hook: {@link #events()} is this run's history; a ledger composes the events of all of a dataset's jobs
 * with the same best-of rule.
 *
 * @param samplingRate    q = B / N, or as requested
 * @param noiseMultiplier sigma (noise std = sigma * clipNorm)
 * @param steps           T
 * @param delta           the delta of the guarantee
 * @param epsilon         the claimed epsilon at delta: min(rdpEpsilon, pldEpsilon), an upper bound
 * @param accountant      the accountant that gave epsilon ({@link AccountantName#RDP} or {@link AccountantName#PLD})
 * @param calibrated      whether sigma was calibrated from a target epsilon (else requested)
 * @param rdpEpsilon      epsilon by the RDP accountant
 * @param pldEpsilon      epsilon by the PLD accountant
 * @param targetEpsilon   the requested target, when sigma was calibrated
 * @param rows            N, when known
 * @param distributed     the distributed discrete Gaussian encoding at sigma under secure aggregation; empty for the
 *                        central mode
 * @param normalizationNoise sigma_norm of DP data normalization, composed before training (see above); empty for
 *                        none
 */
public record PrivacyPlan(
        double samplingRate,
        double noiseMultiplier,
        long steps,
        double delta,
        double epsilon,
        AccountantName accountant,
        boolean calibrated,
        double rdpEpsilon,
        double pldEpsilon,
        OptionalDouble targetEpsilon,
        OptionalLong rows,
        Optional<DdgParams> distributed,
        OptionalDouble normalizationNoise) {

    /**
     * Checks that the optional parts are present or empty, never null, and that a normalization's sigma_norm is
     * finite and &gt; 0 and comes neither with secure aggregation nor with a non-private plan.
     */
    public PrivacyPlan {
        Objects.requireNonNull(accountant, "accountant");
        Objects.requireNonNull(targetEpsilon, "targetEpsilon");
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(distributed, "distributed");
        Objects.requireNonNull(normalizationNoise, "normalizationNoise");
        if (normalizationNoise.isPresent()) {
            double s = normalizationNoise.getAsDouble();
            if (!(s > 0 && s < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("normalizationNoise must be finite and > 0, got " + s);
            }
            if (distributed.isPresent() || noiseMultiplier == 0.0) {
                throw new IllegalArgumentException("a plan with secure aggregation or without noise has no DP data "
                        + "normalization");
            }
        }
    }

    /** A plan of the central mode (no secure aggregation) without normalization. */
    public PrivacyPlan(double samplingRate, double noiseMultiplier, long steps, double delta, double epsilon,
            AccountantName accountant, boolean calibrated, double rdpEpsilon, double pldEpsilon,
            OptionalDouble targetEpsilon, OptionalLong rows) {
        this(samplingRate, noiseMultiplier, steps, delta, epsilon, accountant, calibrated, rdpEpsilon, pldEpsilon,
                targetEpsilon, rows, Optional.empty(), OptionalDouble.empty());
    }

    /** A plan without normalization. */
    public PrivacyPlan(double samplingRate, double noiseMultiplier, long steps, double delta, double epsilon,
            AccountantName accountant, boolean calibrated, double rdpEpsilon, double pldEpsilon,
            OptionalDouble targetEpsilon, OptionalLong rows, Optional<DdgParams> distributed) {
        this(samplingRate, noiseMultiplier, steps, delta, epsilon, accountant, calibrated, rdpEpsilon, pldEpsilon,
                targetEpsilon, rows, distributed, OptionalDouble.empty());
    }

    /**
     * The two Gaussian releases of DP data normalization (class comment), {@code DpEvent(1.0, sigma_norm, 2)}: q = 1
     * (every row, no subsampling), noise multiplier sigma_norm, two compositions; empty without normalization.
     */
    public Optional<DpEvent> normalizationEvent() {
        return normalizationNoise.isPresent()
                ? Optional.of(normalizationEvent(normalizationNoise.getAsDouble()))
                : Optional.empty();
    }

    private static DpEvent normalizationEvent(double sigmaNorm) {
        return new DpEvent(1.0, sigmaNorm, 2);
    }

    /**
     * Epsilon at {@link #delta()} of the normalization alone ({@link #normalizationEvent()}), by the same best-of rule
     * as the claim (the smaller of RDP's and PLD's bound), for the report; 0 without normalization. It is spent
     * before the first training step: {@code epsilonAfter(0)}.
     */
    public double normalizationEpsilon() {
        return normalizationEvent().map(e -> BestAccountant.bound(List.of(e), delta).epsilon()).orElse(0.0);
    }

    /**
     * Whether this plan is of an explicitly non-private run ({@link PlanRequest#nonPrivate()}: no noise): it has no
     * differential-privacy guarantee, {@link #epsilon()} is +Infinity, and {@link #events()} refuses.
     */
    public boolean nonPrivate() {
        return noiseMultiplier == 0.0;
    }

    /** A plan with the calibration it came from, for callers that show both accountants' sigmas. */
    public record Detailed(PrivacyPlan plan, Optional<BestCalibration> calibration) {}

    /**
     * Plans the run {@code request} describes: calibrates sigma to the target epsilon when one is given, then the
     * guarantee under both accountants and the one claimed.
     *
     * @throws InvalidParameterException naming {@code epsilon} when no noise multiplier in the calibration's range
     *         meets the target; naming {@code epsilon} or {@code noiseMultiplier}, and {@code allowWeakPrivacy},
     *         when the plan breaks a sanity limit
     */
    public static PrivacyPlan of(PlanRequest request) {
        return detailed(request).plan();
    }

    /**
     * As {@link #of}, with the calibration (both accountants' smallest sigmas) when sigma was calibrated in the central
     * mode (empty under secure aggregation, which only RDP accounts).
     *
     * @throws InvalidParameterException as {@link #of}, and naming {@code secaggBits} when secure aggregation's b
     *         cannot hold the sum's range at the plan's sigma
     */
    public static Detailed detailed(PlanRequest request) {
        Objects.requireNonNull(request, "request");
        if (request.nonPrivate()) {
            // No noise, no guarantee: epsilon is infinite and no accountant is claimed (nonPrivate()).
            PrivacyBound none = new PrivacyBound(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                    Double.POSITIVE_INFINITY, AccountantName.RDP);
            return new Detailed(plan(request, 0.0, false, none), Optional.empty());
        }
        if (request.secureAggregation().isPresent()) {
            return distributed(request, request.secureAggregation().get());
        }
        double q = request.samplingRate();
        long t = request.steps();
        double delta = request.delta();
        // The events spent before training: DP data normalization's two Gaussian releases, when requested.
        List<DpEvent> prefix = request.normalizationNoise().isPresent()
                ? List.of(normalizationEvent(request.normalizationNoise().getAsDouble()))
                : List.of();
        String withNormalization = prefix.isEmpty() ? "" : " after DP data normalization with noise multiplier "
                + PlanRequest.num(request.normalizationNoise().getAsDouble());
        if (request.noiseMultiplier().isPresent()) {
            double sigma = request.noiseMultiplier().getAsDouble();
            List<DpEvent> all = new ArrayList<>(prefix);
            all.add(new DpEvent(q, sigma, t));
            PrivacyBound bound = BestAccountant.bound(all, delta);
            if (!request.allowWeakPrivacy() && !(bound.epsilon() <= request.epsilonCeiling())) {
                throw PlanRequest.weakEpsilon("noiseMultiplier", PlanRequest.num(sigma) + " over " + t
                        + " steps at q = " + PlanRequest.num(q) + withNormalization + " gives epsilon "
                        + PlanRequest.num(bound.epsilon()) + ", which", bound.epsilon(), request.epsilonCeiling());
            }
            return new Detailed(plan(request, sigma, false, bound), Optional.empty());
        }
        double target = request.targetEpsilon().getAsDouble();
        BestCalibration cal;
        try {
            cal = BestCalibration.of(target, delta, q, t, prefix);
        } catch (InvalidParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // The target is out of reach of every sigma in the calibration's range (too small, or met by any noise).
            throw InvalidParameterException.of("epsilon", "cannot be calibrated: " + e.getMessage());
        }
        double sigma = cal.best();
        if (!request.allowWeakPrivacy() && !(sigma >= PlanRequest.MIN_NOISE_MULTIPLIER)) {
            throw PlanRequest.weakNoise("epsilon", PlanRequest.num(target) + " over " + t + " steps at q = "
                    + PlanRequest.num(q) + withNormalization + " calibrates the noise multiplier to "
                    + PlanRequest.num(sigma));
        }
        // The calibration already evaluated the winner's accountant at sigma (a fresh accountant, the prefix and then
        // the training event, the default grid: the same number BestAccountant.bound gives for events()); only the
        // other accountant remains, composing the same history.
        List<DpEvent> all = new ArrayList<>(prefix);
        all.add(new DpEvent(q, sigma, t));
        double rdp;
        double pld;
        if (cal.bestAccountant() == AccountantName.PLD) {
            pld = cal.pldEpsilon();
            RdpAccountant a = new RdpAccountant();
            all.forEach(a::compose);
            rdp = a.epsilon(delta);
        } else {
            rdp = cal.rdpEpsilon();
            PldAccountant a = new PldAccountant();
            all.forEach(a::compose);
            pld = a.epsilon(delta);
        }
        return new Detailed(plan(request, sigma, true, BestAccountant.bound(rdp, pld)), Optional.of(cal));
    }

    /**
     * The plan under secure aggregation: the encoding at sigma (given, or calibrated by {@link DdgCalibration}), its
     * event {@link DpEvent#distributedDiscrete}, and its RDP epsilon claimed (PLD: +Infinity).
     */
    private static Detailed distributed(PlanRequest request, PlanRequest.SecureAggregation secagg) {
        double q = request.samplingRate();
        long t = request.steps();
        double delta = request.delta();
        long rows = request.rows().orElseThrow(); // PlanRequest requires N with secure aggregation
        DoubleFunction<DdgParams> encoding = sigma -> secagg.encoding(sigma, rows);
        double sigma;
        DdgParams params;
        double rdp;
        boolean calibrated = request.targetEpsilon().isPresent();
        if (!calibrated) {
            sigma = request.noiseMultiplier().getAsDouble();
            params = encoding.apply(sigma);
            rdp = DdgCalibration.epsilon(DpEvent.distributedDiscrete(q, params, t), delta);
            if (!request.allowWeakPrivacy() && !(rdp <= request.epsilonCeiling())) {
                throw PlanRequest.weakEpsilon("noiseMultiplier", PlanRequest.num(sigma) + " over " + t
                        + " steps at q = " + PlanRequest.num(q) + " with secure aggregation gives epsilon "
                        + PlanRequest.num(rdp) + ", which", rdp, request.epsilonCeiling());
            }
        } else {
            double target = request.targetEpsilon().getAsDouble();
            DdgCalibration.Result cal = DdgCalibration.calibrate(target, delta, q, t, encoding);
            sigma = cal.sigma();
            if (!request.allowWeakPrivacy() && !(sigma >= PlanRequest.MIN_NOISE_MULTIPLIER)) {
                throw PlanRequest.weakNoise("epsilon", PlanRequest.num(target) + " over " + t + " steps at q = "
                        + PlanRequest.num(q) + " with secure aggregation calibrates the noise multiplier to "
                        + PlanRequest.num(sigma));
            }
            params = cal.params();
            rdp = cal.epsilon();
        }
        PrivacyBound bound = BestAccountant.bound(rdp, Double.POSITIVE_INFINITY);
        return new Detailed(plan(request, sigma, calibrated, bound, Optional.of(params)), Optional.empty());
    }

    private static PrivacyPlan plan(PlanRequest r, double sigma, boolean calibrated, PrivacyBound bound) {
        return plan(r, sigma, calibrated, bound, Optional.empty());
    }

    private static PrivacyPlan plan(PlanRequest r, double sigma, boolean calibrated, PrivacyBound bound,
            Optional<DdgParams> distributed) {
        return new PrivacyPlan(r.samplingRate(), sigma, r.steps(), r.delta(), bound.epsilon(), bound.claimed(),
                calibrated, bound.rdpEpsilon(), bound.pldEpsilon(), r.targetEpsilon(), r.rows(), distributed,
                r.normalizationNoise());
    }

    /**
     * This run's privacy history, for a ledger, in the order spent: {@link #normalizationEvent()} first when present,
     * then the training event: the Gaussian's (q, sigma, T), or under secure aggregation
     * {@link DpEvent#distributedDiscrete}(q, {@link #distributed()}, T).
     */
    public List<DpEvent> events() {
        if (nonPrivate()) {
            throw new IllegalStateException("a non-private run (no noise) has no DP events: no ledger records it");
        }
        return history(steps);
    }

    /** The normalization event (if any) and then the training event of {@code t} steps. */
    private List<DpEvent> history(long t) {
        Optional<DpEvent> norm = normalizationEvent();
        return norm.isPresent() ? List.of(norm.get(), event(t)) : List.of(event(t));
    }

    private DpEvent event(long t) {
        return distributed.map(p -> DpEvent.distributedDiscrete(samplingRate, p, t))
                .orElseGet(() -> new DpEvent(samplingRate, noiseMultiplier, t));
    }

    /**
     * Epsilon at delta after {@code stepsDone} steps of this plan's event, for progress lines, by the same rule as the
     * claim (the smaller valid bound of RDP and PLD, {@link BestAccountant}; RDP's under secure aggregation), so that
     * after {@link #steps()} it equals {@link #epsilon()}. The normalization is spent before the first step: it is
     * composed first, and for no steps the result is {@link #normalizationEpsilon()} (0 without normalization). Costs
     * one evaluation of each accountant (tens of ms).
     *
     * @param stepsDone with 0 &lt;= stepsDone
     */
    public double epsilonAfter(long stepsDone) {
        if (stepsDone < 0) {
            throw new IllegalArgumentException("stepsDone must be >= 0, got " + stepsDone);
        }
        if (stepsDone == 0) {
            return normalizationEpsilon();
        }
        if (nonPrivate()) {
            return Double.POSITIVE_INFINITY;
        }
        return BestAccountant.bound(history(stepsDone), delta).epsilon();
    }

    /**
     * Both accountants' epsilons at delta after {@code stepsDone} steps (the normalization composed first, as in
     * {@link #epsilonAfter}), for a report's epsilon-over-steps curve; for no steps the normalization's alone (both 0
     * without normalization). PLD is +Infinity where it certifies nothing (secure aggregation).
     *
     * <p>{@code pldInterval} is the PLD accountant's value discretization interval: {@link PldAccountant#DEFAULT_INTERVAL}
     * gives the claim's PLD epsilon (tens of ms per call); a coarser grid, e.g. 1e-3, costs about 1 ms and is still a
     * valid upper bound (the discretization is pessimistic), a few thousandths looser. RDP is exact either way.
     *
     * @param stepsDone with 0 &lt;= stepsDone
     * @param pldInterval in (0, 1]
     * @throws IllegalStateException for a non-private plan (no noise: no bound)
     */
    public PrivacyBound boundAfter(long stepsDone, double pldInterval) {
        if (stepsDone < 0) {
            throw new IllegalArgumentException("stepsDone must be >= 0, got " + stepsDone);
        }
        if (nonPrivate()) {
            throw new IllegalStateException("a non-private run (no noise) has no privacy bound");
        }
        List<DpEvent> events = stepsDone > 0 ? history(stepsDone) : normalizationEvent().map(List::of).orElse(List.of());
        if (events.isEmpty()) {
            return BestAccountant.bound(0.0, 0.0);
        }
        RdpAccountant rdp = new RdpAccountant();
        PldAccountant pld = new PldAccountant(pldInterval);
        for (DpEvent e : events) {
            rdp.compose(e);
            pld.compose(e);
        }
        return BestAccountant.bound(rdp.epsilon(delta), pld.epsilon(delta));
    }
}
