package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.secagg.DdgParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a party's secret comes from (SecureSetup): never from the driver's job key; from the executors' secret file,
 * the same on every attempt and different per run and partition; fresh per attempt without a file; derived from the
 * test seed only on the insecure path.
 */
class SecureSetupTest {
    private static final DdgParams PARAMS = DdgParams.choose(105, 40, 4, 1, 1.0, 1.2, 30_000);

    @TempDir Path dir;

    @Test
    void secretFile_sameOnEveryAttempt_differentPerPartitionAndRun_neverTheJobKeysStream() throws IOException {
        Path file = dir.resolve("party.secret");
        byte[] secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        Files.write(file, secret);
        SecureSetup run1 = SecureSetup.create(SecureAggregation.MASKING, PARAMS, file.toString(), null);
        SecureSetup run2 = SecureSetup.create(SecureAggregation.MASKING, PARAMS, file.toString(), null);
        assertTrue(run1.stableRandomness());
        byte[] a = run1.partySecret(2, new SecureRandom());
        assertArrayEquals(a, run1.partySecret(2, new SecureRandom()), "a retried attempt derives the same secret");
        assertFalse(Arrays.equals(a, run1.partySecret(3, new SecureRandom())), "each partition has its own");
        assertFalse(Arrays.equals(a, run2.partySecret(2, new SecureRandom())), "each run (nonce) has its own");
        assertEquals(32, a.length);
        assertFalse(run1.toString().contains(file.toString()) || Arrays.toString(a).equals(run1.toString()));
    }

    @Test
    void noFile_freshSecretPerAttempt() {
        byte[] jobKey = CsprngStream.newSecretKey();
        SecureSetup s = SecureSetup.create(SecureAggregation.MASKING, PARAMS, null, null);
        assertFalse(s.stableRandomness());
        byte[] a = s.partySecret(0, new SecureRandom());
        byte[] b = s.partySecret(0, new SecureRandom());
        assertFalse(Arrays.equals(a, b), "two attempts draw two secrets");
        // Nothing the driver holds determines it: not the job key, nor the setup the driver built.
        assertFalse(Arrays.equals(a, jobKey));
    }

    @Test
    void insecureSeed_deterministic_andTheOnlyPathWithoutAFileThatIs() {
        byte[] key = InsecureTestRandomness.seededSecretKey(7L);
        SecureSetup s1 = SecureSetup.create(SecureAggregation.PAILLIER, PARAMS, null, key);
        SecureSetup s2 = SecureSetup.create(SecureAggregation.PAILLIER, PARAMS, null, key);
        assertEquals(s1.rotationSeed(), s2.rotationSeed());
        assertArrayEquals(s1.runNonce(), s2.runNonce());
        assertArrayEquals(s1.partySecret(1, null), s2.partySecret(1, null));
    }

    @Test
    void aShortOrMissingSecretFile_failsInTheTask_withoutShowingItsPath() throws IOException {
        Path shortFile = dir.resolve("short");
        Files.write(shortFile, new byte[16]);
        SecureSetup s = SecureSetup.create(SecureAggregation.MASKING, PARAMS, shortFile.toString(), null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.partySecret(0, null));
        assertTrue(e.getMessage().contains("needs at least 32 random bytes"), e.getMessage());
        SecureSetup missing = SecureSetup.create(SecureAggregation.MASKING, PARAMS, dir.resolve("none").toString(), null);
        IllegalStateException m = assertThrows(IllegalStateException.class, () -> missing.partySecret(0, null));
        assertFalse(m.getMessage().contains(dir.toString()), m.getMessage());
    }
}
