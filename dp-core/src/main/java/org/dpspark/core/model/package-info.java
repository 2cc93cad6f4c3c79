/**
 * Models with per-example losses and gradients, the unit that DP-SGD clips (Abadi et al. 2016). Models are
 * stateless and serializable: the parameters travel separately, as a double[].
 */
package org.dpspark.core.model;
