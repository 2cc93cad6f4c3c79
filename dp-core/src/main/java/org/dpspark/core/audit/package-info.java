/**
 * Membership-inference metrics for privacy auditing: AUC, TPR at a fixed FPR (Carlini et al. 2022, "Membership
 * inference attacks from first principles") and the in/out guesses of the one-run audit (Steinke, Nasr and
 * Jagielski 2023), whose epsilon lower bound is {@code org.dpspark.accountant.audit.OneRunAudit}.
 *
 * <p>Plain Java, no Spark.
 */
package org.dpspark.core.audit;
