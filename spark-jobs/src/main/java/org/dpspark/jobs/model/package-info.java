/**
 * dp-train's saved model: the model folder's {@code model.json} (format 2, read back with formats 1 and 2) as a
 * typed value ({@link org.dpspark.jobs.model.SavedModel}: architecture, parameters, feature spec, provenance), its
 * MLlib form, and scoring of raw input with the model's own feature spec ({@link
 * org.dpspark.jobs.model.RawScorer}), used by {@code dp-predict}. Depends on {@code jobs.ml}, {@code
 * jobs.provenance} and {@code jobs.report} (atomic output); nothing in those depends on it.
 */
package org.dpspark.jobs.model;
