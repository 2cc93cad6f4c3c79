package org.dpspark.jobs.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.dpspark.jobs.aggregation.AggregationServer.Closed;
import org.dpspark.jobs.aggregation.AggregationServer.Event;
import org.dpspark.jobs.aggregation.AggregationServer.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecureChannelTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] secret = key();
    private AggregationServer server;

    private static byte[] key() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    private AggregationServer start(int maxPayload, int timeoutMillis) throws IOException {
        server = new AggregationServer(InetAddress.getLoopbackAddress(), secret, maxPayload, 4, timeoutMillis);
        return server;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(server.address(), server.port()), 5000);
        return s;
    }

    private void awaitRefused(int n) throws InterruptedException {
        for (int i = 0; i < 100 && server.refusedConnections() < n; i++) {
            Thread.sleep(50);
        }
        assertEquals(n, server.refusedConnections());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rightSecret_framesTravelBothWays() throws Exception {
        start(1024, 5000);
        try (Socket s = connect()) {
            SecureChannel c = SecureChannel.client(s, secret, 1024, 5000);
            byte[] hello = "partial sums".getBytes(StandardCharsets.US_ASCII);
            c.send(hello);
            Event e = server.poll(5, TimeUnit.SECONDS);
            Message m = assertInstanceOf(Message.class, e);
            assertArrayEquals(hello, m.payload());
            m.peer().send(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, c.receive());
            c.send(new byte[0]);
            assertArrayEquals(new byte[0], assertInstanceOf(Message.class, server.poll(5, TimeUnit.SECONDS)).payload());
        }
        assertInstanceOf(Closed.class, server.poll(5, TimeUnit.SECONDS));
        assertEquals(0, server.refusedConnections());
    }

    @Test
    void wrongSecret_isRefusedBeforeAnyFrame() throws Exception {
        start(1024, 5000);
        byte[] wrong = secret.clone();
        wrong[7] ^= 1;
        try (Socket s = connect()) {
            assertThrows(SecureChannel.AuthenticationException.class, () -> SecureChannel.client(s, wrong, 1024, 5000));
        }
        awaitRefused(1);
        assertNull(server.poll(200, TimeUnit.MILLISECONDS), "a refused peer must not reach the driver");
    }

    @Test
    void fakeServer_withoutTheSecret_isRefusedByTheClient() throws Exception {
        byte[] other = key();
        server = new AggregationServer(InetAddress.getLoopbackAddress(), other, 1024, 4, 5000);
        try (Socket s = connect()) {
            // The server refuses us first (our tag is wrong for its secret); either way no channel opens.
            assertThrows(SecureChannel.AuthenticationException.class, () -> SecureChannel.client(s, secret, 1024, 5000));
        }
    }

    @Test
    void clientWithoutHandshake_isRefused() throws Exception {
        start(1024, 5000);
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            byte[] challenge = in.readNBytes(32);
            assertEquals(32, challenge.length);
            OutputStream out = s.getOutputStream();
            out.write(new byte[64]); // a nonce and a made-up tag
            out.flush();
            assertEquals(-1, in.read(), "the server must close the connection");
        }
        awaitRefused(1);
    }

    @Test
    void idlePeer_timesOut() throws Exception {
        start(1024, 300);
        try (Socket s = connect()) {
            s.getInputStream().readNBytes(32);
            // say nothing
            awaitRefused(1);
        }
    }

    @Test
    void oversizedFrame_isRefused_beforeAllocation() throws Exception {
        start(100, 5000);
        try (Socket s = connect()) {
            SecureChannel c = SecureChannel.client(s, secret, 1024, 5000);
            c.send(new byte[100]);
            assertEquals(100, assertInstanceOf(Message.class, server.poll(5, TimeUnit.SECONDS)).payload().length);
            c.send(new byte[101]);
            Closed closed = assertInstanceOf(Closed.class, server.poll(5, TimeUnit.SECONDS));
            assertInstanceOf(SecureChannel.FrameTooLargeException.class, closed.cause());
        }
    }

    @Test
    void tamperedFrame_failsAuthentication() throws Exception {
        // A man in the middle that flips one bit of the first encrypted frame (4-byte length, 8 bytes, tag).
        assertRelayedFrameRefused(new byte[8], 4 + 8 + 16, frame -> frame[10] ^= 1);
    }

    @Test
    void framesSpanningSeveralRecords_travelIntactBothWays() throws Exception {
        int r = SecureChannel.RECORD_BYTES;
        start(4 * r, 5000);
        try (Socket s = connect()) {
            SecureChannel c = SecureChannel.client(s, secret, 4 * r, 5000);
            for (int size : new int[] {0, 1, r - 1, r, r + 1, 3 * r + 5, 4 * r}) {
                byte[] payload = new byte[size];
                RANDOM.nextBytes(payload);
                c.send(payload);
                Message m = assertInstanceOf(Message.class, server.poll(5, TimeUnit.SECONDS));
                assertArrayEquals(payload, m.payload(), "size " + size);
                m.peer().send(payload);
                assertArrayEquals(payload, c.receive(), "size " + size);
            }
        }
        assertEquals(1, SecureChannel.records(0));
        assertEquals(1, SecureChannel.records(r));
        assertEquals(2, SecureChannel.records(r + 1));
    }

    @Test
    void swappedRecords_failAuthentication() throws Exception {
        int r = SecureChannel.RECORD_BYTES;
        int sealed = r + 16;
        // Two full records of equal length: swapping them keeps every length right; the nonces tell.
        assertRelayedFrameRefused(new byte[2 * r], 4 + 2 * sealed, frame -> {
            byte[] first = Arrays.copyOfRange(frame, 4, 4 + sealed);
            System.arraycopy(frame, 4 + sealed, frame, 4, sealed);
            System.arraycopy(first, 0, frame, 4 + sealed, sealed);
        });
    }

    @Test
    void shortenedFrame_droppingItsLastRecord_failsAuthentication() throws Exception {
        int r = SecureChannel.RECORD_BYTES;
        // The length says one record; the records were sealed for a two-record frame.
        assertRelayedFrameRefused(new byte[r + 10], 4 + r + 16, frame -> {
            frame[0] = 0;
            frame[1] = 0;
            frame[2] = (byte) (r >>> 8);
            frame[3] = (byte) r;
        });
    }

    /**
     * Sends {@code payload} through a relay that captures the first {@code frameBytes} bytes after the handshake,
     * lets {@code tamper} change them, and forwards them: the server must drop the peer for failed authentication.
     */
    private void assertRelayedFrameRefused(byte[] payload, int frameBytes, java.util.function.Consumer<byte[]> tamper)
            throws Exception {
        start(Math.max(1024, payload.length), 5000);
        try (java.net.ServerSocket relay = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket toServer = connect()) {
            Thread t = new Thread(() -> {
                try (Socket fromClient = relay.accept()) {
                    InputStream ci = fromClient.getInputStream();
                    OutputStream co = fromClient.getOutputStream();
                    InputStream si = toServer.getInputStream();
                    OutputStream so = toServer.getOutputStream();
                    co.write(si.readNBytes(32));
                    co.flush();
                    so.write(ci.readNBytes(64));
                    so.flush();
                    co.write(si.readNBytes(32));
                    co.flush();
                    byte[] frame = ci.readNBytes(frameBytes);
                    tamper.accept(frame);
                    so.write(frame);
                    so.flush();
                    ci.read();
                } catch (IOException ignored) {
                    // test ends
                }
            });
            t.setDaemon(true);
            t.start();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.getLocalPort())) {
                SecureChannel c = SecureChannel.client(s, secret, Math.max(1024, payload.length), 5000);
                c.send(payload);
                Event e = server.poll(5, TimeUnit.SECONDS);
                assertNotNull(e);
                Closed closed = assertInstanceOf(Closed.class, e);
                assertInstanceOf(SecureChannel.AuthenticationException.class, closed.cause());
            }
        }
    }

    @Test
    void hkdf_matchesRfc5869TestCase1() {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] salt = hex("000102030405060708090a0b0c");
        byte[] info = hex("f0f1f2f3f4f5f6f7f8f9");
        byte[] okm = SecureChannel.hkdf(ikm, salt, info, 42);
        assertArrayEquals(hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"), okm);
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    @Test
    void badArguments_areRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new AggregationServer(InetAddress.getLoopbackAddress(), new byte[16], 10, 1, 1000));
        assertThrows(IllegalArgumentException.class,
                () -> new AggregationServer(InetAddress.getLoopbackAddress(), secret, 0, 1, 1000));
    }
}
