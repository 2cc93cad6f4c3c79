/**
 * The user as the privacy unit: the executor-side work of one step over a block whose rows are grouped by user
 * (user u owns rows [userStarts[u], userStarts[u + 1]), at most k of them, bounded by the data side). Users, not
 * rows, are Poisson-sampled, and each sampled user adds one vector of L2 norm at most C however many rows it has,
 * so the driver's {@link org.dpspark.core.step.DriverUpdate} (noise N(0, sigma^2 C^2) once, divided by the
 * expected number of users) and the subsampled-Gaussian accounting over users give user-level DP.
 * <ul>
 *   <li>{@link org.dpspark.core.user.UserClippedSumKernel}: user-level DP-SGD, the clipped mean of the user's
 *       per-example gradients (McMahan et al. 2018, DP-FedSGD; Abadi et al. 2016 for the Gaussian step);</li>
 *   <li>{@link org.dpspark.core.user.FedAvgClient} with {@link org.dpspark.core.user.LocalTraining}: DP-FedAvg,
 *       local SGD epochs on the user's rows and the clipped update w - w_u (McMahan, Ramage, Talwar, Zhang 2018,
 *       Algorithm 1); the driver's optimizer is the server optimizer (Reddi et al. 2021).</li>
 * </ul>
 */
package org.dpspark.core.user;
