package org.dpspark.jobs.aggregation;

import static org.dpspark.jobs.aggregation.KeyHolderProtocol.CLOSE;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.DECRYPT;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.ERROR;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.OK;
import static org.dpspark.jobs.aggregation.KeyHolderProtocol.PUBLIC_KEY;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dpspark.core.he.Paillier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's handle on a {@link KeyHolder} child process: starts it, fetches its public key, asks it to
 * decrypt a step's total, and stops it. Errors the key holder reports, and its death, become
 * {@link IllegalStateException}s with its one-line message. The key holder's stderr lines are logged at INFO.
 *
 * <p>The child runs the JVM of this process ({@code java.home}) with {@code -XX:+DisableAttachMechanism} (no
 * debugger or heap dump through the attach API), on a class path of just the locations of dpspark's own classes
 * (dp-core and spark-jobs: the shaded jar, or the build's class folders). Not {@code java.class.path}: under
 * spark-submit the application jar is not on it (Spark loads it in a child class loader), and the key holder
 * needs no Spark. When a location is unknown it falls back to {@code java.class.path}.
 *
 * <p>The child exits when this JVM goes away: its stdin closes, which it takes as the end, and a shutdown hook
 * destroys it as well. Thread-safe: requests are serialized.
 */
public final class KeyHolderClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyHolderClient.class);

    /** How long {@link #close()} waits for the child to exit after CLOSE before destroying it. */
    static final long CLOSE_TIMEOUT_MILLIS = 10_000;

    private final Process process;
    private final DataOutputStream requests;
    private final DataInputStream responses;
    private final Thread stderrDrain;
    private final Thread shutdownHook;
    private final Paillier.PublicKey publicKey;
    private boolean closed;

    /** Starts a key holder with a {@link Paillier#DEFAULT_MODULUS_BITS}-bit key (takes a few seconds). */
    public static KeyHolderClient spawn() {
        return start(List.of(), Paillier.DEFAULT_MODULUS_BITS);
    }

    /** Starts a key holder with a {@code modulusBits}-bit key, at least {@link Paillier#MIN_MODULUS_BITS}. */
    public static KeyHolderClient spawn(int modulusBits) {
        if (modulusBits < Paillier.MIN_MODULUS_BITS) {
            throw new IllegalArgumentException("modulusBits must be >= " + Paillier.MIN_MODULUS_BITS + ", got "
                    + modulusBits);
        }
        return start(List.of(KeyHolder.MODULUS_BITS_FLAG, Integer.toString(modulusBits)), modulusBits);
    }

    /** <b>INSECURE. FOR TESTS ONLY.</b> Starts a key holder with a small key anyone can factor. */
    public static KeyHolderClient spawnInsecureForTests(int modulusBits) {
        return start(List.of(KeyHolder.INSECURE_TEST_BITS_FLAG, Integer.toString(modulusBits)), modulusBits);
    }

    private static KeyHolderClient start(List<String> holderArgs, int expectedBits) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+DisableAttachMechanism");
        command.add("-cp");
        command.add(classPath());
        command.add(KeyHolder.class.getName());
        command.addAll(holderArgs);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the key holder: " + e.getMessage(), e);
        }
        try {
            return new KeyHolderClient(process, expectedBits);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private KeyHolderClient(Process process, int expectedBits) {
        this.process = process;
        this.requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
        this.responses = new DataInputStream(new BufferedInputStream(process.getInputStream()));
        this.stderrDrain = new Thread(this::drainStderr, "dpspark-key-holder-stderr-" + process.pid());
        stderrDrain.setDaemon(true);
        stderrDrain.start();
        this.shutdownHook = new Thread(process::destroy, "dpspark-key-holder-shutdown-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Paillier.PublicKey key;
        try {
            key = Paillier.PublicKey.decode(body(exchange(new byte[] {PUBLIC_KEY}, "PUBLIC_KEY")));
        } catch (IllegalArgumentException e) {
            close();
            throw new IllegalStateException("the key holder sent a malformed public key: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (key.bits() != expectedBits) {
            close();
            throw new IllegalStateException("the key holder's key has " + key.bits() + " bits, not " + expectedBits);
        }
        this.publicKey = key;
        LOG.info("key holder started (pid {}, {}-bit Paillier key)", process.pid(), key.bits());
    }

    /** The key holder's public key, fetched once at start. */
    public Paillier.PublicKey publicKey() {
        return publicKey;
    }

    /**
     * Decrypts one step's total: the key holder answers at most one request per step, for strictly increasing
     * steps.
     *
     * @throws IllegalStateException with the key holder's message if it refuses (e.g. a step already decrypted, a
     *                               ciphertext outside {@code Z*_(N^2)}), or if it is gone
     */
    public synchronized BigInteger[] decrypt(long step, BigInteger[] ciphertexts) {
        Objects.requireNonNull(ciphertexts, "ciphertexts");
        if (ciphertexts.length < 1 || ciphertexts.length > KeyHolderProtocol.MAX_COUNT) {
            throw new IllegalArgumentException("between 1 and " + KeyHolderProtocol.MAX_COUNT
                    + " ciphertexts per request, got " + ciphertexts.length);
        }
        for (int i = 0; i < ciphertexts.length; i++) {
            Objects.requireNonNull(ciphertexts[i], "ciphertexts[" + i + "]");
            if (ciphertexts[i].signum() < 0) {
                throw new IllegalArgumentException("ciphertexts[" + i + "] is negative");
            }
        }
        byte[] request = KeyHolderProtocol.frame(DECRYPT, out -> {
            out.writeLong(step);
            out.writeInt(ciphertexts.length);
            for (BigInteger c : ciphertexts) {
                KeyHolderProtocol.writeInteger(out, c);
            }
        });
        if (request.length > KeyHolderProtocol.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a DECRYPT request of " + request.length + " bytes is larger than "
                    + KeyHolderProtocol.MAX_FRAME_BYTES);
        }
        byte[] response = exchange(request, "DECRYPT");
        try (DataInputStream body = KeyHolderProtocol.body(response)) {
            int count = KeyHolderProtocol.readCount(body);
            if (count != ciphertexts.length) {
                throw new IllegalStateException("the key holder answered " + count + " plaintexts for "
                        + ciphertexts.length + " ciphertexts");
            }
            BigInteger[] plaintexts = new BigInteger[count];
            for (int i = 0; i < count; i++) {
                plaintexts[i] = KeyHolderProtocol.readInteger(body);
            }
            return plaintexts;
        } catch (IOException e) {
            throw new IllegalStateException("the key holder's DECRYPT response is malformed: " + e.getMessage(), e);
        }
    }

    /** Sends CLOSE and waits for the key holder to exit, destroying it after {@link #CLOSE_TIMEOUT_MILLIS}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            KeyHolderProtocol.writeFrame(requests, new byte[] {CLOSE});
            requests.close();
        } catch (IOException e) {
            // the key holder is already gone
        }
        try {
            if (!process.waitFor(CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("the key holder (pid {}) did not exit within {} ms of CLOSE: destroying it", process.pid(),
                        CLOSE_TIMEOUT_MILLIS);
                process.destroyForcibly().waitFor(CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
            stderrDrain.join(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        try {
            responses.close();
        } catch (IOException e) {
            // nothing left to read
        }
    }

    /** The child process, for tests. */
    Process process() {
        return process;
    }

    private byte[] exchange(byte[] request, String what) {
        if (closed) {
            throw new IllegalStateException("the key holder client is closed");
        }
        byte[] response;
        try {
            KeyHolderProtocol.writeFrame(requests, request);
            response = KeyHolderProtocol.readFrame(responses);
        } catch (EOFException e) {
            throw new IllegalStateException("the key holder exited before answering " + what + exitStatus(), e);
        } catch (IOException e) {
            throw new IllegalStateException("the key holder failed during " + what + exitStatus() + ": "
                    + e.getMessage(), e);
        }
        if (response[0] == ERROR) {
            try (DataInputStream body = KeyHolderProtocol.body(response)) {
                throw new IllegalStateException(body.readUTF());
            } catch (IOException e) {
                throw new IllegalStateException("the key holder refused " + what + " (unreadable message)", e);
            }
        }
        if (response[0] != OK) {
            throw new IllegalStateException("the key holder answered " + what + " with an unknown kind "
                    + response[0]);
        }
        return response;
    }

    private static byte[] body(byte[] response) {
        return Arrays.copyOfRange(response, 1, response.length);
    }

    private String exitStatus() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private void drainStderr() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                LOG.info("{}", line);
            }
        } catch (IOException e) {
            // the key holder is gone
        }
    }

    /** dpspark's own class locations (dp-core and spark-jobs), or {@code java.class.path} if one is unknown. */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(KeyHolder.class, Paillier.class)) {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            try {
                if (source == null || source.getLocation() == null) {
                    return System.getProperty("java.class.path");
                }
                entries.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException | RuntimeException e) {
                return System.getProperty("java.class.path");
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
