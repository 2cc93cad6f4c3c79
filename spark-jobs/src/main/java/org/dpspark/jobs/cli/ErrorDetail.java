package org.dpspark.jobs.cli;

import java.util.Locale;
import org.apache.spark.SparkConf;

/**
 * How much a validation error may say about the private input: {@link #FULL} (counts of offending rows and the
 * first row number; for the data owner) or {@link #REDACTED} (only the kind of problem and the column; for
 * operators who must not learn about the rows). An operator forces redaction for a whole cluster with the Spark
 * conf key {@value #CONF_KEY}{@code =redacted}; a job's flag cannot weaken it.
 */
enum ErrorDetail {
    FULL,
    REDACTED;

    static final String CONF_KEY = "spark.dpspark.errorDetail";

    /**
     * Whether messages are redacted: the flag asks for it, or the Spark conf (as spark-submit passes it) does.
     *
     * @throws IllegalArgumentException when the conf key holds neither full nor redacted
     */
    static boolean redacted(ErrorDetail flag, SparkConf conf) {
        String forced = conf.get(CONF_KEY, "full").strip().toLowerCase(Locale.ROOT);
        if (!forced.equals("full") && !forced.equals("redacted")) {
            throw new IllegalArgumentException(CONF_KEY + " must be full or redacted, got '" + forced + "'");
        }
        return flag == REDACTED || forced.equals("redacted");
    }

    /** As {@link #redacted(ErrorDetail, SparkConf)}, but a bad conf value redacts (when an error is being printed). */
    static boolean redactedLeniently(ErrorDetail flag, SparkConf conf) {
        try {
            return redacted(flag, conf);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
