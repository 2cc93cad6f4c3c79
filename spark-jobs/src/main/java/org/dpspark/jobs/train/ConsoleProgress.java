package org.dpspark.jobs.train;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A progress bar for a terminal: one line, redrawn with a carriage return at most {@link #REDRAWS_PER_SECOND}
 * times a second, showing the epoch, the step, epsilon so far and the time left; ended by a newline when the steps
 * are over. The epochs' lines go to the log at DEBUG instead of the console. For a console that is not a terminal
 * (a file, a pipe, CI), {@link TrainingProgress#LINES} prints one line per epoch.
 */
public final class ConsoleProgress implements TrainingProgress {
    static final int REDRAWS_PER_SECOND = 5;
    static final int BAR_WIDTH = 20;
    private static final Logger LOG = LoggerFactory.getLogger(DpTrainer.class);

    private final PrintStream out;
    private long lastDrawNanos;
    private int lastLength;
    private boolean drawn;
    /** The steps done before this run's first (a resumed run's checkpoint), -1 until the first call. */
    private long stepsBefore = -1;

    /** A bar drawn on {@code out} (the console's stream: stderr, where the log lines go). */
    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    /** The bar when the JVM has a terminal ({@link System#console()}), else one line per epoch. */
    public static TrainingProgress forConsole() {
        return System.console() != null ? new ConsoleProgress(System.err) : TrainingProgress.LINES;
    }

    @Override
    public void step(int epoch, int epochs, long step, long steps, double epsilonSoFar, double seconds) {
        long now = System.nanoTime();
        if (drawn && now - lastDrawNanos < 1_000_000_000L / REDRAWS_PER_SECOND) {
            return;
        }
        lastDrawNanos = now;
        draw(line(epoch, epochs, step, steps, epsilonSoFar, remaining(step, steps, seconds)));
    }

    /** Seconds left at this run's pace: a resumed run's steps before its checkpoint took none of {@code seconds}. */
    private double remaining(long step, long steps, double seconds) {
        if (stepsBefore < 0) {
            stepsBefore = Math.max(0, step - 1);
        }
        return eta(step - stepsBefore, steps - stepsBefore, seconds);
    }

    @Override
    public void epoch(int epoch, int epochs, long step, long steps, double epsilonSoFar, double seconds,
            String line) {
        LOG.debug(line);
        lastDrawNanos = System.nanoTime();
        draw(line(epoch, epochs, step, steps, epsilonSoFar, remaining(step, steps, seconds)));
    }

    @Override
    public void done() {
        if (drawn) {
            out.print('\n');
            out.flush();
            drawn = false;
        }
    }

    private void draw(String line) {
        // Pad over the previous line's tail (a line can shrink: the ETA's digits).
        int pad = Math.max(0, lastLength - line.length());
        out.print('\r' + line + " ".repeat(pad));
        out.flush();
        lastLength = line.length();
        drawn = true;
    }

    /** Seconds left at the mean pace so far, or NaN before the first step. */
    static double eta(long step, long steps, double seconds) {
        return step < 1 ? Double.NaN : seconds / step * (steps - step);
    }

    /**
     * The bar's line: {@code epoch 3/15 [####----------------] step 412/1907, epsilon 0.4346, ETA 0:03}; epsilon
     * {@code ?} while not known, infinite for a run without privacy ({@code no DP}), the ETA {@code ?} before
     * the first step.
     */
    static String line(int epoch, int epochs, long step, long steps, double epsilonSoFar, double etaSeconds) {
        int filled = steps < 1 ? 0 : (int) Math.min(BAR_WIDTH, BAR_WIDTH * step / steps);
        String eps = Double.isNaN(epsilonSoFar) ? "?"
                : Double.isInfinite(epsilonSoFar) ? "no DP" : String.format(Locale.ROOT, "%.4f", epsilonSoFar);
        return "epoch " + epoch + "/" + epochs + " [" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] step "
                + step + "/" + steps + ", epsilon " + eps + ", ETA " + clock(etaSeconds);
    }

    /** m:ss (h:mm:ss from an hour), {@code ?} for NaN. */
    static String clock(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
