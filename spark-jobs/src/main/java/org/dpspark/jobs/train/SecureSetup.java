package org.dpspark.jobs.train;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Objects;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.secagg.DdgParams;

/**
 * The public setup of a run's secure aggregation (masking or paillier), shipped to the barrier tasks: the encoding's
 * parameters, the rotation's public seed, a public per-run nonce, and where each party's secret randomness comes
 * from. It holds no secret of a party: see {@link #partySecret}.
 *
 * <p><b>Party randomness.</b> A party's Poisson sample, stochastic rounding, discrete Gaussian share and (paillier)
 * encryption randomness all derive from its party secret, never from the driver's job key, which the driver
 * knows: the driver must learn neither the noise shares nor which units were sampled. The secret is
 * <ul>
 *   <li>with a party secret file (a file on the executors, e.g. a Kubernetes secret mounted on executor pods only):
 *       SHA-256(tag, file bytes, run nonce, partition), the same on every attempt, so a retried task sends exactly
 *       the same share;</li>
 *   <li>otherwise: 32 fresh bytes from {@link SecureRandom} in the task, per stage attempt. A retried attempt then
 *       draws afresh. That is safe when no party colludes (t = 0): an attempt that lost a party never completes a
 *       sum the driver can unmask, and its messages are jointly uniform. With t &gt; 0 colluders could unmask a lost
 *       attempt's honest sum and see the step twice, so the driver then fails the run instead of retrying the step
 *       (see {@link BarrierStepRunner});</li>
 *   <li>on the explicitly insecure test path: derived from the test seed, so retries and reruns are bit-identical.</li>
 * </ul>
 *
 * @param mode masking or paillier
 * @param params the encoding (scale, bits, noise share), from the privacy plan
 * @param rotationSeed the randomized Hadamard rotation's public seed
 * @param runNonce 16 public random bytes of this run (binds pair keys and file-derived secrets to the run)
 * @param partySecretFile the executors' secret file, or null
 * @param insecureSeedKey the test seed's key on the insecure path, else null
 */
public record SecureSetup(SecureAggregation mode, DdgParams params, long rotationSeed, byte[] runNonce,
        String partySecretFile, byte[] insecureSeedKey) implements Serializable {
    private static final String PARTY_TAG = "dpspark/secagg/party/v1";

    public SecureSetup {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(runNonce, "runNonce");
        if (!mode.distributed()) {
            throw new IllegalArgumentException("secure setup for mode " + mode);
        }
    }

    /** A run's setup: fresh rotation seed and nonce, or derived from the insecure test seed's key. */
    static SecureSetup create(SecureAggregation mode, DdgParams params, String partySecretFile, byte[] insecureSeedKey) {
        long rotation;
        byte[] nonce = new byte[16];
        if (insecureSeedKey != null) {
            CsprngStream s = CsprngStream.derive(insecureSeedKey, 0x5EC_A66L);
            rotation = s.nextLong();
            ByteBuffer.wrap(nonce).putLong(s.nextLong()).putLong(s.nextLong());
        } else {
            SecureRandom r = new SecureRandom();
            rotation = r.nextLong();
            r.nextBytes(nonce);
        }
        return new SecureSetup(mode, params, rotation, nonce, partySecretFile, insecureSeedKey);
    }

    /** Whether a retried attempt redraws exactly the same shares (a party secret file, or the insecure test path). */
    public boolean stableRandomness() {
        return partySecretFile != null || insecureSeedKey != null;
    }

    /**
     * Party {@code partition}'s 32-byte secret, computed in the task (see the class comment). {@code fresh} is
     * the task's SecureRandom, used only without a file or test seed.
     */
    byte[] partySecret(int partition, SecureRandom fresh) {
        if (insecureSeedKey != null) {
            return digest(insecureSeedKey, partition);
        }
        if (partySecretFile != null) {
            byte[] file;
            try {
                file = Files.readAllBytes(Path.of(partySecretFile));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the party secret file on this executor ("
                        + e.getClass().getSimpleName() + ")");
            }
            if (file.length < 32) {
                throw new IllegalStateException("the party secret file holds " + file.length
                        + " bytes; it needs at least 32 random bytes");
            }
            try {
                return digest(file, partition);
            } finally {
                java.util.Arrays.fill(file, (byte) 0);
            }
        }
        byte[] b = new byte[32];
        fresh.nextBytes(b);
        return b;
    }

    private byte[] digest(byte[] secret, int partition) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(PARTY_TAG.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(ByteBuffer.allocate(4).putInt(secret.length).array());
            sha.update(secret);
            sha.update(runNonce);
            sha.update(ByteBuffer.allocate(4).putInt(partition).array());
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The pair keys' context: run nonce, stage attempt, and the two parties in increasing order. */
    byte[] pairContext(int attempt, int a, int b) {
        return ByteBuffer.allocate(runNonce.length + 12).put(runNonce).putInt(attempt).putInt(Math.min(a, b))
                .putInt(Math.max(a, b)).array();
    }

    @Override
    public String toString() {
        return "SecureSetup[" + mode.jsonName() + ", n=" + params.parties() + ", t=" + params.colluding() + ", b="
                + params.bits() + ", file=" + (partySecretFile != null) + "]";
    }
}
