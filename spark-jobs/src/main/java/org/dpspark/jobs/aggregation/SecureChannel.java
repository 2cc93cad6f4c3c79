package org.dpspark.jobs.aggregation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A mutually authenticated, encrypted, framed channel over one TCP connection, keyed by a secret that both ends
 * share (the run's 32-byte secret from {@link SecureRandom}, shipped to the tasks inside their closure).
 *
 * <p>Handshake (HMAC-SHA256, RFC 2104, as challenge-response on fresh nonces):
 * <pre>
 *   server -> client : ns                                   (32 random bytes)
 *   client -> server : nc, HMAC(secret, "client" || ns || nc)
 *   server -> client : HMAC(secret, "server" || ns || nc)
 * </pre>
 * Each side checks the other's tag in constant time ({@link MessageDigest#isEqual}); a wrong secret is refused
 * before any frame is read or sent. The fresh server nonce makes a recorded handshake useless.
 *
 * <p>Session keys: HKDF-SHA256 (RFC 5869) with salt ns || nc, input key the secret, info {@value #INFO}, 64
 * bytes: the client-to-server key, then the server-to-client key. Frames: the payload's length L as 4 bytes
 * (big-endian), then the payload cut into records of {@value #RECORD_BYTES} bytes (the last one shorter; one empty
 * record when L = 0), each sealed on its own with AES-256-GCM (NIST SP 800-38D) and a 128-bit tag. A record's
 * 96-bit nonce is its index in the frame (4 bytes) then the frame's sequence number in its direction (8 bytes),
 * and its additional authenticated data is L, so every record is bound to its frame, its place and the frame's
 * length. Keys are fresh per connection and per direction, so a nonce never repeats under a key, and a replayed,
 * reordered, truncated, dropped or forged frame or record fails authentication.
 *
 * <p>Why records (as TLS has): the JDK's AES-GCM reaches its hardware speed only once the JIT has compiled its
 * callers, which it does by call count; sealing a 1.6 MB frame (an MLP's parameters) in one call kept GCM on its
 * slow path (about 30 MB/s) for the first few hundred frames, seconds of every run. Records of bounded size reach
 * the fast path within a few frames, and let the receiver decrypt into its own buffer.
 *
 * <p>Bounds: a frame longer than the receiver's {@code maxPayload} is refused before anything is
 * allocated; every read times out after {@code timeoutMillis} (idle peers are dropped). Payloads are never logged
 * or put in exception messages. {@link #send} is thread-safe; {@link #receive} must be called by one thread.
 */
public final class SecureChannel implements Link {
    static final String INFO = "dpspark/aggregation/v2";
    static final int NONCE_BYTES = 32;
    static final int TAG_BITS = 128;
    static final int TAG_BYTES = TAG_BITS / 8;
    /** Plaintext bytes per sealed record (the last record of a frame may be shorter). */
    static final int RECORD_BYTES = 16 * 1024;
    private static final byte[] CLIENT = "client".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER = "server".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final SecretKeySpec sendKey;
    private final SecretKeySpec receiveKey;
    private final Cipher sendCipher;
    private final Cipher receiveCipher;
    private final int maxPayload;
    private final int timeoutMillis;
    private final byte[] sendRecord = new byte[RECORD_BYTES + TAG_BYTES];
    private final byte[] receiveRecord = new byte[RECORD_BYTES + TAG_BYTES];
    private long sent;
    private long received;

    private SecureChannel(Socket socket, DataInputStream in, DataOutputStream out, byte[] sendKey, byte[] receiveKey,
            int maxPayload) throws GeneralSecurityException, IOException {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.sendKey = new SecretKeySpec(sendKey, "AES");
        this.receiveKey = new SecretKeySpec(receiveKey, "AES");
        this.sendCipher = Cipher.getInstance("AES/GCM/NoPadding");
        this.receiveCipher = Cipher.getInstance("AES/GCM/NoPadding");
        this.maxPayload = maxPayload;
        this.timeoutMillis = socket.getSoTimeout();
    }

    /** The server (driver) end: sends the challenge, checks the client's answer, proves itself. */
    public static SecureChannel server(Socket socket, byte[] secret, int maxPayload, int timeoutMillis)
            throws IOException {
        checkArgs(socket, secret, maxPayload, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        byte[] ns = random();
        out.write(ns);
        out.flush();
        byte[] nc = new byte[NONCE_BYTES];
        byte[] tag = new byte[32];
        in.readFully(nc);
        in.readFully(tag);
        if (!MessageDigest.isEqual(tag, hmac(secret, CLIENT, ns, nc))) {
            throw new AuthenticationException("the peer did not prove knowledge of the run's secret");
        }
        out.write(hmac(secret, SERVER, ns, nc));
        out.flush();
        return open(socket, in, out, secret, ns, nc, true, maxPayload);
    }

    /** The client (task) end: answers the challenge and checks the server's proof. */
    public static SecureChannel client(Socket socket, byte[] secret, int maxPayload, int timeoutMillis)
            throws IOException {
        checkArgs(socket, secret, maxPayload, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        byte[] ns = new byte[NONCE_BYTES];
        in.readFully(ns);
        byte[] nc = random();
        out.write(nc);
        out.write(hmac(secret, CLIENT, ns, nc));
        out.flush();
        byte[] tag = new byte[32];
        try {
            in.readFully(tag);
        } catch (EOFException e) {
            throw new AuthenticationException("the server closed the connection: the run's secret was refused");
        }
        if (!MessageDigest.isEqual(tag, hmac(secret, SERVER, ns, nc))) {
            throw new AuthenticationException("the server did not prove knowledge of the run's secret");
        }
        return open(socket, in, out, secret, ns, nc, false, maxPayload);
    }

    private static SecureChannel open(Socket socket, DataInputStream in, DataOutputStream out, byte[] secret,
            byte[] ns, byte[] nc, boolean server, int maxPayload) throws IOException {
        byte[] okm = hkdf(secret, concat(ns, nc), INFO.getBytes(StandardCharsets.US_ASCII), 64);
        byte[] c2s = Arrays.copyOfRange(okm, 0, 32);
        byte[] s2c = Arrays.copyOfRange(okm, 32, 64);
        Arrays.fill(okm, (byte) 0);
        try {
            return server
                    ? new SecureChannel(socket, in, out, s2c, c2s, maxPayload)
                    : new SecureChannel(socket, in, out, c2s, s2c, maxPayload);
        } catch (GeneralSecurityException e) {
            throw new IOException("AES/GCM/NoPadding is not available", e);
        } finally {
            Arrays.fill(c2s, (byte) 0);
            Arrays.fill(s2c, (byte) 0);
        }
    }

    /** Encrypts and sends one frame. */
    @Override
    public synchronized void send(byte[] payload) throws IOException {
        Objects.requireNonNull(payload, "payload");
        long seq = sent++;
        byte[] aad = lengthBytes(payload.length);
        out.writeInt(payload.length);
        int records = records(payload.length);
        for (int r = 0; r < records; r++) {
            int off = r * RECORD_BYTES;
            int len = Math.min(RECORD_BYTES, payload.length - off);
            int sealed;
            try {
                sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, new GCMParameterSpec(TAG_BITS, nonce(r, seq)));
                sendCipher.updateAAD(aad);
                sealed = sendCipher.doFinal(payload, off, len, sendRecord, 0);
            } catch (GeneralSecurityException e) {
                throw new IOException("frame encryption failed", e);
            }
            out.write(sendRecord, 0, sealed);
        }
        out.flush();
    }

    /**
     * Receives and decrypts one frame.
     *
     * @throws FrameTooLargeException when the announced length exceeds this end's bound
     * @throws AuthenticationException when the frame fails authentication (forged, replayed, reordered)
     * @throws java.net.SocketTimeoutException when the peer stays idle longer than the timeout
     */
    public byte[] receive() throws IOException {
        int length = in.readInt();
        if (length < 0 || length > maxPayload) {
            throw new FrameTooLargeException("frame of " + Integer.toUnsignedString(length) + " bytes refused: the bound is "
                    + maxPayload + " bytes of payload");
        }
        long seq = received++;
        byte[] aad = lengthBytes(length);
        byte[] payload = new byte[length];
        int records = records(length);
        for (int r = 0; r < records; r++) {
            int off = r * RECORD_BYTES;
            int len = Math.min(RECORD_BYTES, length - off);
            in.readFully(receiveRecord, 0, len + TAG_BYTES);
            try {
                receiveCipher.init(Cipher.DECRYPT_MODE, receiveKey, new GCMParameterSpec(TAG_BITS, nonce(r, seq)));
                receiveCipher.updateAAD(aad);
                receiveCipher.doFinal(receiveRecord, 0, len + TAG_BYTES, payload, off);
            } catch (AEADBadTagException e) {
                Arrays.fill(payload, (byte) 0);
                throw new AuthenticationException("a frame failed authentication (forged, replayed or reordered)");
            } catch (GeneralSecurityException e) {
                Arrays.fill(payload, (byte) 0);
                throw new IOException("frame decryption failed", e);
            }
        }
        return payload;
    }

    /** Records of a frame of {@code length} payload bytes: at least one, so an empty frame is authenticated too. */
    static int records(int length) {
        return Math.max(1, (int) (((long) length + RECORD_BYTES - 1) / RECORD_BYTES));
    }

    /**
     * Like {@link #receive()}, but while no frame has started it wakes up every {@code pollMillis} to ask
     * {@code stop} whether to give up (a killed task must not sit in a blocking read until the idle timeout).
     *
     * @throws InterruptedIOException when {@code stop} says so
     */
    @Override
    public byte[] receive(BooleanSupplier stop, int pollMillis) throws IOException {
        long waited = 0;
        socket.setSoTimeout(pollMillis);
        try {
            while (true) {
                in.mark(1);
                try {
                    if (in.read() < 0) {
                        throw new EOFException("the peer closed the connection");
                    }
                    in.reset();
                    break;
                } catch (SocketTimeoutException e) {
                    // nothing was consumed: the stream is still at a frame boundary
                    if (stop.getAsBoolean()) {
                        throw new InterruptedIOException("stopped while waiting for a frame");
                    }
                    waited += pollMillis;
                    if (waited >= timeoutMillis) {
                        throw e;
                    }
                }
            }
        } finally {
            socket.setSoTimeout(timeoutMillis);
        }
        return receive();
    }

    /** The remote address, for log lines (never the payloads). */
    @Override
    public String peer() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static byte[] nonce(int record, long frame) {
        return ByteBuffer.allocate(12).putInt(record).putLong(frame).array();
    }

    private static byte[] lengthBytes(int length) {
        return ByteBuffer.allocate(4).putInt(length).array();
    }

    private static void checkArgs(Socket socket, byte[] secret, int maxPayload, int timeoutMillis) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(secret, "secret");
        if (secret.length < 32) {
            throw new IllegalArgumentException("the secret must be at least 32 bytes, got " + secret.length);
        }
        if (!(maxPayload > 0)) {
            throw new IllegalArgumentException("maxPayload must be > 0, got " + maxPayload);
        }
        if (!(timeoutMillis > 0)) {
            throw new IllegalArgumentException("timeoutMillis must be > 0, got " + timeoutMillis);
        }
    }

    private static byte[] random() {
        byte[] b = new byte[NONCE_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** HKDF-SHA256 (RFC 5869): PRK = HMAC(salt, ikm); T(i) = HMAC(PRK, T(i-1) || info || i). */
    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        byte[] prk = hmac(salt, ikm);
        byte[] okm = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, done = 0; done < length; i++) {
            t = hmac(prk, t, info, new byte[] {(byte) i});
            System.arraycopy(t, 0, okm, done, Math.min(t.length, length - done));
            done += t.length;
        }
        Arrays.fill(prk, (byte) 0);
        return okm;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The peer failed authentication: a wrong secret, or a forged or replayed frame. */
    public static final class AuthenticationException extends IOException {
        private static final long serialVersionUID = 1L;

        AuthenticationException(String message) {
            super(message);
        }
    }

    /** A frame longer than the receiver's bound. */
    public static final class FrameTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        FrameTooLargeException(String message) {
            super(message);
        }
    }
}
