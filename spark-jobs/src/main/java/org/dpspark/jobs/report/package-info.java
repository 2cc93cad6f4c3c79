/** The training report and the saved model: versioned JSON written atomically through Hadoop FileSystem. */
package org.dpspark.jobs.report;
