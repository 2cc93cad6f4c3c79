/**
 * The provenance of a trained model as typed values: the privacy claim ({@link
 * org.dpspark.jobs.provenance.PrivacyClaim}), the training data ({@link
 * org.dpspark.jobs.provenance.DataProvenance}), the trainer and its parameters ({@link
 * org.dpspark.jobs.provenance.TrainerProvenance}), the privacy ledger's receipt ({@link
 * org.dpspark.jobs.provenance.LedgerReceipt}) and the whole ({@link org.dpspark.jobs.provenance.ModelProvenance}),
 * with one JSON codec for all of them ({@link org.dpspark.jobs.provenance.ProvenanceJson}). Spark-free and at the
 * bottom of the jobs packages: it depends on no other {@code org.dpspark.jobs} package, so models (MLlib's and
 * dp-train's) and reports can all carry it. No seed, record or pre-noise value is ever part of it.
 */
package org.dpspark.jobs.provenance;
