/**
 * Command-line jobs ({@code dp-train}, {@code dp-predict}, ...) and their exit codes, which are part of the
 * interface.
 */
package org.dpspark.jobs.cli;
