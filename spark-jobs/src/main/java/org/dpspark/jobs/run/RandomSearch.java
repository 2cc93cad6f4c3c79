package org.dpspark.jobs.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The loop of a private random search, shared by {@code dp-tune} and the MLlib tuners (through
 * {@link TrainingRun#search}): K trials, each on a point drawn uniformly from the {@link SearchSpace}, each trained
 * and scored by the caller's {@link Trainer} (DP training plus a noisy validation score), and the trial with the
 * highest noisy score kept (Papernot and Steinke 2022, "Hyperparameter Tuning with Renyi Differential Privacy":
 * only the best trial's output and its score are released beyond the scores themselves; the accounting of the whole
 * search is the caller's, one selection event).
 *
 * <p>K itself is drawn by the caller from the search's trial-count distribution, before the first trial, with a
 * CSPRNG; this class adds no randomness of its own beyond the draws of points from {@code rng}.
 */
public final class RandomSearch {
    private RandomSearch() {}

    /** Trains one trial and releases its noisy validation score. */
    @FunctionalInterface
    public interface Trainer {
        /**
         * @param index the trial's index, from 0
         * @param point its hyperparameters
         * @return its model and noisy score
         */
        Scored train(int index, Hyperparameters point);
    }

    /**
     * A trained trial.
     *
     * @param params the model's parameters (null when the trial keeps no single model: k folds)
     * @param noisyScore the noisy validation score (higher is better); released, DP
     * @param detail what the caller keeps of the trial (its TrainedModel), or null
     */
    public record Scored(double[] params, double noisyScore, Object detail) {}

    /**
     * One trial of the search.
     *
     * @param index from 0, in the order run
     * @param point the hyperparameters drawn
     * @param scored its model and noisy score
     */
    public record Trial(int index, Hyperparameters point, Scored scored) {}

    /**
     * The search's outcome.
     *
     * @param trials every trial in the order run (none when K = 0)
     * @param best the index of the trial with the highest noisy score (the first of equal ones), or -1 when K = 0
     */
    public record Result(List<Trial> trials, int best) {
        public Result {
            trials = List.copyOf(trials);
        }

        /** The chosen trial. */
        public Trial chosen() {
            if (best < 0) {
                throw new IllegalStateException("no trial ran (K = 0): nothing was chosen");
            }
            return trials.get(best);
        }
    }

    /**
     * Runs {@code k} trials.
     *
     * @param k the number of trials (drawn by the caller), &gt;= 0
     * @param space where points are drawn from
     * @param rng the CSPRNG the points are drawn with
     * @param trainer trains and scores one trial
     * @param onTrial told of each trial as it ends (the console line), may be a no-op
     */
    public static Result run(long k, SearchSpace space, Random rng, Trainer trainer, Consumer<Trial> onTrial) {
        if (k < 0 || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the number of trials must be in [0, 2^31), got " + k);
        }
        List<Trial> trials = new ArrayList<>();
        int best = -1;
        for (int i = 0; i < k; i++) {
            Hyperparameters point = space.draw(rng);
            Scored s = trainer.train(i, point);
            if (s == null || Double.isNaN(s.noisyScore())) {
                throw new IllegalStateException("trial " + i + " returned no score");
            }
            Trial t = new Trial(i, point, s);
            trials.add(t);
            if (best < 0 || s.noisyScore() > trials.get(best).scored().noisyScore()) {
                best = i;
            }
            onTrial.accept(t);
        }
        return new Result(trials, best);
    }
}
