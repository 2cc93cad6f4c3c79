package org.dpspark.jobs.ml;

import java.util.UUID;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamMap;
import org.dpspark.jobs.run.SearchSettings;

/**
 * Private hyperparameter tuning with k-fold cross-validation, in the manner of Spark's {@code CrossValidator}: the
 * same private random search as {@link DpTrainValidationSplit} (same Params, {@code trainRatio} unused), but each
 * trial fits k models, fold i's on the rows of the other folds (each row is in k - 1 fits), and its score is the mean
 * over the folds of the noisy accuracy on the held-out fold; the chosen point is then refit on all rows.
 *
 * <p>Accounting (one reservation, one commit): the selection event with (k - 1) fits per trial, each at the largest q
 * and T of the k fits (an upper bound), and one score release per trial (each row is counted in exactly one fold:
 * parallel composition), composed with the refit's Gaussian event; sigma is calibrated so that the composition meets
 * {@code setEpsilon}, the total. k fits per trial cost k times the time, and the k training sets are cached together
 * ((k - 1) copies of the rows).
 */
public final class DpCrossValidator extends DpTrainValidationSplit {
    private static final long serialVersionUID = 1L;
    private final IntParam numFolds;

    public DpCrossValidator() {
        this("dpCv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    public DpCrossValidator(String uid) {
        super(uid);
        numFolds = new IntParam(this, "numFolds", "k, the folds, in [2, " + SearchSettings.MAX_FOLDS + "]");
        setDefault(numFolds, 3);
    }

    public DpCrossValidator setNumFolds(int v) {
        if (v < 2 || v > SearchSettings.MAX_FOLDS) {
            throw new IllegalArgumentException("numFolds must be in [2, " + SearchSettings.MAX_FOLDS + "], got " + v);
        }
        set(numFolds, v);
        return this;
    }

    public IntParam numFolds() {
        return numFolds;
    }

    public int getNumFolds() {
        return (Integer) getOrDefault(numFolds);
    }

    @Override
    int folds() {
        return getNumFolds();
    }

    @Override
    public DpCrossValidator copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
