package org.dpspark.jobs.cli;

import java.util.List;
import picocli.CommandLine.ParseResult;

/**
 * dp-train's defaults for image data ({@code --format mnist}: MNIST, Fashion-MNIST and any IDX image file) when the
 * user sets none of the recipe's flags: Tramer and Boneh's ScatterNet + linear recipe (ICLR 2021, "Differentially
 * Private Learning Needs Better Features (or Much More Data)", section 4 and their public code): the scattering
 * transform (J = 2, L = 8) with group normalization in 27 groups, a softmax model, momentum SGD with large batches
 * and a small clip norm. Our values are the ones measured best at epsilon 2 and 3 (README, "MNIST and Fashion-MNIST";
 * docs/benchmarks.md); the choice of recipe is public and costs no privacy. Setting any one of the flags below turns
 * the whole recipe off, so that a user's explicit configuration is never mixed with it.
 */
final class ImageRecipe {

    private ImageRecipe() {
    }

    /** The flags whose defaults the recipe sets; any one given by the user turns it off. */
    static final List<String> FLAGS = List.of("--features", "--model", "--hidden", "--activation", "--learning-rate",
            "--clip-norm", "--batch-size", "--epochs", "--steps", "--optimizer", "--momentum", "--lr-schedule");

    static final String FEATURES = "scatter:2,8";
    static final String MODEL = "softmax";
    static final String OPTIMIZER = "momentum";
    static final double MOMENTUM = 0.9;
    static final String SCHEDULE = "constant";
    static final int BATCH = 4096;
    static final double EPOCHS = 80;
    static final double CLIP = 0.1;
    static final double LEARNING_RATE = 8;

    /** The flags as the recipe sets them, for the notice line. */
    static String describe() {
        return "--features " + FEATURES + " --model " + MODEL + " --optimizer " + OPTIMIZER + " --momentum "
                + MOMENTUM + " --learning-rate " + num(LEARNING_RATE) + " --clip-norm " + CLIP + " --batch-size "
                + BATCH + " --epochs " + num(EPOCHS);
    }

    /** Whether the recipe applies: image data at row level, central DP-SGD, and none of {@link #FLAGS} given. */
    static boolean applies(ParseResult parsed, String format, String privacyUnit, String algorithm,
            String federatedSplit, String secureAggregation, boolean demo) {
        if (demo || format == null || !format.strip().equalsIgnoreCase("mnist") || federatedSplit != null
                || !"row".equalsIgnoreCase(privacyUnit) || !"dp-sgd".equalsIgnoreCase(algorithm)
                || !"central".equalsIgnoreCase(secureAggregation)) {
            return false;
        }
        for (String f : FLAGS) {
            if (parsed.hasMatchedOption(f)) {
                return false;
            }
        }
        return true;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
