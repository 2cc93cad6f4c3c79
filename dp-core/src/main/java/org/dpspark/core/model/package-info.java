/**
 * Models with per-example losses and gradients, the unit that DP-SGD clips (Abadi et al. 2016). Models are
 * stateless and serializable: the parameters travel separately, as a double[].
 *
 * <p>{@link org.dpspark.core.model.BinaryLogisticRegression}, {@link org.dpspark.core.model.SoftmaxRegression},
 * {@link org.dpspark.core.model.LinearRegression} and {@link org.dpspark.core.model.Mlp} compute per-example
 * gradients analytically and clip them fused ({@code addClippedGradient}): the gradient's norm comes from the
 * norms of the small per-layer factors (each weight gradient is an outer product), so the clipped gradient is
 * added to the running sum without being materialized and without allocation. Each model also predicts (class
 * probabilities, margins, or the regression value) for scoring released models.
 */
package org.dpspark.core.model;
