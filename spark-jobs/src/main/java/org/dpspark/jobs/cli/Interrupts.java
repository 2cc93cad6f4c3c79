package org.dpspark.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import org.dpspark.jobs.train.Checkpointer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM during a dp-train's training: the first one asks the step loop to stop at the next step
 * boundary ({@link Checkpointer#requestStop}), which writes a checkpoint (with --checkpoint-dir) and ends the run
 * with one line saying how to resume or settle it. Outside the step loop (reading, validating, publishing), or at a
 * second signal, the process exits at once with 128 + the signal's number, its shutdown hooks run, and a reservation
 * already made stays charged, as for any killed driver. The previous handlers are restored on close.
 */
final class Interrupts implements AutoCloseable {
    private final List<Runnable> restore = new ArrayList<>();

    private Interrupts() {}

    /** Installs the handlers (where the platform has the signal) until closed. */
    static Interrupts stopAtStepBoundary() {
        Checkpointer.clearStop();
        Interrupts i = new Interrupts();
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, s -> {
                    if (!Checkpointer.requestStop("SIG" + name)) {
                        // exit from another thread: a signal handler must not block on the shutdown hooks
                        new Thread(() -> System.exit(128 + s.getNumber()), "dp-train-exit").start();
                    }
                });
                i.restore.add(() -> Signal.handle(signal, previous));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // no such signal here, or the JVM reserves it (-Xrs): the default behaviour stays
            }
        }
        return i;
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
        Checkpointer.clearStop();
    }
}
