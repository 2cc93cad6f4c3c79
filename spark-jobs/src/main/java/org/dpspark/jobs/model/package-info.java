/**
 * A model's public architecture ({@link org.dpspark.jobs.model.ModelSpec}: kind, sizes, hyper-parameters), the rule
 * its labels follow ({@link org.dpspark.jobs.model.LabelRule}), and dp-train's saved model: the model folder's
 * {@code model.json} (format 2, read back with formats 1 and 2) as a typed value ({@link
 * org.dpspark.jobs.model.SavedModel}: architecture, parameters, feature spec, provenance). Shared by the training
 * run, the MLlib models and dp-predict; depends on no other jobs package but {@code jobs.provenance} and
 * {@code jobs.io}.
 */
package org.dpspark.jobs.model;
