package org.dpspark.datasets.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

class PseudonymizerTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] filled(int n, int b) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return a;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return k;
    }

    private static void assertRfc4231(byte[] key, byte[] data, String expectedHex) {
        assertEquals(expectedHex, HEX.formatHex(Pseudonymizer.ofAnyLengthForTests(key).mac(data)));
    }

    @Test
    void mac_matchesRfc4231TestCase1() {
        assertRfc4231(filled(20, 0x0b), ascii("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void mac_matchesRfc4231TestCase2() {
        assertRfc4231(ascii("Jefe"), ascii("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void mac_matchesRfc4231TestCase3() {
        assertRfc4231(filled(20, 0xaa), filled(50, 0xdd),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    }

    @Test
    void mac_matchesRfc4231TestCase4() {
        byte[] key = new byte[25];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i + 1);
        }
        assertRfc4231(key, filled(50, 0xcd),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    }

    @Test
    void mac_matchesRfc4231TestCase6_keyLargerThanBlock() {
        // 131-byte key: long enough for the production factory, so test it through of() too.
        byte[] key = filled(131, 0xaa);
        byte[] data = ascii("Test Using Larger Than Block-Size Key - Hash Key First");
        String expected = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
        assertRfc4231(key, data, expected);
        assertEquals(expected, HEX.formatHex(Pseudonymizer.of(key).mac(data)));
    }

    @Test
    void mac_matchesRfc4231TestCase7_keyAndDataLargerThanBlock() {
        byte[] key = filled(131, 0xaa);
        byte[] data = ascii("This is a test using a larger than block-size key and a larger than block-size data."
                + " The key needs to be hashed before being used by the HMAC algorithm.");
        String expected = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";
        assertRfc4231(key, data, expected);
        assertEquals(expected, HEX.formatHex(Pseudonymizer.of(key).mac(data)));
    }

    @Test
    void pseudonym_matchesIndependentBase32OfTruncatedHmac() {
        // Expected values from Python: base64.b32encode(hmac.new(key, v.encode(), sha256).digest()[:20]).lower()
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        Pseudonymizer p = Pseudonymizer.of(key);
        assertEquals("n3x22k7ns63nspxgmplhurfumallhv45", p.pseudonym("alice"));
        assertEquals("2ofueclnqd2f7atlisu5kyd544sjnjav", p.pseudonym(""));
        assertEquals("ptqijd7jvod2ye2oogm6yqjyeszkg2ek", p.pseudonym("Jos\u00e9 \uD83D\uDE00"));
        assertEquals("2f287b4d3d4910f6", p.keyId());
    }

    @Test
    void pseudonym_nullInNullOut() {
        assertNull(Pseudonymizer.of(key(1)).pseudonym(null));
    }

    @Test
    void pseudonym_isDeterministicAcrossInstances() {
        Pseudonymizer a = Pseudonymizer.of(key(7));
        Pseudonymizer b = Pseudonymizer.of(key(7));
        for (int i = 0; i < 1000; i++) {
            String v = "user-" + i;
            assertEquals(a.pseudonym(v), b.pseudonym(v));
            assertEquals(a.pseudonym(v), a.pseudonym(v));
        }
    }

    @Test
    void pseudonym_differentKeysGiveDisjointTokens() {
        Pseudonymizer a = Pseudonymizer.of(key(1));
        Pseudonymizer b = Pseudonymizer.of(key(2));
        Set<String> ta = new HashSet<>();
        Set<String> tb = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String v = Integer.toString(i);
            ta.add(a.pseudonym(v));
            tb.add(b.pseudonym(v));
        }
        assertEquals(10_000, ta.size());
        assertEquals(10_000, tb.size());
        ta.retainAll(tb);
        assertTrue(ta.isEmpty(), "tokens under different keys overlap");
    }

    @Test
    void pseudonym_hasFixedLengthAndBase32Alphabet() {
        Pseudonymizer p = Pseudonymizer.of(key(3));
        for (int i = 0; i < 2000; i++) {
            String t = p.pseudonym("x".repeat(i % 50) + i);
            assertEquals(Pseudonymizer.TOKEN_LENGTH, t.length());
            assertEquals(32, t.length());
            assertTrue(t.matches("[a-z2-7]{32}"), t);
        }
    }

    @Test
    void of_refusesShortKeyWithoutShowingIt() {
        byte[] shortKey = ascii("secret-key-0123456789abcdef");
        assertEquals(27, shortKey.length);
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Pseudonymizer.of(shortKey));
        assertEquals(List.of("pseudonymKey"), e.parameters());
        assertEquals("pseudonymKey must be at least 32 bytes, got 27 bytes", e.getMessage());
        assertFalse(e.getMessage().contains("secret"));
        assertFalse(e.getMessage().contains(HEX.formatHex(shortKey)));
        assertFalse(e.getMessage().contains(Arrays.toString(shortKey)));
    }

    @Test
    void of_refusesNullKey() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Pseudonymizer.of(null));
        assertEquals(List.of("pseudonymKey"), e.parameters());
    }

    @Test
    void of_copiesTheKey() {
        byte[] k = key(4);
        Pseudonymizer p = Pseudonymizer.of(k);
        String before = p.pseudonym("v");
        Arrays.fill(k, (byte) 0);
        assertEquals(before, p.pseudonym("v"));
    }

    @Test
    void keyId_isStableAndDiffersBetweenKeys() {
        assertEquals(Pseudonymizer.of(key(5)).keyId(), Pseudonymizer.of(key(5)).keyId());
        assertNotEquals(Pseudonymizer.of(key(5)).keyId(), Pseudonymizer.of(key(6)).keyId());
        assertTrue(Pseudonymizer.of(key(5)).keyId().matches("[0-9a-f]{16}"));
    }

    @Test
    void toString_showsOnlyTheKeyId() {
        byte[] k = key(8);
        Pseudonymizer p = Pseudonymizer.of(k);
        String s = p.toString();
        assertEquals("Pseudonymizer[keyId=" + p.keyId() + "]", s);
        assertFalse(s.contains(HEX.formatHex(k)));
        assertFalse(s.contains(HEX.formatHex(k, 0, 4)));
    }

    @Test
    void javaSerialization_roundTripsAndKeepsTokens() throws Exception {
        Pseudonymizer p = Pseudonymizer.of(key(9));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        Pseudonymizer back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (Pseudonymizer) in.readObject();
        }
        assertEquals(p.keyId(), back.keyId());
        assertEquals(p.pseudonym("carol"), back.pseudonym("carol"));
    }

    @Test
    void pseudonym_isThreadSafe() throws Exception {
        Pseudonymizer p = Pseudonymizer.of(key(10));
        String[] expected = new String[500];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = p.pseudonym("id" + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int r = 0; r < 20; r++) {
                        for (int i = 0; i < expected.length; i++) {
                            if (!expected[i].equals(p.pseudonym("id" + i))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mac_hasSha256Length() {
        assertArrayEquals(Pseudonymizer.of(key(11)).mac(new byte[0]), Pseudonymizer.of(key(11)).mac(new byte[0]));
        assertEquals(32, Pseudonymizer.of(key(11)).mac(new byte[0]).length);
    }
}
