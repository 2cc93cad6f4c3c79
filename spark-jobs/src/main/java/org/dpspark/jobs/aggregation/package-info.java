/**
 * The barrier step runner's transport: a small TCP service in the driver JVM that the long-lived barrier tasks
 * connect to, over an authenticated and encrypted channel keyed by a per-run secret ({@link
 * org.dpspark.jobs.aggregation.SecureChannel}). It carries pre-noise partial sums, which are private: they are
 * never logged, and they never travel in clear. Nothing here knows about Spark or DP; see
 * {@link org.dpspark.jobs.train.BarrierStepRunner} for the protocol on top.
 *
 * <p>Encrypted aggregation (issue 13): the Paillier key holder, a separate JVM process that alone holds the
 * private key and decrypts one total per step ({@link org.dpspark.jobs.aggregation.KeyHolder}), and the driver's
 * handle on it ({@link org.dpspark.jobs.aggregation.KeyHolderClient}).
 */
package org.dpspark.jobs.aggregation;
