package org.dpspark.datasets.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key sources of {@code dp-prepare}: file (owner-only), environment variable, Hadoop credential provider. */
class PseudonymKeyTest {

    /** 64 characters, as {@code openssl rand -base64 48} prints. */
    private static final String SECRET = "q0Wm3v9yJ8kXz2Lr5Tb7Nc1Hd4Fg6Sa0Pe8Ui3Oy5Rt7Ew9Qn2Mj4Kh6Gf8Ds1Az";

    @TempDir
    Path tmp;

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private Path keyFile(String content, String mode) throws IOException {
        Path f = tmp.resolve("key-" + System.nanoTime());
        Files.writeString(f, content);
        if (posix()) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        }
        return f;
    }

    private static void assertSecretFree(Exception e) {
        assertFalse(e.getMessage().contains(SECRET.substring(0, 12)), "the message must not contain the key");
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void fromFile_readsTheSecretWithoutTrailingLineBreaks() throws IOException {
        Path f = keyFile(SECRET + "\r\n", "rw-------");
        assertEquals(Pseudonymizer.of(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)).keyId(),
                PseudonymKey.fromFile(f.toString(), new Configuration()).keyId());
        assertEquals(PseudonymKey.fromFile(f.toString(), new Configuration()).keyId(),
                PseudonymKey.fromFile(f.toUri().toString(), new Configuration()).keyId(), "file: URI");
        Path readOnly = keyFile(SECRET, "r--------");
        PseudonymKey.fromFile(readOnly.toString(), new Configuration());
    }

    @Test
    void fromFile_refusesAFileOthersMayReadOrWrite() throws IOException {
        assumeTrue(posix(), "POSIX permissions unsupported here");
        Path f = keyFile(SECRET, "rw-r--r--");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(f.toString(), new Configuration()));
        assertEquals("key file " + f + " is readable by group and others (mode 0644); make it owner-only: chmod 600 "
                + f, e.getMessage());
        Path others = keyFile(SECRET, "rw----r--");
        assertEquals("key file " + others + " is readable by others (mode 0604); make it owner-only: chmod 600 "
                + others, assertThrows(IllegalArgumentException.class,
                        () -> PseudonymKey.fromFile(others.toString(), new Configuration())).getMessage());
        Path group = keyFile(SECRET, "rw-rw----");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(group.toString(), new Configuration())).getMessage()
                .contains("is readable and writable by group (mode 0660)"));
        Path writable = keyFile(SECRET, "rw-----w-");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(writable.toString(), null)).getMessage()
                .contains("is writable by others (mode 0602)"));
        assertSecretFree(e);
    }

    @Test
    void fromFile_refusesAMissingFileAndAShortKey() throws IOException {
        Path missing = tmp.resolve("no-such-key");
        assertEquals("key file " + missing + " does not exist", assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(missing.toString(), new Configuration())).getMessage());
        Path shortKey = keyFile("only-31-bytes-of-key-material!!\n", "rw-------");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(shortKey.toString(), new Configuration()));
        assertTrue(e.getMessage().startsWith("key file " + shortKey + ": the pseudonym key is 31 bytes, it must be"
                + " at least 32"), e.getMessage());
        assertFalse(e.getMessage().contains("only-31"));
    }

    @Test
    void fromEnv_readsTheVariable_refusesUnsetEmptyOrShort() {
        assertEquals(Pseudonymizer.of(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)).keyId(),
                PseudonymKey.fromEnv("DP_KEY", Map.of("DP_KEY", SECRET)).keyId());
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromEnv("DP_KEY", Map.of()));
        assertTrue(unset.getMessage().contains("environment variable DP_KEY is not set"), unset.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromEnv("DP_KEY", Map.of("DP_KEY", ""))).getMessage().contains("DP_KEY"));
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromEnv("DP_KEY", Map.of("DP_KEY", SECRET.substring(0, 20))));
        assertTrue(shortKey.getMessage().startsWith("environment variable DP_KEY: the pseudonym key is 20 bytes"),
                shortKey.getMessage());
        assertSecretFree(shortKey);
    }

    private Configuration jceks(String alias, String secret) throws IOException {
        Configuration conf = new Configuration(false);
        conf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH,
                "jceks://file" + tmp.resolve("keys-" + System.nanoTime() + ".jceks").toAbsolutePath());
        CredentialProvider provider = CredentialProviderFactory.getProviders(conf).get(0);
        provider.createCredentialEntry(alias, secret.toCharArray());
        provider.flush();
        return conf;
    }

    @Test
    void fromCredentialProvider_readsAJceksStore() throws IOException {
        Configuration conf = jceks(PseudonymKey.DEFAULT_ALIAS, SECRET);
        assertEquals(Pseudonymizer.of(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)).keyId(),
                PseudonymKey.fromCredentialProvider(conf, PseudonymKey.DEFAULT_ALIAS).keyId());
        String path = conf.get(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH);
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromCredentialProvider(conf, "other.alias"));
        assertEquals("credential alias 'other.alias' not found in the credential providers " + path,
                absent.getMessage());
    }

    @Test
    void fromCredentialProvider_refusesNoProviderAndNeverFallsBackToAPlainProperty() {
        Configuration conf = new Configuration(false);
        conf.set(PseudonymKey.DEFAULT_ALIAS, SECRET); // a clear-text property is not a credential store
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromCredentialProvider(conf, PseudonymKey.DEFAULT_ALIAS));
        assertEquals("credential alias 'dpspark.pseudonym.key': no credential provider configured"
                + " (hadoop.security.credential.provider.path is not set)", e.getMessage());
        assertSecretFree(e);
    }

    @Test
    void fromCredentialProvider_refusesAShortKey() throws IOException {
        Configuration conf = jceks("short", "too short");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromCredentialProvider(conf, "short"));
        assertTrue(e.getMessage().contains("the pseudonym key is 9 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("too short"));
    }

    @Test
    void theSameSecretFromEverySourceGivesTheSameKey() throws IOException {
        String fromFile = PseudonymKey.fromFile(keyFile(SECRET + "\n", "rw-------").toString(), new Configuration())
                .keyId();
        String fromEnv = PseudonymKey.fromEnv("K", Map.of("K", SECRET)).keyId();
        String fromStore = PseudonymKey.fromCredentialProvider(jceks("k", SECRET), "k").keyId();
        assertEquals(fromFile, fromEnv);
        assertEquals(fromFile, fromStore);
        String other = PseudonymKey.fromEnv("K", Map.of("K", SECRET + "x")).keyId();
        assertFalse(other.equals(fromFile));
        assertFalse(PseudonymKey.fromEnv("K", Map.of("K", SECRET)).toString().contains(SECRET));
    }
}
