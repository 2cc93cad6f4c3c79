package org.dpspark.jobs.aggregation;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver-side end of the aggregation service: a TCP server on an ephemeral port of one address, that
 * authenticates every connection with the run's secret ({@link SecureChannel}) and turns what its peers send into
 * a single queue of {@link Event}s for the driver's training thread.
 *
 * <p>One daemon thread accepts; one daemon thread per connection runs the handshake and then reads frames. A
 * connection that fails the handshake is closed and counted ({@link #refusedConnections()}), and never appears
 * as an event. At most {@code maxConnections} connections are open at once; further ones are closed at once.
 * Idle peers time out after {@code timeoutMillis}. Nothing received is logged.
 */
public final class AggregationServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AggregationServer.class);

    /** What the training thread sees. */
    public sealed interface Event permits Message, Closed {
        Peer peer();
    }

    /** A decrypted frame from an authenticated peer. */
    public record Message(Peer peer, byte[] payload) implements Event {
        @Override
        public String toString() {
            return "Message[peer=" + peer + ", " + payload.length + " bytes]";
        }
    }

    /** An authenticated peer's connection ended (end of stream, timeout, oversized or forged frame). */
    public record Closed(Peer peer, IOException cause) implements Event {}

    /** One authenticated connection. */
    public static final class Peer {
        private final long id;
        private final SecureChannel channel;

        Peer(long id, SecureChannel channel) {
            this.id = id;
            this.channel = channel;
        }

        public long id() {
            return id;
        }

        /** Sends one frame; thread-safe. */
        public void send(byte[] payload) throws IOException {
            channel.send(payload);
        }

        public void close() {
            channel.close();
        }

        @Override
        public String toString() {
            return "Peer[" + id + ", " + channel.peer() + "]";
        }
    }

    private final ServerSocket server;
    private final byte[] secret;
    private final int maxPayload;
    private final int maxConnections;
    private final int timeoutMillis;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * @param bind           the address to listen on (the driver host's)
     * @param secret         the run's secret, at least 32 bytes (kept, not copied)
     * @param maxPayload     the largest frame a peer may send, in bytes
     * @param maxConnections the most connections open at once
     * @param timeoutMillis  handshake and idle timeout
     */
    public AggregationServer(InetAddress bind, byte[] secret, int maxPayload, int maxConnections, int timeoutMillis)
            throws IOException {
        Objects.requireNonNull(bind, "bind");
        this.secret = Objects.requireNonNull(secret, "secret");
        if (secret.length < 32) {
            throw new IllegalArgumentException("the secret must be at least 32 bytes, got " + secret.length);
        }
        if (!(maxPayload > 0) || !(maxConnections > 0) || !(timeoutMillis > 0)) {
            throw new IllegalArgumentException("maxPayload, maxConnections and timeoutMillis must be > 0, got "
                    + maxPayload + ", " + maxConnections + ", " + timeoutMillis);
        }
        this.maxPayload = maxPayload;
        this.maxConnections = maxConnections;
        this.timeoutMillis = timeoutMillis;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(bind, 0), maxConnections);
        this.acceptor = new Thread(this::acceptLoop, "dpspark-aggregation-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetAddress address() {
        return server.getInetAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections closed because they failed the handshake (wrong secret, timeout, garbage). */
    public int refusedConnections() {
        return refused.get();
    }

    /** The next event, or null after {@code timeout}. */
    public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("aggregation service: accept failed: {}", e.toString());
                }
                return;
            }
            if (open.size() >= maxConnections) {
                LOG.warn("aggregation service: refused a connection from {}: {} connections already open",
                        s.getRemoteSocketAddress(), maxConnections);
                refused.incrementAndGet();
                closeQuietly(s);
                continue;
            }
            open.add(s);
            Thread t = new Thread(() -> serve(s), "dpspark-aggregation-peer-" + s.getRemoteSocketAddress());
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        Peer peer;
        try {
            peer = new Peer(ids.incrementAndGet(), SecureChannel.server(s, secret, maxPayload, timeoutMillis));
        } catch (IOException | RuntimeException e) {
            refused.incrementAndGet();
            if (!closed) {
                LOG.warn("aggregation service: refused a connection from {}: {}", s.getRemoteSocketAddress(),
                        e.getMessage());
            }
            open.remove(s);
            closeQuietly(s);
            return;
        }
        try {
            while (true) {
                events.add(new Message(peer, peer.channel.receive()));
            }
        } catch (IOException e) {
            events.add(new Closed(peer, e));
        } finally {
            open.remove(s);
            closeQuietly(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Whether the connection's end was an ordinary close rather than a protocol or security failure. */
    public static boolean isOrdinaryClose(IOException e) {
        return e instanceof java.io.EOFException || e instanceof SocketException;
    }
}
