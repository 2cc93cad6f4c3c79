package org.dpspark.datasets.prepare;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;

/**
 * Where the pseudonym key of {@code dp-prepare} comes from: a key file, an environment variable, or a Hadoop
 * credential provider. Never a command-line value: arguments show up in {@code ps}, shell histories, Spark's
 * event log and YARN's application reports.
 *
 * <p>The secret is text: its UTF-8 bytes are the HMAC key ({@link Pseudonymizer}), after trailing {@code \r} and
 * {@code \n} characters are removed, so the same secret gives the same pseudonyms (and the same
 * {@link Pseudonymizer#keyId()}) whichever of the three sources holds it. Generate one with
 * <pre>{@code openssl rand -base64 48 > key && chmod 600 key}</pre>
 * (64 characters, 288 random bits). A secret shorter than {@value Pseudonymizer#MIN_KEY_BYTES} bytes is refused:
 * RFC 2104 section 3 advises keys no shorter than the hash output (32 bytes for SHA-256).
 *
 * <p>Messages name the source (the file, the variable, the alias and provider path) and at most the key's length,
 * never its bytes.
 */
public final class PseudonymKey {

    /** The credential alias {@code dp-prepare} reads by default. */
    public static final String DEFAULT_ALIAS = "dpspark.pseudonym.key";

    /** Largest key file read (a key is a line of text; anything bigger is not a key file). */
    static final int MAX_KEY_FILE_BYTES = 64 * 1024;

    /** File systems whose permissions mean something (object stores report fixed, made-up permissions). */
    private static final Set<String> PERMISSION_SCHEMES = Set.of("hdfs", "viewfs", "webhdfs", "swebhdfs");

    private PseudonymKey() {
    }

    /**
     * The key in a file: a local path (or {@code file:} URI), or any Hadoop path ({@code hdfs://...}). A local file,
     * or a file on HDFS, that its group or others may read or write is refused: the key must be owner-only
     * ({@code chmod 600}). Local files on a file system without POSIX permissions, and object stores (whose access
     * is governed by IAM policies, not by the permissions they report), are not checked.
     *
     * @throws IllegalArgumentException naming the file if it is missing, not owner-only, not UTF-8 text, larger
     *     than 64 KiB, or its secret is shorter than 32 bytes
     */
    public static Pseudonymizer fromFile(String path, Configuration conf) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("key file path must be non-blank");
        }
        String source = "key file " + path;
        URI uri = new Path(path).toUri();
        byte[] bytes;
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            bytes = readLocal(uri.getScheme() == null ? Paths.get(path) : Paths.get(uri), path);
        } else {
            bytes = readHadoop(new Path(path), conf == null ? new Configuration() : conf, path);
        }
        try {
            return of(source, decode(bytes, source));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * The key in the environment variable {@code variable} of {@code env} (the CLI passes {@code System.getenv()}).
     *
     * @throws IllegalArgumentException naming the variable if it is unset or empty, or its secret is shorter than
     *     32 bytes
     */
    public static Pseudonymizer fromEnv(String variable, Map<String, String> env) {
        if (variable == null || variable.isBlank()) {
            throw new IllegalArgumentException("environment variable name must be non-blank");
        }
        String value = env == null ? null : env.get(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + variable + " is not set or empty: it"
                    + " must hold the pseudonym key");
        }
        return of("environment variable " + variable, value);
    }

    /**
     * The key stored under {@code alias} in the credential providers configured in
     * {@value CredentialProviderFactory#CREDENTIAL_PROVIDER_PATH} (e.g. {@code jceks://file/etc/dpspark/keys.jceks};
     * create it with {@code hadoop credential create dpspark.pseudonym.key -provider jceks://file/...}). Only the
     * providers are consulted: unlike {@link Configuration#getPassword}, a configuration property named like the
     * alias is never used as the key (that would be a clear-text, command-line settable key).
     *
     * @throws IllegalArgumentException naming the alias and the provider path if no provider is configured or none
     *     holds the alias, or if the secret is shorter than 32 bytes
     */
    public static Pseudonymizer fromCredentialProvider(Configuration conf, String alias) {
        if (alias == null || alias.isBlank()) {
            throw new IllegalArgumentException("credential alias must be non-blank");
        }
        Configuration c = conf == null ? new Configuration() : conf;
        String providerPath = c.getTrimmed(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH);
        if (providerPath == null || providerPath.isEmpty()) {
            throw new IllegalArgumentException("credential alias '" + alias + "': no credential provider configured ("
                    + CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH + " is not set)");
        }
        String source = "credential alias '" + alias + "' in " + providerPath;
        List<CredentialProvider> providers;
        try {
            providers = CredentialProviderFactory.getProviders(c);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open credential providers " + providerPath + " for alias '"
                    + alias + "': " + oneLine(e.getMessage()));
        }
        for (CredentialProvider p : providers) {
            CredentialProvider.CredentialEntry entry;
            try {
                entry = p.getCredentialEntry(alias);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + source + ": " + oneLine(e.getMessage()));
            }
            if (entry != null && entry.getCredential() != null) {
                char[] chars = entry.getCredential();
                try {
                    return of(source, new String(chars));
                } finally {
                    Arrays.fill(chars, '\0');
                }
            }
        }
        throw new IllegalArgumentException("credential alias '" + alias + "' not found in the credential providers "
                + providerPath);
    }

    /** The pseudonymizer of {@code secret} (trailing line breaks removed), refusing a short key. */
    private static Pseudonymizer of(String source, String secret) {
        int end = secret.length();
        while (end > 0 && (secret.charAt(end - 1) == '\n' || secret.charAt(end - 1) == '\r')) {
            end--;
        }
        byte[] key = secret.substring(0, end).getBytes(StandardCharsets.UTF_8);
        try {
            if (key.length < Pseudonymizer.MIN_KEY_BYTES) {
                throw new IllegalArgumentException(source + ": the pseudonym key is " + key.length + " bytes, it must"
                        + " be at least " + Pseudonymizer.MIN_KEY_BYTES + " (generate one with: openssl rand -base64"
                        + " 48)");
            }
            return Pseudonymizer.of(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] readLocal(java.nio.file.Path file, String shown) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("key file " + shown + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("key file " + shown + " is not a regular file");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, new LinkOption[0]);
            checkMode(shown, PosixMode.of(perms));
        } catch (UnsupportedOperationException e) {
            // No POSIX permissions on this file system (e.g. Windows): nothing to check.
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the permissions of key file " + shown + ": "
                    + oneLine(e.getMessage()));
        }
        try {
            if (Files.size(file) > MAX_KEY_FILE_BYTES) {
                throw new IllegalArgumentException("key file " + shown + " is larger than " + MAX_KEY_FILE_BYTES
                        + " bytes: not a key file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("key file " + shown + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + shown + ": " + oneLine(e.getMessage()));
        }
    }

    private static byte[] readHadoop(Path path, Configuration conf, String shown) {
        try {
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status;
            try {
                status = fs.getFileStatus(path);
            } catch (java.io.FileNotFoundException e) {
                throw new IllegalArgumentException("key file " + shown + " does not exist");
            }
            if (!status.isFile()) {
                throw new IllegalArgumentException("key file " + shown + " is not a regular file");
            }
            if (PERMISSION_SCHEMES.contains(fs.getUri().getScheme())) {
                FsPermission p = status.getPermission();
                checkMode(shown, PosixMode.of(p));
            }
            if (status.getLen() > MAX_KEY_FILE_BYTES) {
                throw new IllegalArgumentException("key file " + shown + " is larger than " + MAX_KEY_FILE_BYTES
                        + " bytes: not a key file");
            }
            try (InputStream in = fs.open(path)) {
                return in.readNBytes(MAX_KEY_FILE_BYTES + 1);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + shown + ": " + oneLine(e.getMessage()));
        }
    }

    /** Permission bits of a file, as {@code chmod} shows them. */
    private record PosixMode(int bits) {
        static PosixMode of(Set<PosixFilePermission> perms) {
            int b = 0;
            for (PosixFilePermission p : perms) {
                b |= switch (p) {
                    case OWNER_READ -> 0400;
                    case OWNER_WRITE -> 0200;
                    case OWNER_EXECUTE -> 0100;
                    case GROUP_READ -> 040;
                    case GROUP_WRITE -> 020;
                    case GROUP_EXECUTE -> 010;
                    case OTHERS_READ -> 04;
                    case OTHERS_WRITE -> 02;
                    case OTHERS_EXECUTE -> 01;
                };
            }
            return new PosixMode(b);
        }

        /** FsAction's ordinal is its rwx bit pattern (NONE = 0, ..., ALL = 7). */
        static PosixMode of(FsPermission p) {
            return new PosixMode(p.getUserAction().ordinal() << 6 | p.getGroupAction().ordinal() << 3
                    | p.getOtherAction().ordinal());
        }
    }

    private static void checkMode(String shown, PosixMode mode) {
        String what = null;
        int groupOther = mode.bits() & 077;
        boolean readable = (groupOther & 044) != 0;
        boolean writable = (groupOther & 022) != 0;
        if (readable && writable) {
            what = "readable and writable by " + who(mode.bits(), 060, 006);
        } else if (readable) {
            what = "readable by " + who(mode.bits(), 040, 004);
        } else if (writable) {
            what = "writable by " + who(mode.bits(), 020, 002);
        }
        if (what != null) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "key file %s is %s (mode %04o); make it"
                    + " owner-only: chmod 600 %s", shown, what, mode.bits(), shown));
        }
    }

    private static String who(int bits, int group, int others) {
        boolean g = (bits & group) != 0;
        boolean o = (bits & others) != 0;
        return g && o ? "group and others" : g ? "group" : "others";
    }

    private static String decode(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(source + " is not UTF-8 text (store the key as text, e.g. base64)");
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
