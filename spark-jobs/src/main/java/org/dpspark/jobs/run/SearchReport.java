package org.dpspark.jobs.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dpspark.jobs.eval.EvalMetrics;

/**
 * The "tuning" section of a search's report: the search's plan and guarantee, K and every trial's point and noisy
 * validation score (all released, DP), and, when an evaluation input was given, every trial's exact metrics on it
 * (not DP: the evaluation rows are not protected).
 */
public final class SearchReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SearchReport() {}

    /** The section for {@code result} of a search planned as {@code plan}. */
    public static ObjectNode json(SearchPlan plan, SearchSettings search, RandomSearch.Result result) {
        ObjectNode t = JSON.createObjectNode();
        t.put("method", "private random search: K trials on points drawn uniformly, the best noisy validation score "
                + "kept (Papernot and Steinke 2022)");
        t.put("trials_distribution", plan.count().describe());
        t.put("trials_kind", plan.count().kind().name());
        t.put("trials_eta", plan.count().eta());
        t.put("trials_gamma", plan.count().gamma());
        t.put("trials_mean", plan.count().mean());
        t.put("trials_run", result.trials().size());
        t.put("grid_points", search.space().points().size());
        t.put("validation_fraction", search.validationFraction());
        t.put("train_rows", plan.trainRows());
        t.put("validation_rows", plan.validationRows());
        t.put("split", "HMAC-SHA256 of each row under a secret key drawn for the run (never recorded)");
        t.put("folds", plan.folds());
        if (plan.folds() >= 2) {
            t.put("score", "mean over the " + plan.folds() + " folds of the noisy accuracy (correct predictions on the "
                    + "fold + N(0, S^2)) / the fold's rows, each fold's model trained on the other folds");
            t.put("refit", "the chosen point refit on all rows: a second Gaussian event in the same reservation");
            t.put("refit_sampling_rate", plan.refitSamplingRate());
            t.put("refit_steps", plan.refitSteps());
        } else {
            t.put("score", "noisy validation accuracy = (correct predictions + N(0, S^2)) / validation_rows");
        }
        t.put("score_noise_multiplier", plan.scoreNoise());
        t.put("score_noise_std_accuracy", plan.scoreNoise() / plan.validationRows());
        t.put("sampling_rate", plan.samplingRate());
        t.put("noise_multiplier", plan.noiseMultiplier());
        t.put("steps", plan.steps());
        t.put("target_epsilon", plan.targetEpsilon());
        t.put("epsilon", plan.epsilon());
        t.put("delta", plan.delta());
        t.put("accountant", "rdp");
        t.put("theorem", plan.theorem());
        if (result.best() >= 0) {
            t.put("chosen_trial", result.best());
        } else {
            t.putNull("chosen_trial");
        }
        ArrayNode trials = t.putArray("trials");
        for (RandomSearch.Trial trial : result.trials()) {
            ObjectNode o = trials.addObject();
            o.put("index", trial.index());
            o.put("learning_rate", trial.point().learningRate());
            o.put("clip_norm", trial.point().clipNorm());
            o.put("momentum", trial.point().momentum());
            o.put("noisy_validation_accuracy", trial.scored().noisyScore());
            if (trial.scored().detail() instanceof TrainingRun.TrialRun run && run.metrics() != null) {
                o.set("evaluation_not_dp", metrics(run.metrics()));
            }
        }
        if (result.trials().stream().anyMatch(x -> x.scored().detail() instanceof TrainingRun.TrialRun r
                && r.metrics() != null)) {
            t.put("evaluation_note", "evaluation_not_dp: exact metrics of every trial's model on the evaluation input, "
                    + "not DP (the guarantee covers the training input only); for comparing the choice with the best");
        }
        return t;
    }

    private static ObjectNode metrics(EvalMetrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("rows", m.rows());
        org.dpspark.jobs.report.Reports.putMetrics(o, m);
        return o;
    }
}
