package org.dpspark.jobs.train;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The messages between the driver and the barrier tasks (inside {@link org.dpspark.jobs.aggregation.SecureChannel}
 * frames), little-endian (the byte order of the machines Spark runs on, so that the vectors of STEP, SUMS and SHARES
 * are bulk copies, not byte swaps):
 * <pre>
 *   HELLO  task -> driver : 1, int stageAttempt, int task, int n, n x int partition, int keyLength,
 *                           n x keyLength bytes (each partition's X25519 public key under masking; keyLength 0 else)
 *   STEP   driver -> task : 2, long step, int numParams, numParams x double
 *   SUMS   task -> driver : 3, long step, int n, n x (int partition, sumLength x double)          (central)
 *   DONE   driver -> task : 4
 *   ROSTER driver -> task : 5, int partitions, partitions x 32 bytes (every party's public key; masking)
 *   SHARES task -> driver : 6, long step, int n, n x (int partition, paddedDim x long)           (masking)
 *   SEALED task -> driver : 7, long step, int n, n x (int partition, int count, count x (int length, bytes))
 *                                                                                                 (paillier)
 * </pre>
 * Decoders check every count against the sizes both ends know, so a malformed message fails at once. The senders
 * of STEP and SUMS may write into the array of their previous message of the same kind: a message is read before
 * its sender's next step can start.
 */
final class BarrierProtocol {
    static final byte HELLO = 1;
    static final byte STEP = 2;
    static final byte SUMS = 3;
    static final byte DONE = 4;
    static final byte ROSTER = 5;
    static final byte SHARES = 6;
    static final byte SEALED = 7;
    static final int KEY_BYTES = 32;

    private BarrierProtocol() {}

    record Hello(int stageAttempt, int task, int[] partitions, byte[][] keys) {}

    /** A task's per-partition payloads of one step: double[] (central), long[] (masking) or byte[][] (paillier). */
    record Parts(long step, int[] partitions, Object[] payloads) {}

    record Step(long step, double[] params) {}

    record Sums(long step, int[] partitions, double[][] sums) {}

    static int maxHello(int partitions) {
        return 1 + 4 + 4 + 4 + 4 * partitions + 4 + KEY_BYTES * partitions;
    }

    static int maxRoster(int partitions) {
        return 1 + 4 + KEY_BYTES * partitions;
    }

    static int maxShares(int partitions, int paddedDim) {
        return 1 + 8 + 4 + partitions * (4 + 8 * paddedDim);
    }

    static int maxSealed(int partitions, int count, int ciphertextBytes) {
        return 1 + 8 + 4 + partitions * (4 + 4 + count * (4 + ciphertextBytes));
    }

    static int maxStep(int numParams) {
        return 1 + 8 + 4 + 8 * numParams;
    }

    static int maxSums(int partitions, int sumLength) {
        return 1 + 8 + 4 + partitions * (4 + 8 * sumLength);
    }

    static byte[] hello(int stageAttempt, int task, int[] partitions) {
        return hello(stageAttempt, task, partitions, null);
    }

    /** @param keys each partition's public key (KEY_BYTES each), or null */
    static byte[] hello(int stageAttempt, int task, int[] partitions, byte[][] keys) {
        int keyLength = keys == null ? 0 : KEY_BYTES;
        ByteBuffer b = allocate(1 + 4 + 4 + 4 + 4 * partitions.length + 4 + keyLength * partitions.length);
        b.put(HELLO).putInt(stageAttempt).putInt(task).putInt(partitions.length);
        for (int p : partitions) {
            b.putInt(p);
        }
        b.putInt(keyLength);
        if (keys != null) {
            for (byte[] k : keys) {
                if (k.length != KEY_BYTES) {
                    throw new IllegalArgumentException("public key of " + k.length + " bytes");
                }
                b.put(k);
            }
        }
        return b.array();
    }

    static byte[] roster(byte[][] keys) {
        ByteBuffer b = allocate(maxRoster(keys.length));
        b.put(ROSTER).putInt(keys.length);
        for (byte[] k : keys) {
            b.put(k);
        }
        return b.array();
    }

    static byte[][] decodeRoster(byte[] m, int totalPartitions) {
        try {
            ByteBuffer b = wrap(m);
            expect(b, ROSTER);
            int n = b.getInt();
            if (n != totalPartitions || b.remaining() != KEY_BYTES * n) {
                throw new IllegalArgumentException("malformed ROSTER");
            }
            byte[][] keys = new byte[n][KEY_BYTES];
            for (byte[] k : keys) {
                b.get(k);
            }
            return keys;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated ROSTER", e);
        }
    }

    static byte[] shares(long step, int[] partitions, long[][] shares) {
        int len = shares.length == 0 ? 0 : shares[0].length;
        ByteBuffer b = allocate(maxShares(partitions.length, len));
        b.put(SHARES).putLong(step).putInt(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            b.putInt(partitions[i]);
            b.asLongBuffer().put(shares[i]);
            b.position(b.position() + 8 * shares[i].length);
        }
        return b.array();
    }

    static byte[] sealed(long step, int[] partitions, byte[][][] ciphertexts) {
        int size = 1 + 8 + 4;
        for (byte[][] cs : ciphertexts) {
            size += 8;
            for (byte[] c : cs) {
                size += 4 + c.length;
            }
        }
        ByteBuffer b = allocate(size);
        b.put(SEALED).putLong(step).putInt(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            b.putInt(partitions[i]).putInt(ciphertexts[i].length);
            for (byte[] c : ciphertexts[i]) {
                b.putInt(c.length).put(c);
            }
        }
        return b.array();
    }

    /**
     * Decodes a task's answer to a step: SUMS (sumLength doubles per partition), SHARES (paddedDim longs) or SEALED
     * (count ciphertexts of at most maxCiphertextBytes), whichever {@code expected} names.
     */
    static Parts decodeParts(byte[] m, byte expected, int totalPartitions, int length, int maxCiphertextBytes) {
        return decodeParts(m, expected, totalPartitions, length, maxCiphertextBytes, null);
    }

    /** As above; SUMS are decoded into {@code sumsByPartition} as {@link #decodeSums(byte[], int, int, double[][])}. */
    static Parts decodeParts(byte[] m, byte expected, int totalPartitions, int length, int maxCiphertextBytes,
            double[][] sumsByPartition) {
        if (expected == SUMS) {
            Sums s = decodeSums(m, totalPartitions, length, sumsByPartition);
            return new Parts(s.step(), s.partitions(), s.sums());
        }
        try {
            ByteBuffer b = wrap(m);
            expect(b, expected);
            long step = b.getLong();
            int n = b.getInt();
            if (n < 0 || n > totalPartitions) {
                throw new IllegalArgumentException("malformed answer: " + n + " partitions");
            }
            int[] parts = new int[n];
            Object[] payloads = new Object[n];
            for (int i = 0; i < n; i++) {
                parts[i] = b.getInt();
                if (expected == SHARES) {
                    long[] v = new long[length];
                    b.asLongBuffer().get(v);
                    b.position(b.position() + 8 * length);
                    payloads[i] = v;
                } else {
                    int count = b.getInt();
                    if (count != length) {
                        throw new IllegalArgumentException("malformed SEALED: " + count + " ciphertexts, expected "
                                + length);
                    }
                    byte[][] cs = new byte[count][];
                    for (int k = 0; k < count; k++) {
                        int len = b.getInt();
                        if (len < 1 || len > maxCiphertextBytes) {
                            throw new IllegalArgumentException("malformed SEALED: ciphertext of " + len + " bytes");
                        }
                        cs[k] = new byte[len];
                        b.get(cs[k]);
                    }
                    payloads[i] = cs;
                }
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("malformed answer: " + b.remaining() + " trailing bytes");
            }
            return new Parts(step, parts, payloads);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated answer", e);
        }
    }

    /** A STEP message, written into {@code reuse} when it has the right size (the previous step's message). */
    static byte[] step(long step, double[] params, byte[] reuse) {
        ByteBuffer b = reuse(reuse, maxStep(params.length));
        b.put(STEP).putLong(step).putInt(params.length);
        b.asDoubleBuffer().put(params);
        return b.array();
    }

    /** A SUMS message, written into {@code reuse} when it has the right size (the previous step's message). */
    static byte[] sums(long step, int[] partitions, double[][] sums, byte[] reuse) {
        int len = sums.length == 0 ? 0 : sums[0].length;
        ByteBuffer b = reuse(reuse, maxSums(partitions.length, len));
        b.put(SUMS).putLong(step).putInt(partitions.length);
        for (int i = 0; i < partitions.length; i++) {
            b.putInt(partitions[i]);
            b.asDoubleBuffer().put(sums[i]); // a bulk copy
            b.position(b.position() + 8 * sums[i].length);
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
            ByteBuffer b = wrap(m);
            expect(b, HELLO);
            int attempt = b.getInt();
            int task = b.getInt();
            int n = b.getInt();
            if (attempt < 0 || task < 0 || n < 0 || n > totalPartitions || b.remaining() < 4 * n + 4) {
                throw new IllegalArgumentException("malformed HELLO");
            }
            int[] parts = new int[n];
            for (int i = 0; i < n; i++) {
                parts[i] = b.getInt();
                if (parts[i] < 0 || parts[i] >= totalPartitions) {
                    throw new IllegalArgumentException("HELLO names partition " + parts[i] + " of " + totalPartitions);
                }
            }
            int keyLength = b.getInt();
            if ((keyLength != 0 && keyLength != KEY_BYTES) || b.remaining() != keyLength * n) {
                throw new IllegalArgumentException("malformed HELLO keys");
            }
            byte[][] keys = keyLength == 0 ? null : new byte[n][keyLength];
            if (keys != null) {
                for (byte[] k : keys) {
                    b.get(k);
                }
            }
            return new Hello(attempt, task, parts, keys);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated HELLO", e);
        }
    }

    /** Decodes a STEP message, into {@code into} when it has numParams values (a task's array of every step). */
    static Step decodeStep(byte[] m, int numParams, double[] into) {
        try {
            ByteBuffer b = wrap(m);
            expect(b, STEP);
            long step = b.getLong();
            int n = b.getInt();
            if (n != numParams || b.remaining() != 8 * n) {
                throw new IllegalArgumentException("malformed STEP: " + n + " parameters, expected " + numParams);
            }
            double[] params = into != null && into.length == n ? into : new double[n];
            b.asDoubleBuffer().get(params);
            return new Step(step, params);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated STEP", e);
        }
    }

    /**
     * Decodes a SUMS message; with {@code byPartition} (length totalPartitions), partition p's sum goes into
     * byPartition[p], allocated there the first time: the driver's arrays of every step.
     */
    static Sums decodeSums(byte[] m, int totalPartitions, int sumLength, double[][] byPartition) {
        try {
            ByteBuffer b = wrap(m);
            expect(b, SUMS);
            long step = b.getLong();
            int n = b.getInt();
            if (n < 0 || n > totalPartitions || b.remaining() != (long) n * (4 + 8L * sumLength)) {
                throw new IllegalArgumentException("malformed SUMS");
            }
            int[] parts = new int[n];
            double[][] sums = new double[n][];
            for (int i = 0; i < n; i++) {
                int p = b.getInt();
                if (p < 0 || p >= totalPartitions) {
                    throw new IllegalArgumentException("malformed SUMS: partition " + p + " of " + totalPartitions);
                }
                parts[i] = p;
                if (byPartition == null) {
                    sums[i] = new double[sumLength];
                } else {
                    if (byPartition[p] == null) {
                        byPartition[p] = new double[sumLength];
                    }
                    sums[i] = byPartition[p];
                }
                b.asDoubleBuffer().get(sums[i]);
                b.position(b.position() + 8 * sumLength);
            }
            return new Sums(step, parts, sums);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated SUMS", e);
        }
    }

    private static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer wrap(byte[] m) {
        return ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code reuse} as a little-endian buffer when it has exactly {@code size} bytes, else a new one. */
    private static ByteBuffer reuse(byte[] reuse, int size) {
        return reuse != null && reuse.length == size ? wrap(reuse) : allocate(size);
    }

    private static void expect(ByteBuffer b, byte type) {
        byte t = b.get();
        if (t != type) {
            throw new IllegalArgumentException("expected message type " + type + ", got " + t);
        }
    }
}
