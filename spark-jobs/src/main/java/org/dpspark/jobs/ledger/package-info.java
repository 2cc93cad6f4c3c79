/**
 * The privacy ledger from Spark: dp-train's reservation and commit ({@link org.dpspark.jobs.ledger.JobLedger}) and
 * the ledger's entries as a DataFrame for notebooks ({@link org.dpspark.jobs.ledger.LedgerFrames}). The ledger itself
 * is {@link org.dpspark.accountant.ledger.PrivacyLedger}.
 */
package org.dpspark.jobs.ledger;
