package org.dpspark.jobs.cli;

import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import picocli.CommandLine.Option;

/**
 * The {@code --verbose} flag every command shares (a picocli mixin), and the console's log levels it sets.
 *
 * <p>By default the console shows dpspark's own lines and everyone's warnings and errors: the scripts' log4j2
 * configuration ({@code org/dpspark/jobs/log4j2-dpspark.properties}) does so, and under spark-submit with Spark's
 * built-in defaults (no {@code log4j2.properties} of the cluster's own) the root level is lowered to WARN the same
 * way. A logging configuration of the user's own is left as it is. {@code --verbose} brings Spark's and Hadoop's
 * INFO lines back (root at INFO) for the command, and prints a failure's stack trace.
 */
final class Verbosity {
    /** Where Spark's built-in log4j2 defaults (root at INFO) come from, when no configuration file is given. */
    static final String SPARK_DEFAULTS = "org/apache/spark/log4j2-defaults.properties";

    @Option(names = "--verbose", description = "Spark's and Hadoop's INFO lines on the console too (off by default), "
            + "and the stack trace of a failure (exit 1; it is always logged at DEBUG).")
    boolean verbose;

    /**
     * Sets the console's levels for this command; {@link Levels#close()} puts the previous ones back (an in-process
     * run, a test or a notebook, keeps its own configuration afterwards).
     */
    Levels apply() {
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
            return new Levels(null, Map.of()); // another logging backend: its configuration decides
        }
        Configuration cfg = ctx.getConfiguration();
        LoggerConfig root = cfg.getRootLogger();
        Map<String, Level> before = Map.of(LogManager.ROOT_LOGGER_NAME, root.getLevel());
        String source = String.valueOf(cfg.getConfigurationSource().getLocation());
        if (verbose) {
            Configurator.setRootLevel(Level.INFO);
        } else if (source.endsWith(SPARK_DEFAULTS) && root.getLevel().isLessSpecificThan(Level.WARN)) {
            Configurator.setRootLevel(Level.WARN);
            Configurator.setLevel("org.dpspark", Level.INFO);
        } else {
            return new Levels(null, Map.of());
        }
        return new Levels(ctx, before);
    }

    /** The levels a command changed, restored on close. */
    static final class Levels implements AutoCloseable {
        private final LoggerContext ctx;
        private final Map<String, Level> before;

        private Levels(LoggerContext ctx, Map<String, Level> before) {
            this.ctx = ctx;
            this.before = before;
        }

        @Override
        public void close() {
            if (ctx != null) {
                before.forEach(Configurator::setLevel);
            }
        }
    }
}
