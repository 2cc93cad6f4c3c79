/**
 * The distributed DP-SGD trainer: executors draw Poisson samples and sum clipped per-example gradients over
 * cached dense blocks; the driver adds the Gaussian noise once per step, updates the model and accounts.
 */
package org.dpspark.jobs.train;
