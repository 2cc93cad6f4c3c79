package org.dpspark.jobs.aggregation;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The task's end of a link to an {@link AggregationServer} in the same JVM (local mode: Spark runs the tasks as
 * threads of the driver's process). Frames are handed over as arrays, by reference: nothing crosses a process
 * boundary, so there is nothing to encrypt or authenticate that the process' own memory does not already hold, and
 * the per-frame cost is a queue operation instead of AES-GCM over every byte twice (issue 19: an MLP's 1.6 MB
 * parameter and sum frames, four to eight of them per step).
 *
 * <p>The same bounds as the socket transport hold: a frame longer than the receiving end's bound is refused (the
 * link is closed and the server sees {@link AggregationServer.Closed} with a
 * {@link SecureChannel.FrameTooLargeException}), and an idle wait gives up after the timeout. The sender must not
 * modify an array after sending it; the protocol's encoders allocate a fresh one per frame.
 *
 * <p>Obtained only through {@link AggregationServer#connectInProcess}, which asks for the run's secret.
 */
public final class InProcessLink implements Link {

    /** Marks the end of the stream in the task's inbox. */
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
    private final AggregationServer server;
    private final AggregationServer.Peer peer;
    private final int maxPayload;
    private final int timeoutMillis;
    private volatile boolean closed;
    private volatile boolean closedByServer;

    InProcessLink(AggregationServer server, long id, int maxPayload, int timeoutMillis) {
        this.server = Objects.requireNonNull(server, "server");
        this.maxPayload = maxPayload;
        this.timeoutMillis = timeoutMillis;
        this.peer = new AggregationServer.Peer(id, new ServerEnd());
    }

    AggregationServer.Peer serverPeer() {
        return peer;
    }

    /** Hands one frame to the server's event queue. */
    @Override
    public void send(byte[] payload) throws IOException {
        Objects.requireNonNull(payload, "payload");
        if (closed || closedByServer) {
            throw new EOFException("the in-process link is closed");
        }
        if (payload.length > server.maxPayload()) {
            close(new SecureChannel.FrameTooLargeException("frame of " + payload.length
                    + " bytes refused: the bound is " + server.maxPayload() + " bytes of payload"));
            throw new EOFException("the in-process link is closed");
        }
        server.deliver(peer, payload);
    }

    @Override
    public byte[] receive(BooleanSupplier stop, int pollMillis) throws IOException {
        long waited = 0;
        try {
            while (true) {
                byte[] m = inbox.poll(pollMillis, TimeUnit.MILLISECONDS);
                if (m == CLOSED) {
                    inbox.add(CLOSED);
                    throw new EOFException("the peer closed the connection");
                }
                if (m != null) {
                    return m;
                }
                if (stop.getAsBoolean()) {
                    throw new InterruptedIOException("stopped while waiting for a frame");
                }
                waited += pollMillis;
                if (waited >= timeoutMillis) {
                    throw new SocketTimeoutException("no frame within " + timeoutMillis + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a frame");
        }
    }

    @Override
    public String peer() {
        return "in-process";
    }

    /** The task closes its end: the server sees the peer's connection end. */
    @Override
    public void close() {
        close(new EOFException("the task closed the in-process link"));
    }

    private void close(IOException cause) {
        if (closed) {
            return;
        }
        closed = true;
        inbox.add(CLOSED);
        if (!closedByServer) {
            server.closed(peer, cause);
        }
    }

    /** The server's side of the same link: sends go to the task's inbox. */
    private final class ServerEnd implements Link {
        @Override
        public void send(byte[] payload) throws IOException {
            Objects.requireNonNull(payload, "payload");
            if (closed || closedByServer) {
                throw new EOFException("the in-process link is closed");
            }
            if (payload.length > maxPayload) {
                throw new SecureChannel.FrameTooLargeException("frame of " + payload.length
                        + " bytes refused: the bound is " + maxPayload + " bytes of payload");
            }
            inbox.add(payload);
        }

        @Override
        public byte[] receive(BooleanSupplier stop, int pollMillis) {
            throw new UnsupportedOperationException("the server receives through its event queue");
        }

        @Override
        public String peer() {
            return "in-process task";
        }

        @Override
        public void close() {
            if (closedByServer) {
                return;
            }
            closedByServer = true;
            inbox.add(CLOSED);
            if (!closed) {
                server.closed(peer, new EOFException("the driver closed the in-process link"));
            }
        }
    }
}
