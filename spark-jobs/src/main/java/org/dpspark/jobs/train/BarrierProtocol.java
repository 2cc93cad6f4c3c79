package org.dpspark.jobs.train;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The messages between the driver and the barrier tasks (inside {@link org.dpspark.jobs.aggregation.SecureChannel}
 * frames), big-endian:
 * <pre>
 *   HELLO  task -> driver : 1, int stageAttempt, int task, int n, n x int partition
 *   STEP   driver -> task : 2, long step, int numParams, numParams x double
 *   SUMS   task -> driver : 3, long step, int n, n x (int partition, sumLength x double)
 *   DONE   driver -> task : 4
 * </pre>
 * Decoders check every count against the sizes both ends know, so a malformed message fails at once.
 */
final class BarrierProtocol {
    static final byte HELLO = 1;
    static final byte STEP = 2;
    static final byte SUMS = 3;
    static final byte DONE = 4;

    private BarrierProtocol() {}

    record Hello(int stageAttempt, int task, int[] partitions) {}

    record Step(long step, double[] params) {}

    record Sums(long step, int[] partitions, double[][] sums) {}

    static int maxHello(int partitions) {
        return 1 + 4 + 4 + 4 + 4 * partitions;
    }

    static int maxStep(int numParams) {
        return 1 + 8 + 4 + 8 * numParams;
    }

    static int maxSums(int partitions, int sumLength) {
        return 1 + 8 + 4 + partitions * (4 + 8 * sumLength);
    }

    static byte[] hello(int stageAttempt, int task, int[] partitions) {
        ByteBuffer b = ByteBuffer.allocate(maxHello(partitions.length));
        b.put(HELLO).putInt(stageAttempt).putInt(task).putInt(partitions.length);
        for (int p : partitions) {
            b.putInt(p);
        }
        return b.array();
    }

    static byte[] step(long step, double[] params) {
        ByteBuffer b = ByteBuffer.allocate(maxStep(params.length));
        b.put(STEP).putLong(step).putInt(params.length);
        b.asDoubleBuffer().put(params);
        return b.array();
    }

    static byte[] sums(long step, int[] partitions, double[][] sums) {
        int len = sums.length == 0 ? 0 : sums[0].length;
        ByteBuffer b = ByteBuffer.allocate(maxSums(partitions.length, len));
        b.put(SUMS).putLong(step).putInt(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            b.putInt(partitions[i]);
            for (double v : sums[i]) {
                b.putDouble(v);
            }
        }
        return b.array();
    }

    static byte[] done() {
        return new byte[] {DONE};
    }

    static byte type(byte[] m) {
        if (m.length == 0) {
            throw new IllegalArgumentException("empty message");
        }
        return m[0];
    }

    static Hello decodeHello(byte[] m, int totalPartitions) {
        try {
            ByteBuffer b = ByteBuffer.wrap(m);
            expect(b, HELLO);
            int attempt = b.getInt();
            int task = b.getInt();
            int n = b.getInt();
            if (attempt < 0 || task < 0 || n < 0 || n > totalPartitions || b.remaining() != 4 * n) {
                throw new IllegalArgumentException("malformed HELLO");
            }
            int[] parts = new int[n];
            for (int i = 0; i < n; i++) {
                parts[i] = b.getInt();
                if (parts[i] < 0 || parts[i] >= totalPartitions) {
                    throw new IllegalArgumentException("HELLO names partition " + parts[i] + " of " + totalPartitions);
                }
            }
            return new Hello(attempt, task, parts);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated HELLO", e);
        }
    }

    static Step decodeStep(byte[] m, int numParams) {
        try {
            ByteBuffer b = ByteBuffer.wrap(m);
            expect(b, STEP);
            long step = b.getLong();
            int n = b.getInt();
            if (n != numParams || b.remaining() != 8 * n) {
                throw new IllegalArgumentException("malformed STEP: " + n + " parameters, expected " + numParams);
            }
            double[] params = new double[n];
            b.asDoubleBuffer().get(params);
            return new Step(step, params);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated STEP", e);
        }
    }

    static Sums decodeSums(byte[] m, int totalPartitions, int sumLength) {
        try {
            ByteBuffer b = ByteBuffer.wrap(m);
            expect(b, SUMS);
            long step = b.getLong();
            int n = b.getInt();
            if (n < 0 || n > totalPartitions || b.remaining() != (long) n * (4 + 8L * sumLength)) {
                throw new IllegalArgumentException("malformed SUMS");
            }
            int[] parts = new int[n];
            double[][] sums = new double[n][sumLength];
            for (int i = 0; i < n; i++) {
                parts[i] = b.getInt();
                for (int j = 0; j < sumLength; j++) {
                    sums[i][j] = b.getDouble();
                }
            }
            return new Sums(step, parts, sums);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated SUMS", e);
        }
    }

    private static void expect(ByteBuffer b, byte type) {
        byte t = b.get();
        if (t != type) {
            throw new IllegalArgumentException("expected message type " + type + ", got " + t);
        }
    }
}
