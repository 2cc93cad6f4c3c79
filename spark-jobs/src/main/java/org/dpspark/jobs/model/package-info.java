/**
 * A model's public architecture ({@link org.dpspark.jobs.model.ModelSpec}: kind, sizes, hyper-parameters) and the
 * rule its labels follow ({@link org.dpspark.jobs.model.LabelRule}); shared by the training run, the MLlib models
 * and the saved-model format. Nothing here depends on the data.
 */
package org.dpspark.jobs.model;
