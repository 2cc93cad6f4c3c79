package org.dpspark.jobs.run;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.accountant.tuning.RandomRepetition;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.jobs.train.TrainConfig;

/**
 * The privacy plan of a whole private search: every trial runs DP-SGD with the same q, T and sigma, and releases one
 * noisy count of correct validation predictions (Gaussian, noise multiplier S, sensitivity 1); the number of trials
 * K is random with the distribution {@code count}; only the best trial is published. The search is ONE selection
 * event in the ledger ({@link DpEvent#repeatAndSelect}), whose epsilon at delta is
 * {@link RandomRepetition#epsilon} (RDP; Papernot and Steinke 2022, the theorem {@link RandomRepetition#theorem}).
 * sigma is the smallest that meets the total target epsilon ({@link RandomRepetition#calibrateSigma}).
 *
 * <p><b>Cross-validated</b> ({@code folds} = k &gt;= 2): a trial fits k models, fold i's on the rows of the other
 * folds, so each row is in k - 1 fits, and releases k noisy counts, one per fold, each row in exactly one of them. The
 * trial is accounted as k - 1 fits composed, each at the largest q and T of the k fits (RDP grows with both: an upper
 * bound), plus ONE count release (the counts are over disjoint rows: parallel composition), i.e. the selection event
 * with {@code (k - 1) T} steps per trial. The chosen point is then refit on all rows: a second, plain Gaussian event
 * (q = B / N, its own T) in the same reservation. sigma is the smallest (bisection to a relative 1e-4) whose
 * composition of both events by the {@link RdpAccountant} meets the target.
 *
 * @param samplingRate q = B / N_train (the largest over the folds)
 * @param noiseMultiplier sigma of every trial
 * @param steps T of every trial (of each fit; the largest over the folds)
 * @param count the distribution of K
 * @param scoreNoise S
 * @param delta delta of the guarantee
 * @param epsilon the whole search's epsilon at delta (RDP), at most the target
 * @param targetEpsilon the total epsilon asked for
 * @param trainRows N_train (the rows trials train on, the fewest over the folds; public like N)
 * @param validationRows the rows trials are scored on (the fewest over the folds; public like N)
 * @param folds 0 (one held-out part) or k
 * @param refitSamplingRate q of the refit on all rows (cross-validated), else 0
 * @param refitSteps T of the refit (cross-validated), else 0
 */
public record SearchPlan(double samplingRate, double noiseMultiplier, long steps, TrialCount count, double scoreNoise,
        double delta, double epsilon, double targetEpsilon, long trainRows, long validationRows, int folds,
        double refitSamplingRate, long refitSteps) {

    /**
     * Plans a search of {@code cfg}'s q and T (its batch size and epochs or steps over each fit's training rows) for
     * its target epsilon, the total; refuses what the plan's rules refuse (naming the parameter), a target no sigma
     * meets, and, without allowWeakPrivacy, an epsilon above {@code ceiling}.
     *
     * @param trainRows the training rows of each fit (one entry for a held-out search, k for k folds)
     * @param validationRows the rows each fit is scored on, in the same order
     * @param allRows N, the rows of the refit of a cross-validated search
     */
    public static SearchPlan calibrate(TrainConfig cfg, SearchSettings search, long[] trainRows, long[] validationRows,
            long allRows, double ceiling) {
        long minValidation = java.util.Arrays.stream(validationRows).min().orElse(0);
        if (minValidation < 1) {
            throw InvalidParameterException.of(search.crossValidated() ? "numFolds" : "validationFraction",
                    "leaves no validation row: use fewer folds or a larger fraction, or more data");
        }
        double target = cfg.targetEpsilon().orElseThrow(() -> InvalidParameterException.of("epsilon",
                "is required: it is the total of the whole search"));
        double q = 0;
        long t = 0;
        for (long n : trainRows) {
            PlanRequest shape = cfg.planRequest(n, ceiling); // q, T and every rule of the plan, for each fit
            q = Math.max(q, shape.samplingRate());
            t = Math.max(t, shape.steps());
        }
        long minTrain = java.util.Arrays.stream(trainRows).min().orElse(0);
        double sigma;
        double eps;
        SearchPlan plan;
        try {
            if (!search.crossValidated()) {
                sigma = RandomRepetition.calibrateSigma(target, cfg.delta(), search.count(), q, t, search.scoreNoise());
                eps = RandomRepetition.epsilon(search.count(), q, sigma, t, search.scoreNoise(), cfg.delta());
                plan = new SearchPlan(q, sigma, t, search.count(), search.scoreNoise(), cfg.delta(), eps, target,
                        minTrain, minValidation, 0, 0, 0);
            } else {
                PlanRequest all = cfg.planRequest(allRows, ceiling);
                SearchPlan shape = new SearchPlan(q, 1, t, search.count(), search.scoreNoise(), cfg.delta(), 0, target,
                        minTrain, minValidation, search.folds(), all.samplingRate(), all.steps());
                plan = shape.calibrated(target);
            }
        } catch (IllegalArgumentException e) {
            throw InvalidParameterException.of("epsilon", target + " cannot be met by this search ("
                    + search.count().describe() + ", q = " + q + ", " + t + " steps, score noise "
                    + search.scoreNoise() + "): " + e.getMessage());
        }
        if (!cfg.allowWeakPrivacy() && plan.noiseMultiplier() < PlanRequest.MIN_NOISE_MULTIPLIER) {
            throw new InvalidParameterException(List.of("epsilon", "allowWeakPrivacy"), "%s " + target + " gives each "
                    + "trial a noise multiplier of " + plan.noiseMultiplier() + ", below "
                    + PlanRequest.MIN_NOISE_MULTIPLIER + ": such a guarantee promises next to nothing; pass %s to run "
                    + "it anyway");
        }
        if (!cfg.allowWeakPrivacy() && plan.epsilon() > ceiling) {
            throw new InvalidParameterException(List.of("epsilon", "allowWeakPrivacy"), "%s " + target + " is above the "
                    + "ledger's ceiling " + ceiling + "; pass %s to run it anyway");
        }
        return plan;
    }

    /** This plan at noise multiplier {@code sigma}, its epsilon composed by the RDP accountant. */
    private SearchPlan at(double sigma) {
        SearchPlan p = new SearchPlan(samplingRate, sigma, steps, count, scoreNoise, delta, 0, targetEpsilon, trainRows,
                validationRows, folds, refitSamplingRate, refitSteps);
        RdpAccountant acc = new RdpAccountant();
        p.events().forEach(acc::compose);
        return new SearchPlan(samplingRate, sigma, steps, count, scoreNoise, delta, acc.epsilon(delta), targetEpsilon,
                trainRows, validationRows, folds, refitSamplingRate, refitSteps);
    }

    /** The smallest sigma in [0.3, 1000] (to a relative 1e-4, rounded up) whose composed epsilon meets the target. */
    private SearchPlan calibrated(double target) {
        SearchPlan hi = at(1000);
        if (!(hi.epsilon() <= target)) {
            throw new IllegalArgumentException("even sigma = 1000 gives epsilon " + hi.epsilon());
        }
        SearchPlan lo = at(PlanRequest.MIN_NOISE_MULTIPLIER);
        if (lo.epsilon() <= target) {
            return lo;
        }
        while (hi.noiseMultiplier() > lo.noiseMultiplier() * (1 + 1e-4)) {
            SearchPlan mid = at(Math.sqrt(lo.noiseMultiplier() * hi.noiseMultiplier()));
            if (mid.epsilon() <= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * The search's ledger events, reserved once before the first trial and committed once after the last: the
     * selection (for k folds, with (k - 1) T steps per trial), and for k folds the refit's Gaussian event.
     */
    public List<DpEvent> events() {
        DpEvent selection = DpEvent.repeatAndSelect(samplingRate, noiseMultiplier,
                folds >= 2 ? (folds - 1) * steps : steps, new DpEvent.Selection(count, scoreNoise));
        return folds >= 2 ? List.of(selection, new DpEvent(refitSamplingRate, noiseMultiplier, refitSteps))
                : List.of(selection);
    }

    /** The selection theorem the accountant applies, in words. */
    public String theorem() {
        return RandomRepetition.theorem(count)
                + (folds >= 2 ? "; composed with the refit on all rows (RDP composition, Mironov 2017)" : "");
    }

    /** The configuration of one trial: the point's hyperparameters and the search's sigma. */
    public TrainConfig trialConfig(TrainConfig cfg, Hyperparameters point) {
        return cfg.toBuilder().learningRate(point.learningRate()).clipNorm(point.clipNorm()).momentum(point.momentum())
                .targetEpsilon(null).noiseMultiplier(noiseMultiplier).build();
    }

    /**
     * The plan one fit of {@code rows} training rows runs with (its q, T, and the search's sigma; its own epsilon is
     * that of the fit alone, used only for the trainer's progress lines, never claimed).
     */
    public PrivacyPlan fitPlan(TrainConfig trial, long rows, double ceiling) {
        return PrivacyPlan.of(trial.planRequest(rows, ceiling));
    }

    /**
     * The plan that describes the published model's guarantee: the (final) fit's q and T, the search's sigma and the
     * whole search's epsilon, by RDP (no PLD bound is claimed for a selection).
     */
    public PrivacyPlan claim() {
        boolean refit = folds >= 2;
        return new PrivacyPlan(refit ? refitSamplingRate : samplingRate, noiseMultiplier, refit ? refitSteps : steps,
                delta, epsilon, AccountantName.RDP, true, epsilon, Double.POSITIVE_INFINITY,
                OptionalDouble.of(targetEpsilon), OptionalLong.of(trainRows));
    }
}
