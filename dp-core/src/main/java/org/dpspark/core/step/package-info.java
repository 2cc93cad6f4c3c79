/**
 * One DP-SGD step (Abadi et al. 2016, Algorithm 1), split where Spark splits it: {@link
 * org.dpspark.core.step.ClippedSumKernel} is the executor-side Poisson sample, per-example clip and sum over one
 * dense block; {@link org.dpspark.core.step.DriverUpdate} is the driver-side noise (added here and only here),
 * normalization by the expected batch size and optimizer step.
 */
package org.dpspark.core.step;
