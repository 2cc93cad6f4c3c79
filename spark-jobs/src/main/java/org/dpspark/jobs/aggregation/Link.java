package org.dpspark.jobs.aggregation;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * One end of a framed, ordered, two-way connection between the driver's aggregation service and a task: either a
 * {@link SecureChannel} (TCP, authenticated and encrypted; a task in another JVM) or an {@link InProcessLink} (a
 * task in the driver's own JVM, as in local mode, where there is no wire to protect). Payloads are never logged.
 */
public interface Link extends Closeable {

    /** Sends one frame; thread-safe. */
    void send(byte[] payload) throws IOException;

    /**
     * Receives one frame, waking every {@code pollMillis} while none has started to ask {@code stop} whether to give
     * up (then {@link java.io.InterruptedIOException}); one thread only.
     *
     * @throws java.io.EOFException when the other end closed the link
     */
    byte[] receive(BooleanSupplier stop, int pollMillis) throws IOException;

    /** The other end, for log lines. */
    String peer();

    @Override
    void close();
}
