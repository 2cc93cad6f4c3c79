/**
 * Issue 6's benchmarks (the {@code bench} Maven profile; run with submit-scripts/dp-bench): JMH kernels and the
 * end-to-end harness whose results docs/benchmarks.md records. Never part of the shipped jar.
 */
package org.dpspark.jobs.bench;
