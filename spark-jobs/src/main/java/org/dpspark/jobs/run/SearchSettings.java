package org.dpspark.jobs.run;

import org.dpspark.accountant.TrialCount;

/**
 * What a private hyperparameter search adds to a run's settings ({@link TrainingRun#search}); the total epsilon is
 * the run's target epsilon ({@code --epsilon}, {@code setEpsilon}), spent by the whole search.
 *
 * @param space the points trials are drawn from
 * @param count the distribution of the number of trials K (drawn once, with a CSPRNG, after the reservation)
 * @param validationFraction the share of the input's rows held out to score the trials, in (0, 0.5]
 * @param folds 0: trials are scored on one held-out part of {@code validationFraction}; k &gt;= 2: by k-fold
 *     cross-validation (each trial fits k models, each row in k - 1 of them; the score is the mean noisy accuracy over
 *     the folds; the chosen point is refit on all rows), {@code validationFraction} then unused
 * @param scoreNoise S: the noise multiplier of each trial's count of correct validation predictions (sensitivity 1):
 *     Gaussian noise of std S is added to the count, so the noisy accuracy has std S / (validation rows)
 */
public record SearchSettings(SearchSpace space, TrialCount count, double validationFraction, double scoreNoise,
        int folds) {
    /** The most folds a cross-validated search may have. */
    public static final int MAX_FOLDS = 20;

    /**
     * The default S: 10, so that the noisy validation accuracy has a std of 10 / 3256 = 0.31 percentage points on
     * Adult's validation part (10% of its 32,561 training rows); smaller validation sets get noisier scores.
     */
    public static final double DEFAULT_SCORE_NOISE = 10.0;
    /** The default share of rows held out for validation. */
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;
    /** The default distribution of K. */
    public static final String DEFAULT_TRIALS = "geometric:10";

    /** A search scored on one held-out part ({@code folds} = 0). */
    public SearchSettings(SearchSpace space, TrialCount count, double validationFraction, double scoreNoise) {
        this(space, count, validationFraction, scoreNoise, 0);
    }

    /** Whether trials are scored by k-fold cross-validation (else on one held-out part). */
    public boolean crossValidated() {
        return folds >= 2;
    }

    /** Checks every field; messages name the canonical parameter (rendered as a flag or a Param by the caller). */
    public SearchSettings {
        if (folds != 0 && !(folds >= 2 && folds <= MAX_FOLDS)) {
            throw org.dpspark.core.params.InvalidParameterException.of("numFolds", "must be in [2, " + MAX_FOLDS
                    + "], got " + folds);
        }
        if (space == null || count == null) {
            throw new IllegalArgumentException("a search needs its points and its trial-count distribution");
        }
        if (!(validationFraction > 0 && validationFraction <= 0.5)) {
            throw org.dpspark.core.params.InvalidParameterException.of("validationFraction",
                    "must be in (0, 0.5], got " + validationFraction);
        }
        if (!(scoreNoise > 0 && scoreNoise < Double.POSITIVE_INFINITY)) {
            throw org.dpspark.core.params.InvalidParameterException.of("scoreNoise",
                    "must be finite and > 0, got " + scoreNoise);
        }
    }
}
