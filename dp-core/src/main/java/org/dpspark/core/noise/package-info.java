/**
 * Noise for the Gaussian mechanism. {@link org.dpspark.core.noise.SecureGaussianNoise} draws N(0, std^2) from a
 * CSPRNG with a Ziggurat sampler (Marsaglia &amp; Tsang 2000), hardened against floating-point attacks by the
 * sum-of-Gaussians construction (Mironov 2012; Jin et al. 2022). It is used on the driver only, once per step.
 */
package org.dpspark.core.noise;
