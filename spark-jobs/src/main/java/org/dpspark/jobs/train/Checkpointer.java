package org.dpspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dpspark.jobs.io.AtomicOutput;

/**
 * When and where a run writes its {@link Checkpoint}s, what it resumes from, and the requests to stop at the next
 * step boundary (an interrupt, or the hidden test hook {@code --stop-after-steps}).
 *
 * <p>A checkpoint is written every {@code everySteps} steps or {@code everyMinutes} minutes (whichever comes first),
 * at the end of every epoch before its progress line is released, and when a stop is requested. Checkpointing
 * before every release means a resume never re-runs a step whose output anything has seen, so the attempt's one
 * reservation (the whole planned run) charges everything released.
 *
 * <p>Files: {@code DIR/checkpoint-<step, 12 digits>.json}, each written atomically (a hidden temporary file, then a
 * rename); the newest is the one resumed; older ones but the previous are removed after each write.
 */
public final class Checkpointer {
    /** No checkpoints, no resume, no test stop. */
    public static final Checkpointer NONE = new Checkpointer(null, null, null, 0, 0, 0, null);
    static final String PREFIX = "checkpoint-";
    static final String SUFFIX = ".json";

    /** The stop requested by an interrupt (the signal's name), or null: process-wide, one training at a time. */
    private static final AtomicReference<String> STOP = new AtomicReference<>();
    /** Whether a step loop runs now (an interrupt outside it does not wait for a step boundary). */
    private static volatile boolean stepping;

    private final Configuration conf;
    private final String dir;
    private final Checkpoint.Identity identity;
    private final long everySteps;
    private final long everyNanos;
    private final long stopAfterSteps;
    private final Checkpoint resumeFrom;

    /**
     * @param dir the checkpoint directory (any Hadoop path), or null for no checkpoints
     * @param identity the identity written into each checkpoint (null without a directory)
     * @param everySteps a checkpoint every this many steps (0: not by steps)
     * @param everyMinutes a checkpoint when this many minutes have passed since the last (0: not by time)
     * @param stopAfterSteps test hook: stop (as an interrupt would) once this many steps are done (0: never)
     * @param resumeFrom the checkpoint to continue from, or null
     */
    public Checkpointer(Configuration conf, String dir, Checkpoint.Identity identity, long everySteps,
            double everyMinutes, long stopAfterSteps, Checkpoint resumeFrom) {
        if (dir != null && (conf == null || identity == null)) {
            throw new IllegalArgumentException("a checkpoint directory needs a configuration and an identity");
        }
        if (!(everySteps >= 0 && everyMinutes >= 0 && everyMinutes < Double.POSITIVE_INFINITY && stopAfterSteps >= 0)) {
            throw new IllegalArgumentException("checkpoint intervals must be >= 0");
        }
        this.conf = conf;
        this.dir = dir;
        this.identity = identity;
        this.everySteps = everySteps;
        this.everyNanos = (long) (everyMinutes * 60e9);
        this.stopAfterSteps = stopAfterSteps;
        this.resumeFrom = resumeFrom;
    }

    /** Whether checkpoints are written. */
    public boolean writes() {
        return dir != null;
    }

    /** The directory, or null. */
    public String dir() {
        return dir;
    }

    /** The checkpoint continued from, or null. */
    public Checkpoint resumeFrom() {
        return resumeFrom;
    }

    Checkpoint.Identity identity() {
        return identity;
    }

    /** Whether a checkpoint is due after {@code stepsDone} steps, {@code nanosSinceLast} after the last one. */
    boolean due(long stepsDone, long nanosSinceLast) {
        return dir != null && ((everySteps > 0 && stepsDone % everySteps == 0)
                || (everyNanos > 0 && nanosSinceLast >= everyNanos));
    }

    /** Why to stop after {@code stepsDone} steps (a signal's name, or "test-stop"), or null to go on. */
    String stopAfter(long stepsDone) {
        String signal = STOP.get();
        if (signal != null) {
            return signal;
        }
        return stopAfterSteps > 0 && stepsDone >= stopAfterSteps ? "test-stop" : null;
    }

    /** Writes {@code c} atomically and removes older checkpoints but the previous one. */
    void save(Checkpoint c) {
        String name = String.format("%s%012d%s", PREFIX, c.step(), SUFFIX);
        AtomicOutput.writeFile(conf, new Path(dir, name).toString(), c.toBytes(), true);
        try {
            FileStatus[] all = list(conf, dir);
            for (int i = 0; i < all.length - 2; i++) {
                all[i].getPath().getFileSystem(conf).delete(all[i].getPath(), false);
            }
        } catch (IOException e) {
            // an old checkpoint left behind is harmless: the newest is the one resumed
        }
    }

    /** The newest checkpoint in {@code dir}, or empty when it has none (or does not exist). */
    public static Optional<Checkpoint> latest(Configuration conf, String dir) {
        try {
            FileStatus[] all = list(conf, dir);
            if (all.length == 0) {
                return Optional.empty();
            }
            Path p = all[all.length - 1].getPath();
            FileSystem fs = p.getFileSystem(conf);
            try (var in = fs.open(p)) {
                return Optional.of(Checkpoint.fromBytes(in.readAllBytes(), p.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint files of {@code dir}, oldest first (empty when it does not exist). */
    private static FileStatus[] list(Configuration conf, String dir) throws IOException {
        Path d = new Path(dir);
        FileSystem fs = d.getFileSystem(conf);
        if (!fs.exists(d)) {
            return new FileStatus[0];
        }
        FileStatus[] all = fs.listStatus(d, p -> p.getName().startsWith(PREFIX) && p.getName().endsWith(SUFFIX));
        Arrays.sort(all, Comparator.comparing(s -> s.getPath().getName()));
        return all;
    }

    /**
     * Asks the running training to stop at its next step boundary (from a signal handler).
     *
     * @return whether a step loop is running to see it and this is the first request (otherwise the caller ends the
     *     process itself)
     */
    public static boolean requestStop(String signal) {
        return STOP.compareAndSet(null, signal) && stepping;
    }

    /** Clears a stop request (tests; the next run in this JVM). */
    public static void clearStop() {
        STOP.set(null);
    }

    /** Marks a step loop as running until closed. */
    static Stepping stepping() {
        stepping = true;
        return () -> stepping = false;
    }

    /** The step loop's mark ({@link #stepping()}). */
    interface Stepping extends AutoCloseable {
        @Override
        void close();
    }
}
