package org.dpspark.jobs.run;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.accountant.tuning.RandomRepetition;
import org.dpspark.accountant.tuning.TrialCount;
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
 * @param samplingRate q = B / N_train
 * @param noiseMultiplier sigma of every trial
 * @param steps T of every trial
 * @param count the distribution of K
 * @param scoreNoise S
 * @param delta delta of the guarantee
 * @param epsilon the whole search's epsilon at delta (RDP), at most the target
 * @param targetEpsilon the total epsilon asked for
 * @param trainRows N_train (the rows trials train on; public like N)
 * @param validationRows the rows trials are scored on (public like N)
 */
public record SearchPlan(double samplingRate, double noiseMultiplier, long steps, TrialCount count, double scoreNoise,
        double delta, double epsilon, double targetEpsilon, long trainRows, long validationRows) {

    /**
     * Plans a search of {@code cfg}'s q and T (its batch size and epochs or steps over {@code trainRows}) for its
     * target epsilon, the total; refuses what the plan's rules refuse (naming the parameter), a target no sigma
     * meets, and, without allowWeakPrivacy, a sigma below the minimum or an epsilon above {@code ceiling}.
     */
    public static SearchPlan calibrate(TrainConfig cfg, SearchSettings search, long trainRows, long validationRows,
            double ceiling) {
        if (validationRows < 1) {
            throw InvalidParameterException.of("validationFraction", "leaves no validation row ("
                    + trainRows + " training rows): raise it, or use more data");
        }
        double target = cfg.targetEpsilon().orElseThrow(() -> InvalidParameterException.of("epsilon",
                "is required: it is the total of the whole search"));
        PlanRequest shape = cfg.planRequest(trainRows, ceiling); // q, T and every rule of the plan
        double q = shape.samplingRate();
        long t = shape.steps();
        double sigma;
        try {
            sigma = RandomRepetition.calibrateSigma(target, cfg.delta(), search.count(), q, t, search.scoreNoise());
        } catch (IllegalArgumentException e) {
            throw InvalidParameterException.of("epsilon", target + " cannot be met by this search ("
                    + search.count().describe() + ", q = " + q + ", " + t + " steps, score noise "
                    + search.scoreNoise() + "): " + e.getMessage());
        }
        double eps = RandomRepetition.epsilon(search.count(), q, sigma, t, search.scoreNoise(), cfg.delta());
        if (!cfg.allowWeakPrivacy() && sigma < PlanRequest.MIN_NOISE_MULTIPLIER) {
            throw new InvalidParameterException(List.of("epsilon", "allowWeakPrivacy"), "%s " + target + " gives each "
                    + "trial a noise multiplier of " + sigma + ", below " + PlanRequest.MIN_NOISE_MULTIPLIER
                    + ": such a guarantee promises next to nothing; pass %s to run it anyway");
        }
        if (!cfg.allowWeakPrivacy() && eps > ceiling) {
            throw new InvalidParameterException(List.of("epsilon", "allowWeakPrivacy"), "%s " + target + " is above the "
                    + "ledger's ceiling " + ceiling + "; pass %s to run it anyway");
        }
        return new SearchPlan(q, sigma, t, search.count(), search.scoreNoise(), cfg.delta(), eps, target, trainRows,
                validationRows);
    }

    /** The search's one ledger event: reserved once before the first trial, committed once after the last. */
    public List<DpEvent> events() {
        return List.of(DpEvent.repeatAndSelect(samplingRate, noiseMultiplier, steps,
                new DpEvent.Selection(count, scoreNoise)));
    }

    /** The selection theorem the accountant applies, in words. */
    public String theorem() {
        return RandomRepetition.theorem(count);
    }

    /** The configuration of one trial: the point's hyperparameters and the search's sigma. */
    public TrainConfig trialConfig(TrainConfig cfg, Hyperparameters point) {
        return cfg.toBuilder().learningRate(point.learningRate()).clipNorm(point.clipNorm()).momentum(point.momentum())
                .targetEpsilon(null).noiseMultiplier(noiseMultiplier).build();
    }

    /**
     * The plan one trial trains with (q, T, sigma; its own epsilon is that of one trial alone, used only for the
     * trainer's progress lines, never claimed).
     */
    public PrivacyPlan trialPlan(TrainConfig trial, double ceiling) {
        return PrivacyPlan.of(trial.planRequest(trainRows, ceiling));
    }

    /**
     * The plan that describes the published model's guarantee: the search's q, T and sigma with the search's epsilon,
     * by RDP (no PLD bound is claimed for a selection).
     */
    public PrivacyPlan claim() {
        return new PrivacyPlan(samplingRate, noiseMultiplier, steps, delta, epsilon, AccountantName.RDP, true, epsilon,
                Double.POSITIVE_INFINITY, OptionalDouble.of(targetEpsilon), OptionalLong.of(trainRows));
    }
}
