/**
 * Input validation against a {@link org.dpspark.datasets.spec.FeatureSpec}, before any training step.
 *
 * <p>Validation checks the schema on the driver (no Spark job), then makes one pass that counts every problem per
 * (column, problem) and its first row number. Reports carry columns, problem kinds, counts and row numbers, never
 * values: the values are private data, and exception messages end up in logs and in Airflow.
 */
package org.dpspark.datasets.validate;
