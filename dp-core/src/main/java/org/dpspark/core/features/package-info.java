/**
 * Fixed, data-independent feature transforms applied to each example before DP training. Because they do not
 * look at the data, they cost no privacy budget (Tramer and Boneh, ICLR 2021, "Differentially private learning
 * needs better features").
 *
 * <ul>
 *   <li>{@link org.dpspark.core.features.Scattering2D}: the order-2 2-D scattering transform with Morlet wavelets
 *       (Mallat 2012; Bruna and Mallat 2013), numerically matching Kymatio's NumPy {@code Scattering2D}, the
 *       implementation Tramer and Boneh used for their ScatterNet features;</li>
 *   <li>{@link org.dpspark.core.features.GroupNorm}: per-example group normalization without affine parameters
 *       (Wu and He, ECCV 2018), as {@code nn.GroupNorm(groups, channels, affine=False)}.</li>
 * </ul>
 */
package org.dpspark.core.features;
