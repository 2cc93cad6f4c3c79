package org.dpspark.accountant.audit;

import java.util.Objects;
import org.dpspark.core.audit.MembershipMetrics;
import org.dpspark.core.params.Checks;
import org.dpspark.core.params.InvalidParameterException;

/**
 * The summary of one game of the one-run privacy audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one
 * (1) training run", NeurIPS 2023, arXiv 2305.08846, Algorithm 1): m canaries, each included with probability 1/2;
 * the auditor guesses "in" for the r/2 (rounded up) highest scores and "out" for the r/2 (rounded down) lowest,
 * abstaining on the rest; {@link OneRunAudit} turns the number of correct guesses into an epsilon lower bound at
 * confidence 1 - beta. The membership-inference metrics of the same scores (AUC, TPR at FPR 1% and 0.1%, Carlini
 * et al. 2022) are reported alongside, members being the included canaries and non-members the held-out ones.
 *
 * @param kind              what was audited, e.g. "white-box" or "black-box" (free text, for the report)
 * @param canaries          m
 * @param included          how many canaries were included in training
 * @param guesses           r, the guesses made
 * @param correct           v, the correct guesses
 * @param beta              1 - confidence of the bound
 * @param delta             the delta of the hypothesis tested
 * @param epsilonLowerBound {@link OneRunAudit#epsilonLowerBound}(m, r, v, delta, beta)
 * @param maxLowerBound     {@link OneRunAudit#maxLowerBound}(m, r, delta, beta): the most this game could certify
 * @param auc               the AUC of members vs non-members; NaN when either group is empty
 * @param tprAt1Percent     the TPR at FPR 0.01; NaN when either group is empty
 * @param tprAt01Percent    the TPR at FPR 0.001; NaN when either group is empty
 */
public record AuditResult(String kind, int canaries, int included, int guesses, int correct, double beta,
        double delta, double epsilonLowerBound, double maxLowerBound, double auc, double tprAt1Percent,
        double tprAt01Percent) {

    /**
     * Scores one audit game.
     *
     * @param kind     what was audited (not null)
     * @param scores   each canary's score, higher meaning "more likely a member"; no NaN
     * @param included each canary's coin (true: it was in the training set)
     * @param guesses  r in [1, m]: kPlus = ceil(r / 2) "in" guesses and kMinus = floor(r / 2) "out" guesses
     * @param delta    in [0, 1)
     * @param beta     in (0, 1)
     */
    public static AuditResult of(String kind, double[] scores, boolean[] included, int guesses, double delta,
            double beta) {
        return of(kind, scores, included, (guesses + 1) / 2, guesses / 2, guesses, delta, beta);
    }

    /**
     * As {@link #of(String, double[], boolean[], int, double, double)} with the split chosen: {@code kPlus} "in"
     * guesses on the highest scores and {@code kMinus} "out" guesses on the lowest (both >= 0, 1 <= kPlus + kMinus
     * <= m). A one-sided game (kMinus = 0) suits a shift that only some included canaries show.
     */
    public static AuditResult of(String kind, double[] scores, boolean[] included, int kPlus, int kMinus,
            double delta, double beta) {
        if (kPlus < 0 || kMinus < 0) {
            throw InvalidParameterException.of("auditGuesses", "the in and out guesses must be >= 0, got " + kPlus
                    + " and " + kMinus);
        }
        return of(kind, scores, included, kPlus, kMinus, kPlus + kMinus, delta, beta);
    }

    private static AuditResult of(String kind, double[] scores, boolean[] included, int kPlus, int kMinus,
            int guesses, double delta, double beta) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(included, "included");
        int m = scores.length;
        if (m < 2) {
            throw InvalidParameterException.of("canaries", "must be >= 2, got " + m);
        }
        if (included.length != m) {
            throw InvalidParameterException.of("included", "must have one entry per score (" + m + "), got "
                    + included.length);
        }
        Checks.openInterval("auditBeta", beta, 0, 1);
        if (guesses < 1 || guesses > m) {
            throw InvalidParameterException.of("auditGuesses", "must be in [1, canaries = " + m + "], got " + guesses);
        }
        Checks.halfOpen("delta", delta, 0, 1);
        MembershipMetrics.Guesses g = MembershipMetrics.guesses(scores, included, kPlus, kMinus);
        double bound = OneRunAudit.epsilonLowerBound(m, g.guesses(), g.correct(), delta, beta);
        double max = OneRunAudit.maxLowerBound(m, g.guesses(), delta, beta);
        int in = 0;
        for (boolean b : included) {
            if (b) {
                in++;
            }
        }
        double auc = Double.NaN;
        double tpr1 = Double.NaN;
        double tpr01 = Double.NaN;
        if (in > 0 && in < m) {
            double[] members = new double[in];
            double[] nonMembers = new double[m - in];
            int a = 0;
            int b = 0;
            for (int i = 0; i < m; i++) {
                if (included[i]) {
                    members[a++] = scores[i];
                } else {
                    nonMembers[b++] = scores[i];
                }
            }
            auc = MembershipMetrics.auc(members, nonMembers);
            tpr1 = MembershipMetrics.tprAtFpr(members, nonMembers, 0.01);
            tpr01 = MembershipMetrics.tprAtFpr(members, nonMembers, 0.001);
        }
        return new AuditResult(kind, m, in, g.guesses(), g.correct(), beta, delta, bound, max, auc, tpr1, tpr01);
    }
}
