/**
 * Membership-inference metrics for privacy auditing: AUC, TPR at a fixed FPR (Carlini et al. 2022, "Membership
 * inference attacks from first principles") and the in/out guesses of the one-run audit (Steinke, Nasr and
 * Jagielski 2023), whose epsilon lower bound is {@code org.dpspark.accountant.audit.OneRunAudit}.
 *
 * <p>The canaries of that audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one (1) training run",
 * NeurIPS 2023, arXiv 2305.08846): {@link org.dpspark.core.audit.CanaryDraw} flips their inclusion coins and
 * spreads the included ones over the partitions; white-box Dirac canaries ({@link
 * org.dpspark.core.audit.WhiteBoxCanaries}) live on extra coordinates of a {@link
 * org.dpspark.core.audit.CanaryPaddedModel}; black-box canaries ({@link org.dpspark.core.audit.BlackBoxCanaries})
 * are out-of-distribution rows with random labels, scored by their loss.
 *
 * <p>Plain Java, no Spark.
 */
package org.dpspark.core.audit;
