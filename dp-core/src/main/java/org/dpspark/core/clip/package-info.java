/**
 * Per-example L2 clipping (Abadi et al. 2016), which bounds each example's contribution to a step, and the joint
 * clip budget that lets the training loss be released by the same Gaussian mechanism as the gradient.
 */
package org.dpspark.core.clip;
