package org.dpspark.jobs.aggregation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;

/**
 * The key holder's wire format, shared by {@link KeyHolder} and {@link KeyHolderClient}. A frame is a 4-byte
 * big-endian length {@code L} (1 to {@link #MAX_FRAME_BYTES}) and {@code L} bytes whose first byte is the kind.
 *
 * <pre>
 *   requests   PUBLIC_KEY
 *              DECRYPT   long step, int count (1 to MAX_COUNT), count x integer
 *              CLOSE
 *   responses  OK        PUBLIC_KEY: Paillier.PublicKey.encoded(); DECRYPT: int count, count x integer
 *              ERROR     one line, DataOutput.writeUTF
 * </pre>
 * An integer is a 4-byte length (1 to {@link #MAX_INTEGER_BYTES}) and its non-negative two's-complement
 * big-endian bytes ({@link BigInteger#toByteArray()}).
 */
final class KeyHolderProtocol {

    static final byte PUBLIC_KEY = 1;
    static final byte DECRYPT = 2;
    static final byte CLOSE = 3;
    static final byte OK = 0;
    static final byte ERROR = 127;

    /** 256 MiB: the ciphertexts of a 10-million-coordinate vector at 3072 bits and 65 slots take about 120 MB. */
    static final int MAX_FRAME_BYTES = 1 << 28;
    /** 2^20 ciphertexts per request. */
    static final int MAX_COUNT = 1 << 20;
    /** A ciphertext modulo N^2 of a 65,536-bit N, and its sign byte. */
    static final int MAX_INTEGER_BYTES = 16385;

    private KeyHolderProtocol() {
    }

    /** A frame whose length prefix cannot be trusted: the stream is out of step and must be closed. */
    static final class BrokenStreamException extends IOException {
        BrokenStreamException(String message) {
            super(message);
        }
    }

    static void writeFrame(DataOutputStream out, byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
    }

    /** Reads one frame; {@link java.io.EOFException} at the end of the stream. */
    static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > MAX_FRAME_BYTES) {
            throw new BrokenStreamException("a frame's length must be in [1, " + MAX_FRAME_BYTES + "], got " + length);
        }
        byte[] frame = new byte[length];
        in.readFully(frame);
        return frame;
    }

    static void writeInteger(DataOutputStream out, BigInteger value) throws IOException {
        byte[] bytes = value.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static BigInteger readInteger(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > MAX_INTEGER_BYTES) {
            throw new IOException("an integer's length must be in [1, " + MAX_INTEGER_BYTES + "], got " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        BigInteger value = new BigInteger(bytes);
        if (value.signum() < 0) {
            throw new IOException("a negative integer");
        }
        return value;
    }

    static int readCount(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 1 || count > MAX_COUNT) {
            throw new IOException("count must be in [1, " + MAX_COUNT + "], got " + count);
        }
        return count;
    }

    /** A frame's body after its kind byte. */
    static DataInputStream body(byte[] frame) {
        return new DataInputStream(new ByteArrayInputStream(frame, 1, frame.length - 1));
    }

    /** Builds a frame: its kind, then what {@code body} writes. */
    static byte[] frame(byte kind, BodyWriter body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind);
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static byte[] error(String message) {
        String line = message == null ? "error" : message.replaceAll("[\\r\\n]+", " ");
        return frame(ERROR, out -> out.writeUTF(line.length() > 1000 ? line.substring(0, 1000) : line));
    }

    @FunctionalInterface
    interface BodyWriter {
        void write(DataOutputStream out) throws IOException;
    }
}
