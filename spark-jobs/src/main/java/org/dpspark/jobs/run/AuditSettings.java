package org.dpspark.jobs.run;

import java.util.List;
import org.dpspark.core.params.Checks;
import org.dpspark.core.params.InvalidParameterException;

/**
 * How a one-run privacy audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one (1) training run",
 * NeurIPS 2023) plants and scores its canaries. Each kind plays its own game with {@code canaries} canaries, each
 * included independently with probability 1/2 by coins from a secure source that only the auditor holds.
 *
 * @param canaries m, the canaries of each kind (>= 2)
 * @param whiteBox Dirac gradient canaries on extra coordinates, scored by the sum of the model's updates there
 * @param blackBox out-of-distribution rows with random labels, scored by the final model's loss
 * @param guessesIn k+, the highest scores guessed "in"
 * @param guessesOut k-, the lowest scores guessed "out"; 1 <= k+ + k- <= m, both fixed before the run, so the bound
 *     is valid without a correction for choosing them
 * @param beta the bound holds with probability at least 1 - beta over the coins (in (0, 1))
 * @param rawNormFactor the white-box canaries' norm before clipping, in units of the clip norm (> 1: clipping
 *     must act on them, so that a clip that does not shows in the audit)
 * @param publicData the input is public or synthetic: the audit charges nothing (refused when the ledger knows
 *     the data)
 */
public record AuditSettings(int canaries, boolean whiteBox, boolean blackBox, int guessesIn, int guessesOut,
        double beta, double rawNormFactor, boolean publicData) {

    /** The default raw norm of a white-box canary: 10 clip norms. */
    public static final double DEFAULT_RAW_NORM_FACTOR = 10.0;

    public AuditSettings {
        if (canaries < 2) {
            throw InvalidParameterException.of("canaries", "must be >= 2 (each is in or out by a fair coin), got "
                    + canaries);
        }
        if (!whiteBox && !blackBox) {
            throw InvalidParameterException.of("canaryKind", "must name white-box, black-box or both");
        }
        long r = (long) guessesIn + guessesOut; // the fields are not assigned yet: no guesses() here
        if (guessesIn < 0 || guessesOut < 0 || r < 1 || r > canaries) {
            throw new InvalidParameterException(List.of("auditGuesses", "canaries"), "%s must be in [1, %s = "
                    + canaries + "] (in " + guessesIn + " + out " + guessesOut + "), got " + r);
        }
        Checks.openInterval("auditBeta", beta, 0, 1);
        if (!(rawNormFactor > 1 && rawNormFactor < 1e6)) {
            throw InvalidParameterException.of("canaryRawNorm", "must be in (1, 1e6) clip norms, got " + rawNormFactor);
        }
    }

    /** r = k+ + k-, the guesses of each game. */
    public int guesses() {
        return guessesIn + guessesOut;
    }

    /** The settings with r guesses split evenly: ceil(r/2) in, floor(r/2) out. */
    public static AuditSettings even(int canaries, boolean whiteBox, boolean blackBox, int guesses, double beta,
            double rawNormFactor, boolean publicData) {
        return new AuditSettings(canaries, whiteBox, blackBox, (guesses + 1) / 2, guesses / 2, beta, rawNormFactor,
                publicData);
    }

    /** The default number of guesses for m canaries: m / 5, at least 1. */
    public static int defaultGuesses(int canaries) {
        return Math.max(1, canaries / 5);
    }
}
