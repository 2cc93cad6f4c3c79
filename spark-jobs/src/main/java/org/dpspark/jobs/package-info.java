/**
 * The Spark layer of dpspark: it moves data to the DP math of {@code dp-core} and {@code accountant} and
 * results back. No DP formula lives here; see {@link org.dpspark.jobs.train.DpTrainer} for the data flow.
 */
package org.dpspark.jobs;
