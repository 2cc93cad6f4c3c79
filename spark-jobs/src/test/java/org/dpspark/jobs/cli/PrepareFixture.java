package org.dpspark.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A small raw customer table with direct identifiers (name, e-mail, phone, card), quasi-identifiers (age, ZIP, signup
 * date) and transactions, its feature spec with an identifiers section, and pseudonym keys; for the dp-prepare tests.
 * Public synthetic data from a fixed seed (test fixture only).
 */
final class PrepareFixture {
    private PrepareFixture() {}

    static final String HEADER = "customer_id,name,email,phone,age,zip,signup_date,card,amount,notes,label";

    /** The age band labels of age_bands(width 10, min 18, max 98). */
    static final List<String> BANDS = List.of("[18, 28)", "[28, 38)", "[38, 48)", "[48, 58)", "[58, 68)", "[68, 78)",
            "[78, 88)", "[88, 98)");

    /** The spec: the prepared table trains with user-level DP; the identifiers section says how to prepare it. */
    static String spec() {
        return """
                {"format_version":1,"name":"customers","label":{"column":"label"},"user":{"column":"customer_id"},
                 "features":[{"column":"amount","encoding":"log1p","min":0,"max":10000},
                             {"column":"age","encoding":"onehot","vocabulary":%s}],
                 "identifiers":{"drop":["name","phone"],"pseudonymize":["customer_id"],
                   "mask":[{"column":"email","method":"email"},{"column":"card","method":"keep_last","keep":4}],
                   "generalize":[{"column":"age","method":"age_bands","width":10,"min":18,"max":98},
                                 {"column":"zip","method":"zip_prefix","digits":3},
                                 {"column":"signup_date","method":"date","unit":"year"}],
                   "quasi_identifiers":["age","zip","signup_date"]}}
                """.formatted(json(BANDS));
    }

    private static String json(List<String> l) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(l.get(i)).append('"');
        }
        return sb.append(']').toString();
    }

    /** One raw customer. */
    record Customer(String id, String name, String email, String phone, int age, String zip, String signup,
                    String card) {}

    /** Customers {@code from} .. {@code to - 1} (deterministic per index, so two tables share customers). */
    static List<Customer> customers(int from, int to) {
        List<Customer> out = new ArrayList<>();
        String[] first = {"Alice", "Bruno", "Chiara", "Dmitri", "Eun-ji", "Farah", "Goran", "Hana"};
        String[] last = {"Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski"};
        for (int i = from; i < to; i++) {
            SplittableRandom r = new SplittableRandom(1000L + i);
            String name = first[r.nextInt(first.length)] + " " + last[r.nextInt(last.length)] + " Q" + i;
            String email = name.toLowerCase(Locale.ROOT).replace(' ', '.') + "@mail" + (i % 3) + ".example.org";
            out.add(new Customer(String.format(Locale.ROOT, "CUST%07d", 4_000_000 + i), name, email,
                    String.format(Locale.ROOT, "+1-555-%07d", 1_000_000 + i), 18 + r.nextInt(70),
                    String.format(Locale.ROOT, "%03d%02d", 100 + r.nextInt(4), r.nextInt(100)),
                    String.format(Locale.ROOT, "%04d-%02d-%02d", 2015 + r.nextInt(3), 1 + r.nextInt(12),
                            1 + r.nextInt(28)),
                    String.format(Locale.ROOT, "4%015d", 100_000_000_000L + i * 7919L)));
        }
        return out;
    }

    /** The CSV lines (header first) of {@code customers}, 1-3 transactions each; {@code tableSeed} varies amounts. */
    static List<String> lines(List<Customer> customers, long tableSeed) {
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (Customer c : customers) {
            SplittableRandom r = new SplittableRandom(tableSeed * 7_777 + c.id().hashCode());
            int n = 1 + r.nextInt(3);
            for (int t = 0; t < n; t++) {
                double amount = Math.exp(3 + r.nextGaussian());
                int label = r.nextDouble() < 1 / (1 + Math.exp(-(c.age() - 50) / 10.0)) ? 1 : 0;
                lines.add(String.join(",", c.id(), c.name(), c.email(), c.phone(), Integer.toString(c.age()),
                        c.zip(), c.signup(), c.card(), String.format(Locale.ROOT, "%.2f", amount),
                        "called " + c.name() + " at " + c.phone(), Integer.toString(label)));
            }
        }
        return lines;
    }

    static Path writeCsv(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return file;
    }

    /** A fresh secret of 64 base64 characters (48 random bytes), as {@code openssl rand -base64 48} makes. */
    static String newSecret(long seed) {
        byte[] b = new byte[48];
        new SplittableRandom(seed).nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Writes {@code secret} to an owner-only key file. */
    static Path keyFile(Path file, String secret) throws IOException {
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE));
        return file;
    }

    /** Every raw direct identifier of {@code customers}: ids, names, e-mails, phones and card numbers. */
    static List<String> rawIdentifiers(List<Customer> customers) {
        List<String> out = new ArrayList<>();
        for (Customer c : customers) {
            out.addAll(List.of(c.id(), c.name(), c.email(), c.phone(), c.card()));
        }
        return out;
    }
}
