package org.dpspark.jobs.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.dpspark.core.he.PackedEncoding;
import org.dpspark.core.he.Paillier;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class KeyHolderTest {

    private static final int PARTIES = 3;
    private static final int LENGTH = 100;

    /** The real process, as the driver uses it: public key, one total per step, refusal of a second, close. */
    @Test
    void keyHolderProcess_decryptsOnlyOneTotalPerStep() {
        KeyHolderClient client = KeyHolderClient.spawnInsecureForTests(1024);
        try {
            Paillier.PublicKey pub = client.publicKey();
            assertEquals(1024, pub.bits());
            PackedEncoding encoding = new PackedEncoding(pub, 30, PARTIES);
            assertTrue(encoding.ciphertextsFor(LENGTH) > 1);

            SplittableRandom random = new SplittableRandom(3);
            RandomSource rng = CsprngStream.fromSecureRandom();
            long[] expected = new long[LENGTH];
            BigInteger[] total = null;
            for (int party = 0; party < PARTIES; party++) {
                long[] vector = new long[LENGTH];
                for (int i = 0; i < LENGTH; i++) {
                    vector[i] = random.nextLong(-encoding.maxMagnitude(), encoding.maxMagnitude() + 1);
                    expected[i] += vector[i];
                }
                BigInteger[] plaintexts = encoding.pack(vector);
                BigInteger[] ciphertexts = new BigInteger[plaintexts.length];
                for (int k = 0; k < plaintexts.length; k++) {
                    ciphertexts[k] = Paillier.encrypt(pub, plaintexts[k], rng);
                }
                if (total == null) {
                    total = ciphertexts;
                } else {
                    for (int k = 0; k < total.length; k++) {
                        total[k] = Paillier.add(pub, total[k], ciphertexts[k]);
                    }
                }
            }
            BigInteger[] stepTotal = total;
            assertArrayEquals(expected, encoding.unpackSum(client.decrypt(1, stepTotal), LENGTH));

            IllegalStateException again = assertThrows(IllegalStateException.class,
                    () -> client.decrypt(1, stepTotal));
            assertEquals("DECRYPT refused for step 1: step 1 was already decrypted; the key holder decrypts one"
                    + " total per step, and steps must increase", again.getMessage());
            assertThrows(IllegalStateException.class, () -> client.decrypt(0, stepTotal));
            assertArrayEquals(expected, encoding.unpackSum(client.decrypt(2, stepTotal), LENGTH));
        } finally {
            client.close();
        }
        assertFalse(client.process().isAlive());
        assertEquals(0, client.process().exitValue());
        assertThrows(IllegalStateException.class, () -> client.decrypt(3, new BigInteger[] {BigInteger.ONE}));
    }

    @Test
    void aChildThatCannotStart_isReportedWithItsExitCode() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KeyHolderClient.spawnInsecureForTests(15));
        assertEquals("the key holder exited before answering PUBLIC_KEY (exit code 2)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyHolderClient.spawn(1024));
    }

    // The protocol, in this JVM (no process): malformed requests, invalid ciphertexts, end of input.

    private static final Paillier.KeyPair KEYS = Paillier.generateInsecureForTests(256, new SecureRandom());

    private static byte[] request(byte kind, KeyHolderProtocol.BodyWriter body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        KeyHolderProtocol.writeFrame(new DataOutputStream(bytes), KeyHolderProtocol.frame(kind, body));
        return bytes.toByteArray();
    }

    private static byte[] decryptRequest(long step, BigInteger... ciphertexts) throws IOException {
        return request(KeyHolderProtocol.DECRYPT, out -> {
            out.writeLong(step);
            out.writeInt(ciphertexts.length);
            for (BigInteger c : ciphertexts) {
                KeyHolderProtocol.writeInteger(out, c);
            }
        });
    }

    /** Serves the concatenated requests; returns the exit code and the responses. */
    private static List<byte[]> serve(int[] exitCode, byte[]... requests) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (byte[] r : requests) {
            in.write(r);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exitCode[0] = new KeyHolder(KEYS).serve(new ByteArrayInputStream(in.toByteArray()), out);
        DataInputStream responses = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
        List<byte[]> frames = new ArrayList<>();
        while (responses.available() > 0) {
            frames.add(KeyHolderProtocol.readFrame(responses));
        }
        return frames;
    }

    private static String errorMessage(byte[] frame) throws IOException {
        assertEquals(KeyHolderProtocol.ERROR, frame[0]);
        return KeyHolderProtocol.body(frame).readUTF();
    }

    @Test
    void serve_answersWellFormedRequests_andRefusesTheRest() throws IOException {
        Paillier.PublicKey pub = KEYS.publicKey();
        BigInteger c = Paillier.encrypt(pub, BigInteger.valueOf(12345), CsprngStream.fromSecureRandom());
        int[] exit = new int[1];
        List<byte[]> responses = serve(exit,
                request(KeyHolderProtocol.PUBLIC_KEY, out -> { }),
                request((byte) 9, out -> { }),
                request(KeyHolderProtocol.DECRYPT, out -> out.writeLong(1)),            // truncated
                decryptRequest(5, BigInteger.ZERO),                                        // not a ciphertext
                decryptRequest(5, c),                                                      // step used up
                decryptRequest(6, c, c),
                request(KeyHolderProtocol.CLOSE, out -> { }),
                decryptRequest(7, c));                                                     // after CLOSE: unread
        assertEquals(0, exit[0]);
        assertEquals(6, responses.size());
        assertEquals(KeyHolderProtocol.OK, responses.get(0)[0]);
        byte[] encoded = Arrays.copyOfRange(responses.get(0), 1, responses.get(0).length);
        assertEquals(pub, Paillier.PublicKey.decode(encoded));
        assertEquals("unknown request (kind 9, 1 bytes)", errorMessage(responses.get(1)));
        assertEquals("malformed DECRYPT request: truncated", errorMessage(responses.get(2)));
        assertEquals("DECRYPT refused for step 5: not a Paillier ciphertext: gcd(c, N) != 1",
                errorMessage(responses.get(3)));
        assertTrue(errorMessage(responses.get(4)).startsWith("DECRYPT refused for step 5: step 5 was already"));
        DataInputStream ok = KeyHolderProtocol.body(responses.get(5));
        assertEquals(KeyHolderProtocol.OK, responses.get(5)[0]);
        assertEquals(2, ok.readInt());
        assertEquals(BigInteger.valueOf(12345), KeyHolderProtocol.readInteger(ok));
        assertEquals(BigInteger.valueOf(12345), KeyHolderProtocol.readInteger(ok));
    }

    @Test
    void serve_exitsAtTheEndOfInput_andOnABrokenFrame() throws IOException {
        int[] exit = new int[1];
        assertTrue(serve(exit).isEmpty());
        assertEquals(0, exit[0]);

        List<byte[]> responses = serve(exit, new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertEquals(KeyHolder.EXIT_USAGE, exit[0]);
        assertEquals(1, responses.size());
        assertTrue(errorMessage(responses.get(0)).startsWith("a frame's length must be in [1, "));
    }
}
