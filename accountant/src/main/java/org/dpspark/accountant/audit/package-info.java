/**
 * Empirical privacy auditing: lower bounds on epsilon from one training run.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.audit.OneRunAudit}: from m canaries included with probability 1/2 each and
 *       the number of correct membership guesses, the largest epsilon that (epsilon, delta)-DP makes too unlikely
 *       at confidence 1 - beta (Steinke, Nasr and Jagielski, "Privacy auditing with one (1) training run",
 *       NeurIPS 2023, arXiv 2305.08846, Theorem 3.1 and the p-value computation of its appendix).</li>
 *   <li>{@link org.dpspark.accountant.audit.AuditResult}: one audit game scored: the guesses, the bound, its cap
 *       and the membership-inference metrics of the same scores.</li>
 * </ul>
 *
 * <p>The scores and guesses themselves come from {@code org.dpspark.core.audit.MembershipMetrics}. Plain Java, no
 * Spark. Nothing here sees data.
 */
package org.dpspark.accountant.audit;
