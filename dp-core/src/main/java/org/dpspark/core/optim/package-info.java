/**
 * Optimizers applied by the driver to the noisy mean gradient. They see only released (noised) values, so any
 * post-processing they do is free under differential privacy.
 */
package org.dpspark.core.optim;
