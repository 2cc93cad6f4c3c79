package org.dpspark.accountant.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.calibration.BestCalibration;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.params.InvalidParameterException;

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
        OptionalLong rows) {

    /** Checks that the optional parts are present or empty, never null. */
    public PrivacyPlan {
        Objects.requireNonNull(accountant, "accountant");
        Objects.requireNonNull(targetEpsilon, "targetEpsilon");
        Objects.requireNonNull(rows, "rows");
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

    /** As {@link #of}, with the calibration (both accountants' smallest sigmas) when sigma was calibrated. */
    public static Detailed detailed(PlanRequest request) {
        Objects.requireNonNull(request, "request");
        double q = request.samplingRate();
        long t = request.steps();
        double delta = request.delta();
        if (request.noiseMultiplier().isPresent()) {
            double sigma = request.noiseMultiplier().getAsDouble();
            PrivacyBound bound = BestAccountant.bound(List.of(new DpEvent(q, sigma, t)), delta);
            if (!request.allowWeakPrivacy() && !(bound.epsilon() <= request.epsilonCeiling())) {
                throw PlanRequest.weakEpsilon("noiseMultiplier", PlanRequest.num(sigma) + " over " + t
                        + " steps at q = " + PlanRequest.num(q) + " gives epsilon " + PlanRequest.num(bound.epsilon())
                        + ", which", bound.epsilon(), request.epsilonCeiling());
            }
            return new Detailed(plan(request, sigma, false, bound), Optional.empty());
        }
        double target = request.targetEpsilon().getAsDouble();
        BestCalibration cal;
        try {
            cal = BestCalibration.of(target, delta, q, t);
        } catch (InvalidParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // The target is out of reach of every sigma in the calibration's range (too small, or met by any noise).
            throw InvalidParameterException.of("epsilon", "cannot be calibrated: " + e.getMessage());
        }
        double sigma = cal.best();
        if (!request.allowWeakPrivacy() && !(sigma >= PlanRequest.MIN_NOISE_MULTIPLIER)) {
            throw PlanRequest.weakNoise("epsilon", PlanRequest.num(target) + " over " + t + " steps at q = "
                    + PlanRequest.num(q) + " calibrates the noise multiplier to " + PlanRequest.num(sigma));
        }
        // The calibration already evaluated the winner's accountant at sigma (a fresh accountant, one event, the
        // default grid: the same number BestAccountant.bound gives); only the other accountant remains.
        DpEvent event = new DpEvent(q, sigma, t);
        double rdp;
        double pld;
        if (cal.bestAccountant() == AccountantName.PLD) {
            pld = cal.pldEpsilon();
            RdpAccountant a = new RdpAccountant();
            a.compose(event);
            rdp = a.epsilon(delta);
        } else {
            rdp = cal.rdpEpsilon();
            PldAccountant a = new PldAccountant();
            a.compose(event);
            pld = a.epsilon(delta);
        }
        return new Detailed(plan(request, sigma, true, BestAccountant.bound(rdp, pld)), Optional.of(cal));
    }

    private static PrivacyPlan plan(PlanRequest r, double sigma, boolean calibrated, PrivacyBound bound) {
        return new PrivacyPlan(r.samplingRate(), sigma, r.steps(), r.delta(), bound.epsilon(), bound.claimed(),
                calibrated, bound.rdpEpsilon(), bound.pldEpsilon(), r.targetEpsilon(), r.rows());
    }

    /** This run's privacy history (one event), for a ledger. */
    public List<DpEvent> events() {
        return List.of(new DpEvent(samplingRate, noiseMultiplier, steps));
    }

    /**
     * Epsilon at delta after {@code stepsDone} steps, for progress lines, by the same rule as the claim (the smaller
     * valid bound of RDP and PLD, {@link BestAccountant}), so that after {@link #steps()} it equals
     * {@link #epsilon()}; 0 for no steps. Costs one evaluation of each accountant (tens of ms).
     *
     * @param stepsDone with 0 &lt;= stepsDone
     */
    public double epsilonAfter(long stepsDone) {
        if (stepsDone < 0) {
            throw new IllegalArgumentException("stepsDone must be >= 0, got " + stepsDone);
        }
        if (stepsDone == 0) {
            return 0.0;
        }
        return BestAccountant.bound(List.of(new DpEvent(samplingRate, noiseMultiplier, stepsDone)), delta).epsilon();
    }
}
