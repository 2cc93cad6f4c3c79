/**
 * dp-core: the differential-privacy math of dpspark, in plain Java with no Spark dependency.
 *
 * <ul>
 *   <li>{@link org.dpspark.core.random}: cryptographically secure random streams (AES-256-CTR), and the one
 *       explicitly insecure, seeded path for tests;</li>
 *   <li>{@link org.dpspark.core.noise}: the Gaussian mechanism's noise, hardened against floating-point attacks;</li>
 *   <li>{@link org.dpspark.core.sampling}: Poisson subsampling;</li>
 *   <li>{@link org.dpspark.core.model}: models with per-example losses and gradients;</li>
 *   <li>{@link org.dpspark.core.clip}: per-example L2 clipping and the joint (gradient, loss) clip budget;</li>
 *   <li>{@link org.dpspark.core.step}: one DP-SGD step, split into the executor-side clipped sum and the
 *       driver-side noisy update (Abadi et al. 2016, Algorithm 1);</li>
 *   <li>{@link org.dpspark.core.user}: the user as the privacy unit, the executor side of user-level DP-SGD
 *       ({@code UserClippedSumKernel}) and of DP-FedAvg ({@code FedAvgClient}, {@code LocalTraining});</li>
 *   <li>{@link org.dpspark.core.optim}: optimizers applied to the noisy gradient (the server optimizer under
 *       DP-FedAvg);</li>
 *   <li>{@link org.dpspark.core.features}: fixed, data-independent feature transforms (the 2-D scattering
 *       transform of Tramer and Boneh's ScatterNet, group normalization).</li>
 * </ul>
 */
package org.dpspark.core;
