package org.dpspark.jobs.report;

/**
 * Provenance of one input: where it came from and its content fingerprint.
 *
 * @param path the input path as given
 * @param format the input format
 * @param fingerprint "sha256:..." over the input's files
 * @param rows number of rows (public)
 */
public record DataInfo(String path, String format, String fingerprint, long rows) {}
