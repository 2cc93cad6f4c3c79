/** Evaluation of a trained model on held-out data (not covered by the training guarantee; see the README). */
package org.dpspark.jobs.eval;
