package org.dpspark.jobs.ml;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a search by Spark's own tuners visible: {@code CrossValidator} and {@code TrainValidationSplit} fit a DP
 * estimator once per parameter map (and fold) through {@code fit(dataset, paramMap)}, and the final refit once more.
 * Each of those fits is a full DP training, charged to the ledger in full when one is set, and the choice among them
 * is accounted nowhere. Counted per estimator uid (the tuners' copies share it); the second such fit logs one WARN
 * naming the fits and the epsilon charged so far (summed: basic composition, an upper bound; the ledger composes
 * tighter) and pointing to {@link DpTrainValidationSplit}; later fits log the running totals at INFO.
 */
final class SearchWatch {
    private static final Logger LOG = LoggerFactory.getLogger(SearchWatch.class);
    private static final Map<String, Tally> TALLIES = new ConcurrentHashMap<>();

    private SearchWatch() {}

    private static final class Tally {
        int fits;
        double epsilon;
        boolean warned;
    }

    /** Records one fit with a parameter map by the estimator {@code uid} whose model claims {@code claim}. */
    static void fitted(String kind, String uid, PrivacyClaim claim) {
        Tally t = TALLIES.computeIfAbsent(uid, u -> new Tally());
        synchronized (t) {
            t.fits++;
            t.epsilon += claim.guaranteed() ? claim.epsilon() : Double.POSITIVE_INFINITY;
            if (t.fits >= 2 && !t.warned) {
                t.warned = true;
                LOG.warn(String.format(Locale.ROOT, "%s (%s) has now been fitted %d times with parameter maps, as Spark's "
                        + "CrossValidator and TrainValidationSplit do: a model search in which every fit is a separate "
                        + "DP training, each charged to the ledger in full when one is set (epsilon %.4f so far, summed), "
                        + "and the choice among them is not accounted; use org.dpspark.jobs.ml.DpTrainValidationSplit, "
                        + "whose whole search is one ledger event for a total epsilon", kind, uid, t.fits, t.epsilon));
            } else if (t.fits > 2) {
                LOG.info(String.format(Locale.ROOT, "%s (%s): fit %d with a parameter map; epsilon %.4f so far, summed",
                        kind, uid, t.fits, t.epsilon));
            }
        }
    }
}
