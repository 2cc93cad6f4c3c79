package org.dpspark.jobs.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.dpspark.jobs.aggregation.AggregationServer.Closed;
import org.dpspark.jobs.aggregation.AggregationServer.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-process links of {@link AggregationServer} (local mode, issue 19): who may join, bounds, and ends. */
class InProcessLinkTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] secret = key();
    private AggregationServer server;

    private static byte[] key() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    private AggregationServer start(int maxPayload, boolean inProcess) throws IOException {
        server = new AggregationServer(InetAddress.getLoopbackAddress(), secret, maxPayload, 4, 5000, inProcess);
        return server;
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTaskWithTheSecret_exchangesFramesBothWays_byReference() throws Exception {
        start(1024, true);
        try (Link task = AggregationServer.connectInProcess(secret, 1024, 5000).orElseThrow()) {
            byte[] hello = {1, 2, 3};
            task.send(hello);
            Message m = assertInstanceOf(Message.class, server.poll(5, TimeUnit.SECONDS));
            assertTrue(m.payload() == hello, "an in-process frame is handed over, not copied");
            byte[] reply = new byte[1024];
            RANDOM.nextBytes(reply);
            m.peer().send(reply);
            assertArrayEquals(reply, task.receive(() -> false, 50));
        }
        Closed closed = assertInstanceOf(Closed.class, server.poll(5, TimeUnit.SECONDS));
        assertTrue(AggregationServer.isOrdinaryClose(closed.cause()));
    }

    @Test
    void onlyTheRunsOwnSecret_findsTheService_andOnlyWhenItAcceptsInProcessLinks() throws Exception {
        start(1024, true);
        assertTrue(AggregationServer.connectInProcess(key(), 1024, 5000).isEmpty(), "another run's secret");
        byte[] flipped = secret.clone();
        flipped[31] ^= 1;
        assertTrue(AggregationServer.connectInProcess(flipped, 1024, 5000).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> AggregationServer.connectInProcess(new byte[16], 1024, 5000));
        server.close();
        assertTrue(AggregationServer.connectInProcess(secret, 1024, 5000).isEmpty(), "a closed service");
        start(1024, false);
        assertTrue(AggregationServer.connectInProcess(secret, 1024, 5000).isEmpty(), "a socket-only service");
    }

    @Test
    void oversizedFrames_areRefusedInBothDirections() throws Exception {
        start(100, true);
        Link task = AggregationServer.connectInProcess(secret, 200, 5000).orElseThrow();
        task.send(new byte[100]);
        Message m = assertInstanceOf(Message.class, server.poll(5, TimeUnit.SECONDS));
        assertThrows(SecureChannel.FrameTooLargeException.class, () -> m.peer().send(new byte[201]));
        m.peer().send(new byte[200]);
        assertEquals(200, task.receive(() -> false, 50).length);
        assertThrows(EOFException.class, () -> task.send(new byte[101]));
        Closed closed = assertInstanceOf(Closed.class, server.poll(5, TimeUnit.SECONDS));
        assertInstanceOf(SecureChannel.FrameTooLargeException.class, closed.cause());
        assertThrows(EOFException.class, () -> task.send(new byte[1]), "the link is closed for good");
    }

    @Test
    void theDriverClosingThePeer_endsTheTasksWait_andClosingTheServiceEndsEveryLink() throws Exception {
        start(100, true);
        Link a = AggregationServer.connectInProcess(secret, 100, 5000).orElseThrow();
        Link b = AggregationServer.connectInProcess(secret, 100, 5000).orElseThrow();
        a.send(new byte[1]);
        Message m = assertInstanceOf(Message.class, server.poll(5, TimeUnit.SECONDS));
        m.peer().close();
        assertThrows(EOFException.class, () -> a.receive(() -> false, 50));
        assertThrows(EOFException.class, () -> a.receive(() -> false, 50), "and stays ended");
        server.close();
        assertThrows(EOFException.class, () -> b.receive(() -> false, 50));
    }

    @Test
    void aWaitingTask_stopsWhenAsked_andTimesOutWhenIdle() throws Exception {
        start(100, true);
        Link task = AggregationServer.connectInProcess(secret, 100, 300).orElseThrow();
        assertThrows(InterruptedIOException.class, () -> task.receive(() -> true, 20));
        assertThrows(java.net.SocketTimeoutException.class, () -> task.receive(() -> false, 50));
    }
}
