package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.ledger.DatasetLocations;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.datasets.prepare.Generalization;
import org.dpspark.datasets.prepare.KAnonymity;
import org.dpspark.datasets.prepare.Pseudonymizer;
import org.dpspark.jobs.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-prepare in process on local[2]: the prepared copy holds no raw identifier, its pseudonyms are the keyed HMACs of
 * the raw ids (same key, same pseudonyms across runs and tables; another key, disjoint ones), k-anonymity suppression
 * matches a brute-force count, the copy trains with user-level DP on the source's budget, and bad input is refused
 * with one line, exit 2, no output and an untouched ledger.
 */
class DpPrepareCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration CONF = new Configuration();
    private static final String SECRET = PrepareFixture.newSecret(1);
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpPrepareCliTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static CliRun prepare(String... args) {
        return prepare(Map.of(), args);
    }

    private static CliRun prepare(Map<String, String> env, String... args) {
        return CliRun.capture(a -> DpPrepare.run(env, a), args);
    }

    private Path spec() throws IOException {
        Path p = dir.resolve("customers.json");
        Files.writeString(p, PrepareFixture.spec());
        return p;
    }

    private List<String> base(Path csv, String output, String... more) throws IOException {
        List<String> a = new ArrayList<>(List.of("--input", csv.toString(), "--format", "csv", "--spec",
                spec().toString(), "--output", dir.resolve(output).toString()));
        a.addAll(Arrays.asList(more));
        return a;
    }

    private static String[] arr(List<String> l) {
        return l.toArray(String[]::new);
    }

    private static List<Row> rows(Path output) {
        return spark.read().parquet(output.toString()).collectAsList();
    }

    private static Set<String> column(Path output, String col) {
        return spark.read().parquet(output.toString()).select(col).collectAsList().stream()
                .map(r -> r.getString(0)).collect(Collectors.toSet());
    }

    @Test
    void preparesACopyWithoutIdentifiers_linkedToTheSourcesBudget() throws IOException {
        List<PrepareFixture.Customer> customers = PrepareFixture.customers(0, 300);
        List<String> lines = PrepareFixture.lines(customers, 1);
        Path csv = PrepareFixture.writeCsv(dir.resolve("raw/customers.csv"), lines);
        Path key = PrepareFixture.keyFile(dir.resolve("key"), SECRET);
        String ledger = dir.resolve("ledger").toString();
        CliRun init = CliRun.capture(DpLedger::run, "init", "--ledger", ledger);
        assertEquals(0, init.code(), init.err());

        CliRun r = prepare(arr(base(csv, "prepared", "--key-file", key.toString(), "--ledger", ledger,
                "--dataset-id", "customers")));
        assertEquals(0, r.code(), r.err());
        Pseudonymizer p = Pseudonymizer.of(SECRET.getBytes(StandardCharsets.UTF_8));
        assertTrue(r.out().contains("prepared " + (lines.size() - 1) + " of " + (lines.size() - 1) + " rows"), r.out());
        assertTrue(r.out().contains("rows/s") && r.out().contains("key id " + p.keyId()), r.out());
        assertTrue(r.out().contains("linked to dataset customers"), r.out());

        // Only the declared columns, identifiers transformed in place.
        Path out = dir.resolve("prepared");
        assertEquals(List.of("amount", "age", "label", "customer_id", "email", "card", "zip", "signup_date"),
                Arrays.asList(spark.read().parquet(out.toString()).columns()));
        Set<String> expectedIds = customers.stream().map(c -> p.pseudonym(c.id())).collect(Collectors.toSet());
        assertEquals(expectedIds, column(out, "customer_id"), "pseudonyms are the keyed HMACs of the raw ids");
        Set<String> bands = column(out, "age");
        assertTrue(PrepareFixture.BANDS.containsAll(bands), bands.toString());
        assertTrue(column(out, "zip").stream().allMatch(z -> z.matches("\\d{3}\\*\\*")));
        assertTrue(column(out, "signup_date").stream().allMatch(z -> z.matches("201[5-7]")));
        assertTrue(column(out, "card").stream().allMatch(z -> z.matches("\\*{12}\\d{4}")));
        // No raw identifier anywhere in the copy: every value of every row, and the receipt.
        Set<String> values = new HashSet<>();
        for (Row row : rows(out)) {
            for (int i = 0; i < row.length(); i++) {
                values.add(String.valueOf(row.get(i)));
            }
        }
        String receipt = Files.readString(out.resolve(DpPrepare.RECEIPT_NAME));
        for (String raw : PrepareFixture.rawIdentifiers(customers)) {
            assertFalse(values.stream().anyMatch(v -> v.contains(raw)), "raw identifier in the output");
            assertFalse(receipt.contains(raw), "raw identifier in the receipt");
        }
        assertFalse(receipt.contains(SECRET), "the key in the receipt");

        // The receipt: what happened to each column, the key id, and the link.
        JsonNode rec = JSON.readTree(receipt);
        assertEquals(p.keyId(), rec.at("/pseudonymization/key_id").asText());
        assertEquals("file", rec.at("/pseudonymization/key_source").asText());
        Map<String, String> actions = new HashMap<>();
        rec.get("columns").forEach(c -> actions.put(c.get("column").asText(), c.get("action").asText()));
        assertEquals("drop", actions.get("name"));
        assertEquals("drop", actions.get("phone"));
        assertEquals("pseudonymize", actions.get("customer_id"));
        assertEquals("mask", actions.get("email"));
        assertEquals("generalize", actions.get("age"));
        assertEquals("copy", actions.get("amount"));
        assertEquals("drop (not declared in the spec)", actions.get("notes"));
        assertEquals(lines.size() - 1, rec.at("/input/rows").asLong());
        assertEquals(lines.size() - 1, rec.at("/output/rows").asLong());
        assertEquals(0, rec.at("/k_anonymity/rows_suppressed").asLong());
        assertTrue(rec.at("/k_anonymity/smallest_class").asLong() >= 1);
        assertEquals("customers", rec.at("/ledger/dataset_id").asText());
        String srcLoc = DatasetLocations.normalizePath(csv.toString(), CONF);
        String outLoc = DatasetLocations.normalizePath(out.toString(), CONF);
        PrivacyLedger l = PrivacyLedger.open(ledger, CONF);
        assertEquals(List.of(srcLoc, outLoc), l.registrations().get("customers"));

        // The owner sets the source's budget; the copy trains with user-level DP and spends it.
        CliRun budget = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "customers", "--epsilon", "0.8",
                "--delta", "1e-5", "--privacy-unit", "user", "--ledger", ledger);
        assertEquals(0, budget.code(), budget.err());
        CliRun train = CliRun.capture(DpTrain::run, trainArgs(out, ledger, "m1"));
        assertEquals(0, train.code(), train.err());
        double spent = PrivacyLedger.open(ledger, CONF).state("customers").spentEpsilon();
        assertTrue(spent > 0.5 && spent <= 0.8, "spent " + spent);

        // A second copy of the same source needs no --dataset-id: it is the source's dataset, with what is left
        // (two such jobs compose to about 0.85 > 0.8: refused, where a fresh budget would have admitted it).
        CliRun again = prepare(arr(base(csv, "prepared2", "--key-file", key.toString(), "--ledger", ledger)));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("linked to dataset customers"), again.out());
        CliRun train2 = CliRun.capture(DpTrain::run, trainArgs(dir.resolve("prepared2"), ledger, "m2"));
        assertEquals(ExitCode.BUDGET_EXHAUSTED.code(), train2.code(), train2.out() + train2.err());
        assertFalse(Files.exists(dir.resolve("m2")));
        assertEquals(spent, PrivacyLedger.open(ledger, CONF).state("customers").spentEpsilon(), 1e-12,
                "preparing a copy creates no fresh budget");
    }

    private String[] trainArgs(Path input, String ledger, String model) throws IOException {
        return new String[] {"--input", input.toString(), "--format", "parquet", "--spec", spec().toString(),
            "--privacy-unit", "user", "--user-col", "customer_id", "--max-rows-per-user", "3", "--epsilon", "0.6",
            "--delta", "1e-5", "--epochs", "2", "--batch-size", "60", "--ledger", ledger, "--output",
            dir.resolve(model).toString()};
    }

    @Test
    void sameKeySamePseudonyms_acrossRunsSourcesAndTables_anotherKeyDisjoint() throws IOException {
        List<PrepareFixture.Customer> a = PrepareFixture.customers(0, 120);
        List<PrepareFixture.Customer> b = PrepareFixture.customers(80, 200); // 40 customers in both tables
        Path csvA = PrepareFixture.writeCsv(dir.resolve("a/a.csv"), PrepareFixture.lines(a, 1));
        Path csvB = PrepareFixture.writeCsv(dir.resolve("b/b.csv"), PrepareFixture.lines(b, 2));
        Path key = PrepareFixture.keyFile(dir.resolve("key"), SECRET);
        assertEquals(0, prepare(arr(base(csvA, "a1", "--key-file", key.toString(), "--no-ledger", "test"))).code());
        Map<String, String> env = Map.of("PSEUDONYM_KEY", SECRET);
        CliRun viaEnv = prepare(env, arr(base(csvA, "a2", "--key-env", "PSEUDONYM_KEY", "--no-ledger", "test")));
        assertEquals(0, viaEnv.code(), viaEnv.err());
        assertEquals(0, prepare(env, arr(base(csvB, "b1", "--key-env", "PSEUDONYM_KEY", "--no-ledger", "test")))
                .code());
        String other = PrepareFixture.newSecret(2);
        assertEquals(0, prepare(Map.of("K2", other), arr(base(csvA, "a3", "--key-env", "K2", "--no-ledger", "test")))
                .code());

        Set<String> a1 = column(dir.resolve("a1"), "customer_id");
        Set<String> b1 = column(dir.resolve("b1"), "customer_id");
        assertEquals(120, a1.size());
        assertEquals(a1, column(dir.resolve("a2"), "customer_id"), "same key (file or environment), same pseudonyms");
        Set<String> shared = new HashSet<>(a1);
        shared.retainAll(b1);
        Pseudonymizer p = Pseudonymizer.of(SECRET.getBytes(StandardCharsets.UTF_8));
        assertEquals(PrepareFixture.customers(80, 120).stream().map(c -> p.pseudonym(c.id()))
                .collect(Collectors.toSet()), shared, "the same customers match across tables, and only they");
        Set<String> a3 = column(dir.resolve("a3"), "customer_id");
        assertEquals(120, a3.size());
        a3.retainAll(a1);
        assertTrue(a3.isEmpty(), "another key gives disjoint pseudonyms");
        JsonNode r1 = JSON.readTree(dir.resolve("a1").resolve(DpPrepare.RECEIPT_NAME).toFile());
        JsonNode r2 = JSON.readTree(dir.resolve("a2").resolve(DpPrepare.RECEIPT_NAME).toFile());
        JsonNode r3 = JSON.readTree(dir.resolve("a3").resolve(DpPrepare.RECEIPT_NAME).toFile());
        assertEquals(r1.at("/pseudonymization/key_id"), r2.at("/pseudonymization/key_id"));
        assertFalse(r1.at("/pseudonymization/key_id").equals(r3.at("/pseudonymization/key_id")),
                "a rotation is visible in the receipt");
        assertEquals("test", r1.at("/ledger/reason").asText());
        assertFalse(r1.at("/ledger/linked").asBoolean());
    }

    @Test
    void kAnonymity_suppressesExactlyTheRowsOfSmallClasses() throws IOException {
        List<PrepareFixture.Customer> customers = PrepareFixture.customers(0, 400);
        List<String> lines = PrepareFixture.lines(customers, 3);
        Path csv = PrepareFixture.writeCsv(dir.resolve("raw/c.csv"), lines);
        Path key = PrepareFixture.keyFile(dir.resolve("key"), SECRET);
        // Brute force: the generalized (age, zip, signup) tuple of every raw row.
        Generalization age = Generalization.ageBands(10, 18, 98);
        Generalization zip = Generalization.zipPrefix(3);
        Generalization year = Generalization.dateTo("year");
        List<List<String>> tuples = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            tuples.add(List.of(age.apply(f[4]), zip.apply(f[5]), year.apply(f[6])));
        }
        KAnonymity.Result before = KAnonymity.of(tuples);
        int k = 20;
        long suppressed = before.rowsInClassesBelow(k);
        assertTrue(suppressed > 0 && suppressed < tuples.size(), "the fixture has classes on both sides of k");

        CliRun r = prepare(arr(base(csv, "k", "--key-file", key.toString(), "--no-ledger", "test", "--k-anonymity",
                Integer.toString(k))));
        assertEquals(0, r.code(), r.err());
        JsonNode rec = JSON.readTree(dir.resolve("k").resolve(DpPrepare.RECEIPT_NAME).toFile());
        assertEquals(suppressed, rec.at("/k_anonymity/rows_suppressed").asLong());
        assertEquals(before.smallestClass(), rec.at("/k_anonymity/smallest_class").asLong());
        assertEquals(before.classes(), rec.at("/k_anonymity/classes").asLong());
        assertEquals(k, rec.at("/k_anonymity/k").asInt());
        assertEquals(tuples.size() - suppressed, rec.at("/output/rows").asLong());
        List<List<String>> after = new ArrayList<>();
        for (Row row : rows(dir.resolve("k"))) {
            after.add(List.of(row.getAs("age"), row.getAs("zip"), row.getAs("signup_date")));
        }
        assertEquals(tuples.size() - suppressed, after.size());
        assertTrue(KAnonymity.of(after).isKAnonymous(k), "every class of the copy has at least k rows");
        assertEquals(KAnonymity.of(after).smallestClass(), rec.at("/k_anonymity/smallest_class_after").asLong());
    }

    /** One refusal: exit 2, one line naming the problem, no stack trace, no output, nothing registered. */
    private void refused(CliRun r, String output, String ledger, String... phrases) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("dp-prepare: error: "), err);
        for (String phrase : phrases) {
            assertTrue(err.contains(phrase), "'" + phrase + "' not in: " + err);
        }
        assertFalse(Files.exists(dir.resolve(output)), "no output");
        if (ledger != null) {
            assertTrue(PrivacyLedger.open(ledger, CONF).registrations().isEmpty(), "nothing registered");
        }
    }

    @Test
    void badInput_isRefusedWithOneLine_exit2_noOutput_noRegistration() throws IOException {
        List<PrepareFixture.Customer> customers = PrepareFixture.customers(0, 50);
        List<String> lines = PrepareFixture.lines(customers, 1);
        Path csv = PrepareFixture.writeCsv(dir.resolve("raw/c.csv"), lines);
        Path key = PrepareFixture.keyFile(dir.resolve("key"), SECRET);
        String ledger = dir.resolve("ledger").toString();
        assertEquals(0, CliRun.capture(DpLedger::run, "init", "--ledger", ledger).code());
        String[] link = {"--ledger", ledger, "--dataset-id", "c"};

        // A declared column missing from the input.
        List<String> noPhone = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",");
            noPhone.add(String.join(",", Stream.concat(Arrays.stream(f, 0, 3), Arrays.stream(f, 4, f.length))
                    .toList()));
        }
        Path missing = PrepareFixture.writeCsv(dir.resolve("raw2/c.csv"), noPhone);
        refused(prepare(arr(base(missing, "o", concat(link, "--key-file", key.toString())))), "o", ledger,
                "'phone'", "missing");

        // No key at all (no flag, no credential provider configured), and a short key.
        refused(prepare(arr(base(csv, "o", link))), "o", ledger, "dpspark.pseudonym.key");
        Path shortKey = PrepareFixture.keyFile(dir.resolve("short"), "only-twenty-bytes!!!");
        refused(prepare(arr(base(csv, "o", concat(link, "--key-file", shortKey.toString())))), "o", ledger, "32",
                "20 bytes");
        refused(prepare(Map.of("K", "short"), arr(base(csv, "o", concat(link, "--key-env", "K")))), "o", ledger,
                "--key-env", "32");
        refused(prepare(arr(base(csv, "o", concat(link, "--key-env", "UNSET_VARIABLE_X")))), "o", ledger,
                "UNSET_VARIABLE_X");

        // A key on the command line: refused, and not echoed.
        CliRun onCmd = prepare(arr(base(csv, "o", concat(link, "--key", SECRET))));
        refused(onCmd, "o", ledger, "never taken from the command line");
        assertFalse(onCmd.err().contains(SECRET) || onCmd.out().contains(SECRET));
        CliRun pasted = prepare(arr(base(csv, "o", concat(link, "--key-env", SECRET))));
        refused(pasted, "o", ledger, "--key-env");
        assertFalse(pasted.err().contains(SECRET));
        CliRun pastedFile = prepare(arr(base(csv, "o", concat(link, "--key-file", SECRET))));
        refused(pastedFile, "o", ledger, "--key-file");
        assertFalse(pastedFile.err().contains(SECRET));

        // A key file others can read.
        Path open = PrepareFixture.keyFile(dir.resolve("open"), SECRET);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        refused(prepare(arr(base(csv, "o", concat(link, "--key-file", open.toString())))), "o", ledger, "chmod 600");

        // A value the hierarchy does not cover: named by column and row, never by value.
        List<String> old = new ArrayList<>(lines);
        String[] f = old.get(7).split(",");
        f[4] = "131";
        old.set(7, String.join(",", f));
        Path uncovered = PrepareFixture.writeCsv(dir.resolve("raw3/c.csv"), old);
        CliRun notCovered = prepare(arr(base(uncovered, "o", concat(link, "--key-file", key.toString()))));
        refused(notCovered, "o", ledger, "'age'", "row 7");
        assertFalse(notCovered.err().contains("131"), notCovered.err());

        // K < 2, and an existing output without --overwrite.
        refused(prepare(arr(base(csv, "o", concat(link, "--key-file", key.toString(), "--k-anonymity", "1")))), "o",
                ledger, "--k-anonymity", ">= 2");
        Files.createDirectories(dir.resolve("exists"));
        CliRun exists = prepare(arr(base(csv, "exists", concat(link, "--key-file", key.toString()))));
        assertEquals(ExitCode.BAD_INPUT.code(), exists.code(), exists.err());
        assertTrue(exists.err().contains("already exists") && exists.err().contains("--overwrite"), exists.err());
        assertTrue(PrivacyLedger.open(ledger, CONF).registrations().isEmpty());

        // A truncated gzip input: one line naming the file, not Spark's FAILED_READ_FILE and its stack trace.
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(Files.readAllBytes(PrepareFixture.writeCsv(dir.resolve("raw4/c.csv"),
                    PrepareFixture.lines(PrepareFixture.customers(0, 2000), 1))));
        }
        Path cut = dir.resolve("raw5/c.csv.gz");
        Files.createDirectories(cut.getParent());
        Files.write(cut, Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        CliRun truncated = prepare(arr(base(cut, "o", concat(link, "--key-file", key.toString()))));
        refused(truncated, "o", ledger, "c.csv.gz");
        assertFalse(truncated.err().contains("\tat "), truncated.err());

        // An unregistered source without --dataset-id or --no-ledger: the copy would have no budget.
        refused(prepare(arr(base(csv, "o", "--ledger", ledger, "--key-file", key.toString()))), "o", ledger,
                "--dataset-id", "is not registered");
    }

    @Test
    void aSourceRegisteredElsewhere_isALedgerConflict() throws IOException {
        Path csv = PrepareFixture.writeCsv(dir.resolve("raw/c.csv"),
                PrepareFixture.lines(PrepareFixture.customers(0, 30), 1));
        Path key = PrepareFixture.keyFile(dir.resolve("key"), SECRET);
        String ledger = dir.resolve("ledger").toString();
        assertEquals(0, CliRun.capture(DpLedger::run, "init", "--ledger", ledger).code());
        CliRun reg = CliRun.capture(DpLedger::run, "register", "--dataset-id", "census", "--location",
                dir.resolve("raw").toString(), "--ledger", ledger);
        assertEquals(0, reg.code(), reg.err());
        CliRun r = prepare(arr(base(csv, "o", "--key-file", key.toString(), "--ledger", ledger, "--dataset-id",
                "other")));
        assertEquals(ExitCode.LEDGER_CONFLICT.code(), r.code(), r.err());
        assertTrue(r.err().contains("registered to dataset 'census'"), r.err());
        assertFalse(Files.exists(dir.resolve("o")));
        // Without --dataset-id the copy joins the source's dataset.
        CliRun ok = prepare(arr(base(csv, "o", "--key-file", key.toString(), "--ledger", ledger)));
        assertEquals(0, ok.code(), ok.err());
        assertEquals(2, PrivacyLedger.open(ledger, CONF).registrations().get("census").size());
    }

    @Test
    void dpTrainOnTheRawTable_saysItLooksUnprepared_andOnTheCopyDoesNot() throws IOException {
        Path csv = PrepareFixture.writeCsv(dir.resolve("raw/c.csv"),
                PrepareFixture.lines(PrepareFixture.customers(0, 80), 1));
        Path key = PrepareFixture.keyFile(dir.resolve("key"), SECRET);
        String ledger = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
        assertEquals(0, prepare(arr(base(csv, "prepared", "--key-file", key.toString(), "--no-ledger", "test")))
                .code());
        String[] plan = {"--spec", spec().toString(), "--privacy-unit", "user", "--user-col", "customer_id",
            "--max-rows-per-user", "3", "--epsilon", "1", "--delta", "1e-5", "--epochs", "1", "--batch-size", "20",
            "--ledger", ledger, "--dry-run"};
        CliRun raw = CliRun.capture(DpTrain::run, concat(new String[] {"--input", csv.toString(), "--format", "csv"},
                plan));
        assertEquals(0, raw.code(), raw.err());
        assertTrue(raw.out().contains("dp-train: note: --input " + csv + " holds columns 'name', 'phone', which the"
                + " feature spec's identifiers section drops"), raw.out());
        CliRun copy = CliRun.capture(DpTrain::run, concat(new String[] {"--input",
            dir.resolve("prepared").toString(), "--format", "parquet"}, plan));
        assertEquals(0, copy.code(), copy.err());
        assertFalse(copy.out().contains("note:"), copy.out());
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Arrays.stream(a), Arrays.stream(b)).toArray(String[]::new);
    }
}
