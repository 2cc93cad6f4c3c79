package org.dpspark.jobs.aggregation;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>In-process links (local mode, issue 19): a service created with {@code inProcess} also lets a task of the
 * same JVM join through {@link #connectInProcess}, which finds the service by a key derived from the run's secret
 * (HMAC-SHA256 of a fixed label) and compares the secret itself in constant time. Frames then pass by reference,
 * unencrypted: they never leave the process, whose memory already holds everything they carry. The bounds on frame
 * size and the events the training thread sees are the same as over TCP. A task in another JVM finds nothing and
 * connects to the socket.
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

    /** One authenticated connection, over TCP or in-process. */
    public static final class Peer {
        private final long id;
        private final Link channel;

        Peer(long id, Link channel) {
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
    private final String inProcessKey;
    /** The server ends of the in-process links now open (closed with the service). */
    private final Set<Peer> inProcessPeers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * The services of this JVM that accept in-process links, by a key derived from their run's secret
     * ({@link #inProcessKey}): a task can find its run's service only if it holds the secret.
     */
    private static final Map<String, AggregationServer> IN_PROCESS = new ConcurrentHashMap<>();

    /**
     * @param bind           the address to listen on (the driver host's)
     * @param secret         the run's secret, at least 32 bytes (kept, not copied)
     * @param maxPayload     the largest frame a peer may send, in bytes
     * @param maxConnections the most connections open at once
     * @param timeoutMillis  handshake and idle timeout
     */
    public AggregationServer(InetAddress bind, byte[] secret, int maxPayload, int maxConnections, int timeoutMillis)
            throws IOException {
        this(bind, secret, maxPayload, maxConnections, timeoutMillis, false);
    }

    /**
     * As above; with {@code inProcess}, tasks running in this JVM (local mode) may also join through
     * {@link #connectInProcess} instead of a socket, with no encryption: their frames never leave the process.
     */
    public AggregationServer(InetAddress bind, byte[] secret, int maxPayload, int maxConnections, int timeoutMillis,
            boolean inProcess) throws IOException {
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
        this.inProcessKey = inProcess ? inProcessKey(secret) : null;
        if (inProcessKey != null) {
            IN_PROCESS.put(inProcessKey, this);
        }
    }

    /**
     * The task's end of an in-process link to the service of the run whose secret is {@code secret}, if that service
     * runs in this JVM and accepts in-process links; empty otherwise (the task is in another JVM: use the socket).
     *
     * @param maxPayload the largest frame the task accepts from the service
     */
    public static Optional<Link> connectInProcess(byte[] secret, int maxPayload, int timeoutMillis) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < 32 || !(maxPayload > 0) || !(timeoutMillis > 0)) {
            throw new IllegalArgumentException("a secret of at least 32 bytes and positive bounds are required");
        }
        AggregationServer s = IN_PROCESS.get(inProcessKey(secret));
        if (s == null || s.closed || !MessageDigest.isEqual(s.secret, secret)) {
            return Optional.empty();
        }
        InProcessLink link = new InProcessLink(s, s.ids.incrementAndGet(), maxPayload, timeoutMillis);
        s.inProcessPeers.add(link.serverPeer());
        return Optional.of(link);
    }

    private static String inProcessKey(byte[] secret) {
        return HexFormat.of().formatHex(SecureChannel.hmac(secret, "dpspark/aggregation/in-process"
                .getBytes(StandardCharsets.US_ASCII)));
    }

    int maxPayload() {
        return maxPayload;
    }

    /** An in-process peer's frame. */
    void deliver(Peer peer, byte[] payload) {
        events.add(new Message(peer, payload));
    }

    /** An in-process peer's link ended. */
    void closed(Peer peer, IOException cause) {
        inProcessPeers.remove(peer);
        events.add(new Closed(peer, cause));
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
        SecureChannel channel;
        try {
            channel = SecureChannel.server(s, secret, maxPayload, timeoutMillis);
            peer = new Peer(ids.incrementAndGet(), channel);
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
                events.add(new Message(peer, channel.receive()));
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
        if (inProcessKey != null) {
            IN_PROCESS.remove(inProcessKey, this);
        }
        for (Peer p : inProcessPeers) {
            p.close();
        }
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
