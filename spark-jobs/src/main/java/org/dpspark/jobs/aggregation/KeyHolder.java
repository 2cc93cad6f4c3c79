package org.dpspark.jobs.aggregation;

import static org.dpspark.jobs.aggregation.KeyHolderProtocol.CLOSE;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.DECRYPT;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.OK;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.PUBLIC_KEY;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import org.dpspark.core.he.Paillier;
import org.dpspark.jobs.aggregation.KeyHolderProtocol.BrokenStreamException;

/**
 * The key holder of encrypted aggregation: its own JVM process, started by {@link KeyHolderClient}, that generates
 * a Paillier key pair ({@link Paillier#DEFAULT_MODULUS_BITS} bits), keeps the private key in its memory only, and
 * serves requests on stdin/stdout in {@link KeyHolderProtocol}'s frames:
 * <ul>
 *   <li>PUBLIC_KEY: the encoded public key;</li>
 *   <li>DECRYPT(step, ciphertexts): their plaintexts, at most once per step: a request for a step at or below the
 *       last one decrypted is refused, so the driver gets one decryption (the step's total) per step;</li>
 *   <li>CLOSE, or the end of stdin (the parent died): exit 0.</li>
 * </ul>
 *
 * <p>What the step rule does and does not do: it stops a driver from asking for each party's ciphertexts one by
 * one within a step; it cannot tell a total from a single party's ciphertext sent as the step's only request.
 *
 * <p>A DECRYPT that is well formed uses up its step even when a ciphertext is then refused as invalid. A frame
 * that is not well formed is refused with an error frame; a broken length prefix ends the process (exit 2).
 *
 * <p>stdout carries frames only: {@code System.out} is pointed at stderr first thing, so nothing else can write
 * there. Diagnostics go to stderr, one line each, and never contain key material, plaintexts or ciphertexts.
 *
 * <p>Usage: {@code KeyHolder [--modulus-bits B]} (B >= 2048, default 3072), or, for tests only,
 * {@code KeyHolder --insecure-test-modulus-bits B}.
 */
public final class KeyHolder {

    static final String MODULUS_BITS_FLAG = "--modulus-bits";
    static final String INSECURE_TEST_BITS_FLAG = "--insecure-test-modulus-bits";
    static final int EXIT_USAGE = 2;

    private final Paillier.KeyPair keys;
    private boolean decryptedAny;
    private long lastStep;

    KeyHolder(Paillier.KeyPair keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public static void main(String[] args) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err); // stdout is the protocol's
        int code;
        try {
            Paillier.KeyPair keys = generate(args);
            code = new KeyHolder(keys).serve(new FileInputStream(FileDescriptor.in), stdout);
        } catch (IllegalArgumentException e) {
            diagnostic(e.getMessage() + "; usage: KeyHolder [" + MODULUS_BITS_FLAG + " B] | "
                    + INSECURE_TEST_BITS_FLAG + " B");
            code = EXIT_USAGE;
        } catch (IOException | RuntimeException e) {
            diagnostic("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    private static Paillier.KeyPair generate(String[] args) {
        SecureRandom rng = new SecureRandom();
        if (args.length == 0) {
            Paillier.KeyPair keys = Paillier.generate(Paillier.DEFAULT_MODULUS_BITS, rng);
            diagnostic("generated a " + keys.publicKey().bits() + "-bit Paillier key");
            return keys;
        }
        if (args.length != 2) {
            throw new IllegalArgumentException("expected no arguments or one flag and its value");
        }
        int bits;
        try {
            bits = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[0] + " needs a number of bits, got '" + args[1] + "'");
        }
        if (args[0].equals(MODULUS_BITS_FLAG)) {
            Paillier.KeyPair keys = Paillier.generate(bits, rng);
            diagnostic("generated a " + bits + "-bit Paillier key");
            return keys;
        }
        if (args[0].equals(INSECURE_TEST_BITS_FLAG)) {
            Paillier.KeyPair keys = Paillier.generateInsecureForTests(bits, rng);
            diagnostic("generated an INSECURE " + bits + "-bit Paillier key (" + INSECURE_TEST_BITS_FLAG
                    + "): for tests only");
            return keys;
        }
        throw new IllegalArgumentException("unknown flag " + args[0]);
    }

    /** Serves requests until CLOSE or the end of {@code in}; returns the exit code. */
    int serve(InputStream in, OutputStream out) throws IOException {
        DataInputStream requests = new DataInputStream(new BufferedInputStream(in));
        DataOutputStream responses = new DataOutputStream(new BufferedOutputStream(out));
        while (true) {
            byte[] request;
            try {
                request = KeyHolderProtocol.readFrame(requests);
            } catch (EOFException e) {
                diagnostic("stdin closed: exiting");
                return 0;
            } catch (BrokenStreamException e) {
                diagnostic("broken request stream: " + e.getMessage() + "; exiting");
                KeyHolderProtocol.writeFrame(responses, KeyHolderProtocol.error(e.getMessage()));
                return EXIT_USAGE;
            }
            if (request[0] == CLOSE && request.length == 1) {
                return 0;
            }
            KeyHolderProtocol.writeFrame(responses, respond(request));
        }
    }

    private byte[] respond(byte[] request) {
        byte kind = request[0];
        if (kind == PUBLIC_KEY && request.length == 1) {
            byte[] encoded = keys.publicKey().encoded();
            return KeyHolderProtocol.frame(OK, out -> out.write(encoded));
        }
        if (kind == DECRYPT) {
            return decrypt(request);
        }
        return KeyHolderProtocol.error("unknown request (kind " + kind + ", " + request.length + " bytes)");
    }

    private byte[] decrypt(byte[] request) {
        long step;
        BigInteger[] ciphertexts;
        try (DataInputStream body = KeyHolderProtocol.body(request)) {
            step = body.readLong();
            ciphertexts = new BigInteger[KeyHolderProtocol.readCount(body)];
            for (int i = 0; i < ciphertexts.length; i++) {
                ciphertexts[i] = KeyHolderProtocol.readInteger(body);
            }
            if (body.available() > 0) {
                return KeyHolderProtocol.error("malformed DECRYPT request: " + body.available() + " extra bytes");
            }
        } catch (IOException e) {
            return KeyHolderProtocol.error("malformed DECRYPT request: "
                    + (e instanceof EOFException ? "truncated" : e.getMessage()));
        }
        if (decryptedAny && step <= lastStep) {
            String refusal = "DECRYPT refused for step " + step + ": step " + lastStep + " was already decrypted;"
                    + " the key holder decrypts one total per step, and steps must increase";
            diagnostic(refusal);
            return KeyHolderProtocol.error(refusal);
        }
        decryptedAny = true;
        lastStep = step;
        BigInteger[] plaintexts;
        try {
            plaintexts = Paillier.decryptAll(keys.privateKey(), ciphertexts);
        } catch (IllegalArgumentException e) {
            return KeyHolderProtocol.error("DECRYPT refused for step " + step + ": " + e.getMessage());
        }
        return KeyHolderProtocol.frame(OK, out -> {
            out.writeInt(plaintexts.length);
            for (BigInteger m : plaintexts) {
                KeyHolderProtocol.writeInteger(out, m);
            }
        });
    }

    private static void diagnostic(String line) {
        System.err.println("dpspark key holder: " + line.replaceAll("[\\r\\n]+", " "));
    }
}
