/**
 * The durable privacy ledger: per dataset, a budget (epsilon, delta, privacy unit) set by its data owner and an
 * append-only log of versioned JSON entries (budget, reservation, commit, abort) on any Hadoop file system, so the
 * cumulative privacy loss of all jobs that ever touched a dataset is known, capped and survives crashes.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.ledger.PrivacyLedger}: create (only on purpose, with a
 *       {@link org.dpspark.accountant.ledger.LedgerPolicy}), open, register (dataset locations and fingerprints,
 *       normalized by {@link org.dpspark.accountant.ledger.DatasetLocations}), reserve (admission control; a retry
 *       under the same job id is charged as another attempt), commit, abort, resolve, check, state.</li>
 *   <li>{@link org.dpspark.accountant.ledger.DatasetState}: a log replayed; cumulative loss by composing the DP
 *       events of every non-aborted reservation (RDP curves add, Mironov 2017, Prop. 1; converted once at the
 *       budget's delta, Balle et al. 2020, Thm 21). Epsilons are never added.</li>
 *   <li>{@link org.dpspark.accountant.ledger.LedgerEntry} and {@link org.dpspark.accountant.ledger.LedgerJson}:
 *       the versioned entry format (1; 2 for registrations, retries and user-level jobs; 3 for distributed discrete
 *       Gaussian events).</li>
 *   <li>Exceptions callers react to: {@link org.dpspark.accountant.ledger.BudgetExhaustedException} (budget),
 *       {@link org.dpspark.accountant.ledger.LedgerConflictException} (exactly-once violated),
 *       {@link org.dpspark.accountant.ledger.LedgerCorruptException} (an unreadable entry; never skipped),
 *       {@link org.dpspark.accountant.ledger.LedgerNotFoundException} (no ledger at the location: bad input).</li>
 * </ul>
 *
 * <p>Layout: {@code <root>/ledger.json} (the marker: format version, creation, policy; absent in legacy ledgers),
 * {@code <root>/datasets/<dataset-id>/entries/<seq, 20 digits>.json}; names starting with "." are
 * temporaries and ignored. No Spark.
 */
package org.dpspark.accountant.ledger;
