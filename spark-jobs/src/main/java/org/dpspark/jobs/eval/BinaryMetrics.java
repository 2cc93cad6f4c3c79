package org.dpspark.jobs.eval;

/**
 * Metrics of a binary classifier on an evaluation set.
 *
 * @param rows number of evaluation rows
 * @param accuracy fraction of rows whose predicted class (probability >= 0.5) equals the label
 * @param auc area under the ROC curve (MLlib's BinaryClassificationMetrics)
 * @param logLoss mean negative log-likelihood, probabilities clamped to [1e-15, 1 - 1e-15]
 */
public record BinaryMetrics(long rows, double accuracy, double auc, double logLoss) {}
