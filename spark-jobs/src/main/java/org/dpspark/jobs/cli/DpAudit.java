package org.dpspark.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.accountant.audit.AuditResult;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.io.AtomicOutput;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.report.Reports;
import org.dpspark.jobs.run.AuditSettings;
import org.dpspark.jobs.run.TrainedModel;
import org.dpspark.jobs.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-audit}: the one-run privacy audit of Steinke, Nasr and Jagielski (NeurIPS 2023, "Privacy auditing with
 * one (1) training run"), on dp-train's flags. It trains once, as dp-train would (validated, planned, reserved and
 * committed the same way), with m canaries each included by a secret fair coin; then it guesses which were in from
 * their scores and turns the number of correct guesses into an empirical lower bound on epsilon at confidence
 * 1 - beta. A bound above the claimed epsilon means the implementation does not deliver its claim: the audit then
 * exits 1. The audit report (JSON) goes to {@code --report}; no model is published (canaries were trained in).
 */
@Command(
        name = "dp-audit",
        mixinStandardHelpOptions = true,
        versionProvider = DpTrain.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Audits a DP training run empirically (Steinke, Nasr and Jagielski 2023, one run): trains once with canaries,",
            "then gives a lower bound on epsilon from how well their membership can be guessed. Takes dp-train's flags.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:audited: the lower bound does not exceed the claimed epsilon; report written",
            "1:failure, or the lower bound EXCEEDS the claimed epsilon (report written: the implementation is broken)",
            "2:bad input (flag, spec or data); nothing written, no budget spent",
            "3:privacy budget exhausted (or --no-dp on budgeted data); nothing trained",
            "4:ledger conflict: the job id already committed; nothing trained"
        })
public final class DpAudit extends DpTrain {

    @Option(names = "--canaries", paramLabel = "M", defaultValue = "1000", description = "Canaries of each kind, each included by a secret fair coin (default: ${DEFAULT-VALUE}).")
    int canaries;

    @Option(names = "--canary-kind", paramLabel = "KIND", defaultValue = "white-box", description = "white-box (Dirac gradient canaries on extra coordinates, each clipped like an example: audits clipping, sampling, noise and accounting), black-box (out-of-distribution rows with random labels, scored by the final model's loss) or both (default: ${DEFAULT-VALUE}).")
    String canaryKind;

    @Option(names = "--audit-guesses", paramLabel = "R", description = "Guesses per game: the top ceil(R/2) scores guessed in, the bottom floor(R/2) out, fixed before the run (default: M / 5).")
    Integer auditGuesses;

    @Option(names = "--audit-guesses-in", paramLabel = "K", description = "Instead of --audit-guesses: the top K scores guessed in (with --audit-guesses-out, default 0).")
    Integer auditGuessesIn;

    @Option(names = "--audit-guesses-out", paramLabel = "K", description = "Instead of --audit-guesses: the bottom K scores guessed out (with --audit-guesses-in, default 0).")
    Integer auditGuessesOut;

    @Option(names = "--audit-beta", paramLabel = "BETA", defaultValue = "0.05", description = "The bound holds with probability 1 - BETA over the coins (default: ${DEFAULT-VALUE}).")
    double auditBeta;

    @Option(names = "--canary-raw-norm", paramLabel = "F", defaultValue = "10", description = "White-box canaries' norm before clipping, in clip norms (> 1, so that clipping must act on them) (default: ${DEFAULT-VALUE}).")
    double canaryRawNorm;

    @Option(names = "--public-data", description = "The input is public or synthetic: the audit charges nothing (refused when the ledger knows the data: an audit on a ledgered dataset is charged like any job). Implied by --demo.")
    boolean publicData;

    DpAudit(PrintWriter out) {
        super(out, "dp-audit");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-audit and returns its exit code (never calls System.exit). */
    public static int run(String... args) {
        return execute(new DpAudit(new PrintWriter(System.out, true)), args);
    }

    @Override
    boolean publishesModel() {
        return false;
    }

    @Override
    AuditSettings auditSettings() {
        if (output != null) {
            throw new IllegalArgumentException("--output: dp-audit publishes no model (its canaries were trained in); "
                    + "give --report FILE for the audit report");
        }
        if (report == null && !dryRun) {
            throw new IllegalArgumentException("--report is required: the audit report's path (JSON)");
        }
        String kind = canaryKind.strip().toLowerCase(Locale.ROOT);
        if (!kind.equals("white-box") && !kind.equals("black-box") && !kind.equals("both")) {
            throw new IllegalArgumentException("--canary-kind must be white-box, black-box or both, got '" + canaryKind
                    + "'");
        }
        boolean white = !kind.equals("black-box");
        boolean black = !kind.equals("white-box");
        if (auditGuessesIn != null || auditGuessesOut != null) {
            if (auditGuesses != null) {
                throw new IllegalArgumentException("--audit-guesses splits R evenly; give it or --audit-guesses-in/"
                        + "--audit-guesses-out, not both");
            }
            return new AuditSettings(canaries, white, black, auditGuessesIn == null ? 0 : auditGuessesIn,
                    auditGuessesOut == null ? 0 : auditGuessesOut, auditBeta, canaryRawNorm, publicData || demo);
        }
        int guesses = auditGuesses != null ? auditGuesses : AuditSettings.defaultGuesses(Math.max(canaries, 2));
        return AuditSettings.even(canaries, white, black, guesses, auditBeta, canaryRawNorm, publicData || demo);
    }

    @Override
    void checkAuditOutputs(Configuration hadoop) {
        if (report != null) {
            AtomicOutput.checkPublishable(hadoop, report, overwrite, "--report");
        }
    }

    @Override
    int audited(TrainingRun.Audited a, AuditSettings settings, Configuration hadoop) {
        TrainedModel m = a.model();
        printSummary(m);
        PrivacyPlan plan = m.plan();
        boolean exceeded = false;
        for (AuditResult r : a.results()) {
            boolean over = !plan.nonPrivate() && r.epsilonLowerBound() > plan.epsilon();
            exceeded |= over;
            out.printf(Locale.ROOT, "audit (%s): %d canaries (%d in), %d guesses, %d correct: epsilon >= %.4f with "
                    + "confidence %.3g (the most this game can show: %.4f); claimed %s%s%n", r.kind(), r.canaries(),
                    r.included(), r.guesses(), r.correct(), r.epsilonLowerBound(), 1 - r.beta(), r.maxLowerBound(),
                    plan.nonPrivate() ? "nothing (--no-dp)" : String.format(Locale.ROOT, "%.4f", plan.epsilon()),
                    over ? "  EXCEEDS THE CLAIM" : "");
            out.printf(Locale.ROOT, "membership inference (%s canaries, in vs held out): AUC %.4f, TPR %.4f at 1%% FPR, "
                    + "%.4f at 0.1%% FPR%n", r.kind(), r.auc(), r.tprAt1Percent(), r.tprAt01Percent());
        }
        byte[] json = Reports.toBytes(report(a, settings, plan));
        AtomicOutput.writeFile(hadoop, report, json, overwrite);
        out.printf(Locale.ROOT, "audit report: %s (%.1f s for the audit run; training loop %.1f s)%n", report,
                a.seconds(), m.result().trainingSeconds());
        if (exceeded) {
            return error(new PrintWriter(System.err, true), ExitCode.FAILURE, "dp-audit: failed: the audit's lower "
                    + "bound exceeds the claimed epsilon " + String.format(Locale.ROOT, "%.4f", plan.epsilon())
                    + ": this run does not deliver its guarantee (a bug in clipping, sampling, noise or accounting); "
                    + "see " + report);
        }
        return ExitCode.SUCCESS.code();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The audit report: the claim, each game, the canaries' cost, the timing, and the training report. */
    static ObjectNode report(TrainingRun.Audited a, AuditSettings s, PrivacyPlan plan) {
        TrainedModel m = a.model();
        ObjectNode r = JSON.createObjectNode();
        r.put("format_version", 1);
        r.put("kind", "one-run privacy audit (Steinke, Nasr and Jagielski 2023, arXiv 2305.08846, Theorem 3.1 with "
                + "its delta term)");
        r.put("job_id", m.jobId());
        ObjectNode claim = r.putObject("claimed");
        if (plan.nonPrivate()) {
            claim.put("guarantee", PrivacyClaim.NO_GUARANTEE);
            claim.putNull("epsilon");
        } else {
            claim.put("epsilon", plan.epsilon());
            claim.put("delta", plan.delta());
            claim.put("accountant", plan.accountant().jsonName());
        }
        ObjectNode setup = r.putObject("setup");
        setup.put("canaries_per_game", s.canaries());
        setup.put("guesses_per_game", s.guesses());
        setup.put("guesses_in", s.guessesIn());
        setup.put("guesses_out", s.guessesOut());
        setup.put("confidence", 1 - s.beta());
        setup.put("white_box_raw_norm_clip_norms", s.rawNormFactor());
        setup.put("coins", "independent fair coins from a secure source, kept by the auditor");
        var games = r.putArray("games");
        for (AuditResult g : a.results()) {
            ObjectNode n = games.addObject();
            n.put("kind", g.kind());
            n.put("scoring", g.kind().equals("white-box")
                    ? "alignment of each Dirac canary with the sum of the model updates on its coordinate"
                    : "minus the final model's loss on the canary row");
            n.put("canaries", g.canaries());
            n.put("included", g.included());
            n.put("guesses", g.guesses());
            n.put("correct", g.correct());
            n.put("confidence", 1 - g.beta());
            n.put("epsilon_lower_bound", g.epsilonLowerBound());
            n.put("max_lower_bound", g.maxLowerBound());
            n.put("exceeds_claim", !plan.nonPrivate() && g.epsilonLowerBound() > plan.epsilon());
            ObjectNode mia = n.putObject("membership_inference");
            num(mia, "auc", g.auc());
            num(mia, "tpr_at_1pct_fpr", g.tprAt1Percent());
            num(mia, "tpr_at_0_1pct_fpr", g.tprAt01Percent());
            mia.put("members", "the included canaries; non-members: the held-out (excluded) canaries");
        }
        ObjectNode cost = r.putObject("canary_cost");
        if (m.metrics() != null) {
            m.metrics().values().forEach((k, v) -> num(cost, "audited_" + k, v));
        }
        cost.put("white_box", "none by construction: the canaries live on coordinates the published model does not "
                + "have, and its own coordinates see the same sampling, clipping and noise as a plain run");
        cost.put("black_box", "the included canary rows are trained on: compare with a plain dp-train run of the same "
                + "flags (docs/auditing.md measures it)");
        ObjectNode t = r.putObject("timing");
        t.put("audit_run_seconds", a.seconds());
        t.put("training_loop_seconds", m.result().trainingSeconds());
        r.set("training", Reports.report(m.provenance(), m.started(), "", "", m.modelSpec(), m.config(), m.result(),
                m.evalData(), m.metrics(), "(no model published: dp-audit)"));
        return r;
    }

    private static void num(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }
}
