/**
 * The MLlib API of dpspark, for notebooks and pipelines: DP Estimators ({@link
 * org.dpspark.jobs.ml.DpLogisticRegression}, ...) whose fit runs the distributed DP-SGD trainer on an ordinary
 * DataFrame with a Vector features column, Models that are ordinary Transformers with MLlib's prediction,
 * probability and rawPrediction columns, MLWritable/MLReadable persistence carrying the privacy guarantee and the
 * provenance, and DP-safe preprocessing ({@link org.dpspark.jobs.ml.BoundedScaler}). A stage fitted on the private
 * data placed before a DP estimator is refused ({@link org.dpspark.jobs.ml.PipelineGuard}).
 */
package org.dpspark.jobs.ml;
