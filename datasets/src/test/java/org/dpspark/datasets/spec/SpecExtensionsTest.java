package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.IndicatorFeature.Op;
import org.junit.jupiter.api.Test;

/** Issue 15's spec extensions: signed log, indicators, a column in several features, CSV dialect, identifiers. */
class SpecExtensionsTest {

    private static StructType schema(Object... nameThenType) {
        List<StructField> f = new ArrayList<>();
        for (int i = 0; i < nameThenType.length; i += 2) {
            f.add(DataTypes.createStructField((String) nameThenType[i], (DataType) nameThenType[i + 1], true));
        }
        return DataTypes.createStructType(f);
    }

    private static StructType strings(String... names) {
        List<StructField> f = new ArrayList<>();
        for (String n : names) {
            f.add(DataTypes.createStructField(n, DataTypes.StringType, true));
        }
        return DataTypes.createStructType(f);
    }

    private static String message(Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static final String BASE = "{\"format_version\":1,\"name\":\"bank\",\"label\":{\"column\":\"y\"},"
            + "\"features\":[{\"column\":\"age\",\"encoding\":\"scale\",\"min\":18,\"max\":95}]";

    // ---- signed log ----

    @Test
    void signedLog1p_symmetricBounds_matchesHandComputedValues() {
        NumericFeature f = NumericFeature.signedLog1p("balance", -1000, 1000);
        double ln1001 = 6.90875477931522; // log(1 + 1000)
        double ln11 = 2.3978952727983707; // log(1 + 10)
        assertEquals(0.0, f.encode(-1000), 0.0);
        assertEquals(0.5, f.encode(0), 1e-15); // s is odd: 0 sits in the middle of symmetric bounds
        assertEquals(1.0, f.encode(1000), 0.0);
        assertEquals((ln11 + ln1001) / (2 * ln1001), f.encode(10), 1e-12); // 0.6735403375422774
        assertEquals((-ln11 + ln1001) / (2 * ln1001), f.encode(-10), 1e-12);
        assertEquals(0.0, f.encode(-5000), 0.0); // clipped
        assertEquals(1.0, f.encode(1e9), 0.0); // clipped
    }

    @Test
    void signedLog1p_asymmetricBounds_matchesHandComputedValues() {
        NumericFeature f = NumericFeature.signedLog1p("balance", -100, 10000);
        double lo = -4.61512051684126; // -log(101)
        double hi = 9.210440366976517; // log(10001)
        assertEquals((-3.9318256327243257 - lo) / (hi - lo), f.encode(-50), 1e-12); // 0.0494225796594409
        assertEquals((0 - lo) / (hi - lo), f.encode(0), 1e-12); // 0.3338107260619755
        assertEquals((-0.4054651081081644 - lo) / (hi - lo), f.encode(-0.5), 1e-12);
        assertEquals((7.824445930877619 - lo) / (hi - lo), f.encode(2500), 1e-12); // 0.8997513050106238
        assertEquals(f.encode(0.0), f.encode(-0.0), 0.0);
        assertThrows(IllegalArgumentException.class, () -> f.encode(Double.NaN));
    }

    @Test
    void signedLog1p_isMonotoneAndWithinUnitInterval() {
        NumericFeature f = NumericFeature.signedLog1p("b", -3e5, 7e4);
        Random rnd = new Random(15);
        for (int i = 0; i < 10_000; i++) {
            double a = (rnd.nextDouble() - 0.6) * 1e6 * rnd.nextDouble() * rnd.nextDouble();
            double b = (rnd.nextDouble() - 0.6) * 1e6 * rnd.nextDouble() * rnd.nextDouble();
            double ea = f.encode(a);
            double eb = f.encode(b);
            assertTrue(ea >= 0 && ea <= 1 && eb >= 0 && eb <= 1);
            if (a <= b) {
                assertTrue(ea <= eb, a + " <= " + b);
            }
        }
        // min and max of the same sign, far from 0, also work
        assertEquals(0.5, NumericFeature.signedLog1p("b", -1e4, -1e2).encode(-Math.expm1(
                (Math.log1p(1e4) + Math.log1p(1e2)) / 2)), 1e-12);
    }

    @Test
    void log1p_minBelowMinusOne_refusalPointsToSignedLog1p() {
        String m = message(() -> NumericFeature.log1p("balance", -500, 1000));
        assertTrue(m.contains("feature 'balance'") && m.contains("min > -1") && m.contains("signed_log1p"), m);
        assertTrue(message(() -> NumericFeature.signedLog1p("balance", 5, 5)).contains("min must be < max"));
        assertTrue(message(() -> NumericFeature.signedLog1p("balance", 1e300, Math.nextUp(1e300)))
                .contains("too close"));
    }

    @Test
    void signedLog1p_jsonRoundTrip() {
        FeatureSpec spec = FeatureSpec.fromJson(BASE.replace("\"encoding\":\"scale\",\"min\":18",
                "\"encoding\":\"signed_log1p\",\"min\":-8000") + "}");
        assertEquals(NumericFeature.signedLog1p("age", -8000, 95), spec.features().get(0));
        assertTrue(spec.toJson().contains("\"encoding\":\"signed_log1p\""), spec.toJson());
        assertEquals(spec, FeatureSpec.fromJson(spec.toJson()));
        // a vector feature may use it too (same per-element map)
        VectorFeature v = new VectorFeature("v", 3, NumericFeature.Encoding.SIGNED_LOG1P, -10, 10);
        FeatureSpec vs = new FeatureSpec("v", List.of(v), LabelSpec.numeric("y"));
        assertEquals(vs, FeatureSpec.fromJson(vs.toJson()));
    }

    // ---- indicators ----

    @Test
    void numericIndicator_everyOperator_onStringsNumbersAndBooleans() {
        Map<Op, double[]> expected = new LinkedHashMap<>();
        // inputs: -1, 0, 5, " 5 ", 7.5
        expected.put(Op.EQ, new double[] {0, 0, 1, 1, 0});
        expected.put(Op.NE, new double[] {1, 1, 0, 0, 1});
        expected.put(Op.LT, new double[] {1, 1, 0, 0, 0});
        expected.put(Op.LE, new double[] {1, 1, 1, 1, 0});
        expected.put(Op.GT, new double[] {0, 0, 0, 0, 1});
        expected.put(Op.GE, new double[] {0, 0, 1, 1, 1});
        String[] in = {"-1", "0", "5", " 5 ", "7.5"};
        for (Map.Entry<Op, double[]> e : expected.entrySet()) {
            FeatureSpec spec = new FeatureSpec("s", List.of(IndicatorFeature.numeric("x", e.getKey(), 5)),
                    LabelSpec.numeric("y"));
            RowEncoder str = new RowEncoder(spec, strings("x", "y"));
            RowEncoder dbl = new RowEncoder(spec, schema("x", DataTypes.DoubleType, "y", DataTypes.IntegerType));
            for (int i = 0; i < in.length; i++) {
                assertEquals(e.getValue()[i], str.encode(RowFactory.create(in[i], "1"))[0], e.getKey() + " " + in[i]);
                assertEquals(e.getValue()[i], dbl.encode(RowFactory.create(Double.parseDouble(in[i].strip()), 1))[0],
                        e.getKey() + " " + in[i]);
            }
        }
        FeatureSpec zero = new FeatureSpec("s", List.of(IndicatorFeature.numeric("x", Op.EQ, 0)),
                LabelSpec.numeric("y"));
        RowEncoder enc = new RowEncoder(zero, schema("x", DataTypes.DoubleType, "y", DataTypes.IntegerType));
        assertEquals(1.0, enc.encode(RowFactory.create(-0.0, 1))[0]); // IEEE: -0.0 == 0.0
        RowEncoder bool = new RowEncoder(zero, schema("x", DataTypes.BooleanType, "y", DataTypes.IntegerType));
        assertEquals(1.0, bool.encode(RowFactory.create(false, 1))[0]);
        assertEquals(0.0, bool.encode(RowFactory.create(true, 1))[0]);
    }

    @Test
    void numericIndicator_missingIsZero_badValuesAreProblemsWithoutValueInMessage() {
        FeatureSpec spec = new FeatureSpec("s", List.of(IndicatorFeature.numeric("pdays", Op.NE, -1)),
                LabelSpec.numeric("y"));
        RowEncoder enc = new RowEncoder(spec, strings("pdays", "y"));
        for (String missing : new String[] {null, "", "   "}) {
            Row r = RowFactory.create(missing, "0");
            assertNull(enc.checkFeature(r, 0));
            assertEquals(0.0, enc.encode(r)[0], "missing is 0 even for !=");
        }
        assertEquals(ValueProblem.NON_NUMERIC, enc.checkFeature(RowFactory.create("SECRET7", "0"), 0));
        assertEquals(ValueProblem.NAN, enc.checkFeature(RowFactory.create("NaN", "0"), 0));
        assertEquals(ValueProblem.INFINITE, enc.checkFeature(RowFactory.create("-inf", "0"), 0));
        assertEquals(ValueProblem.NON_NUMERIC, enc.checkFeature(RowFactory.create("1d", "0"), 0)); // strict
        String m = message(() -> enc.encode(RowFactory.create("SECRET7", "0")));
        assertTrue(m.contains("column 'pdays'") && !m.contains("SECRET"), m);
    }

    @Test
    void textIndicator_comparesTrimmedText_missingIsZero() {
        FeatureSpec spec = new FeatureSpec("s", List.of(IndicatorFeature.text("loan", Op.EQ, "yes"),
                IndicatorFeature.text("loan", Op.NE, "yes"), IndicatorFeature.text("n", Op.EQ, "3")),
                LabelSpec.numeric("y"));
        RowEncoder enc = new RowEncoder(spec, schema("loan", DataTypes.StringType, "n", DataTypes.LongType,
                "y", DataTypes.StringType));
        assertArrayEquals(new double[] {1, 0, 1}, enc.encode(RowFactory.create(" yes ", 3L, "1")));
        assertArrayEquals(new double[] {0, 1, 0}, enc.encode(RowFactory.create("Yes", 4L, "1"))); // case-sensitive
        assertArrayEquals(new double[] {0, 1, 0}, enc.encode(RowFactory.create("no", -3L, "1")));
        assertArrayEquals(new double[] {0, 0, 0}, enc.encode(RowFactory.create(null, null, "1")));
        for (int i = 0; i < 3; i++) {
            assertNull(enc.checkFeature(RowFactory.create("anything", 1L, "1"), i));
        }
    }

    @Test
    void indicator_schemaProblems_needMatchingColumnTypes() {
        FeatureSpec spec = new FeatureSpec("s", List.of(IndicatorFeature.text("t", Op.EQ, "a"),
                IndicatorFeature.numeric("n", Op.GT, 1)), LabelSpec.numeric("y"));
        StructType ok = schema("t", DataTypes.IntegerType, "n", DataTypes.StringType, "y", DataTypes.DoubleType);
        assertTrue(RowEncoder.schemaProblems(spec, ok).isEmpty());
        StructType bad = schema("t", DataTypes.DoubleType, "n", DataTypes.createArrayType(DataTypes.DoubleType),
                "y", DataTypes.DoubleType);
        Map<String, String> p = RowEncoder.schemaProblems(spec, bad);
        assertEquals("unsupported type double for a text indicator", p.get("t"));
        assertEquals("unsupported type array<double> for a numeric indicator", p.get("n"));
    }

    @Test
    void indicator_constructorAndJsonErrors_nameTheColumn() {
        assertTrue(message(() -> IndicatorFeature.text("job", Op.LT, "x")).contains("feature 'job'"));
        assertTrue(message(() -> IndicatorFeature.text("job", Op.GE, "x")).contains("only == and !="));
        assertTrue(message(() -> IndicatorFeature.numeric("p", Op.EQ, Double.NaN)).contains("feature 'p'"));
        assertTrue(message(() -> IndicatorFeature.text("job", Op.EQ, " x")).contains("whitespace"));
        String good = "{\"column\":\"pdays\",\"encoding\":\"indicator\",\"op\":\"!=\",\"value\":-1}";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(good.replace("\"value\":-1", "\"value\":\"admin.\"").replace("!=", "<"), "only == and !=");
        cases.put(good.replace("!=", "="), "op must be one of");
        cases.put(good.replace("\"value\":-1", "\"value\":true"), "must be a number or a string");
        cases.put(good.replace(",\"value\":-1", ""), "must be a number or a string");
        cases.put(good.replace(",\"op\":\"!=\"", ""), "\"op\"");
        cases.put(good.replace("\"value\":-1", "\"value\":-1,\"min\":0"), "unknown key \"min\"");
        cases.put(good.replace("\"value\":-1", "\"value\":1e999"), "finite");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String json = "{\"format_version\":1,\"name\":\"n\",\"label\":{\"column\":\"y\"},\"features\":["
                    + c.getKey() + "]}";
            String m = message(() -> FeatureSpec.fromJson(json));
            assertTrue(m.contains("feature 'pdays'") && m.contains(c.getValue()), c.getKey() + " -> " + m);
        }
    }

    @Test
    void indicator_jsonRoundTrip_numberAndText() {
        String json = "{\"format_version\":1,\"name\":\"bank\",\"label\":{\"column\":\"y\"},\"features\":["
                + "{\"column\":\"pdays\",\"encoding\":\"indicator\",\"op\":\"!=\",\"value\":-1},"
                + "{\"column\":\"pdays\",\"encoding\":\"scale\",\"min\":0,\"max\":999},"
                + "{\"column\":\"job\",\"encoding\":\"indicator\",\"op\":\"==\",\"value\":\"admin.\"},"
                + "{\"column\":\"age\",\"encoding\":\"indicator\",\"op\":\">=\",\"value\":60.5}]}";
        FeatureSpec spec = FeatureSpec.fromJson(json);
        assertEquals(List.of(IndicatorFeature.numeric("pdays", Op.NE, -1), NumericFeature.scale("pdays", 0, 999),
                IndicatorFeature.text("job", Op.EQ, "admin."), IndicatorFeature.numeric("age", Op.GE, 60.5)),
                spec.features());
        assertEquals(4, spec.dimension());
        assertEquals(spec, FeatureSpec.fromJson(spec.toJson()));
        assertEquals(spec.toJson(), FeatureSpec.fromJson(spec.toJson()).toJson());
        assertEquals("pdays != -1.0", spec.features().get(0) instanceof IndicatorFeature i ? i.describe() : "");
    }

    // ---- one column, several features ----

    @Test
    void duplicates_sameColumnTwice_encodesBoth_exactDuplicateRefused() {
        FeatureSpec spec = new FeatureSpec("bank", List.of(IndicatorFeature.numeric("pdays", Op.NE, -1),
                NumericFeature.scale("pdays", 0, 999), new OneHotFeature("job", List.of("admin.", "blue-collar")),
                NumericFeature.signedLog1p("balance", -10000, 100000)), LabelSpec.numeric("y"));
        assertEquals(List.of("pdays", "job", "balance", "y"), spec.requiredColumns());
        assertEquals(List.of("pdays", "job", "balance", "y"), spec.preparedColumns());
        RowEncoder enc = new RowEncoder(spec, strings("y", "balance", "job", "pdays"));
        double[] x = enc.encode(RowFactory.create("1", "0", "admin.", "-1"));
        assertArrayEquals(new double[] {0, 0, 1, 0, Math.log1p(10000) / (Math.log1p(10000) + Math.log1p(100000))},
                x, 1e-12);
        x = enc.encode(RowFactory.create("0", "-10000", "blue-collar", "333"));
        assertArrayEquals(new double[] {1, 1 / 3.0, 0, 1, 0}, x, 1e-12);

        String m = message(() -> new FeatureSpec("bank", List.of(NumericFeature.scale("pdays", 0, 999),
                IndicatorFeature.numeric("pdays", Op.NE, -1), NumericFeature.scale("pdays", 0, 999)),
                LabelSpec.numeric("y")));
        assertEquals("feature 'pdays': listed twice with the same encoding", m);
        // the same column with other bounds is another feature
        assertEquals(2, new FeatureSpec("s", List.of(NumericFeature.scale("a", 0, 1), NumericFeature.scale("a", 0, 2)),
                LabelSpec.numeric("y")).dimension());
        // the label and the user column still cannot be features
        assertTrue(message(() -> new FeatureSpec("s", List.of(IndicatorFeature.numeric("y", Op.EQ, 1)),
                LabelSpec.numeric("y"))).contains("label"));
        assertTrue(message(() -> new FeatureSpec("s", List.of(IndicatorFeature.text("u", Op.EQ, "a")),
                LabelSpec.numeric("y"), "u")).contains("privacy-unit"));
    }

    @Test
    void duplicates_schemaProblemOfSharedColumn_reportedOnce() {
        FeatureSpec spec = new FeatureSpec("s", List.of(IndicatorFeature.numeric("pdays", Op.NE, -1),
                NumericFeature.scale("pdays", 0, 999)), LabelSpec.numeric("y"));
        Map<String, String> p = RowEncoder.schemaProblems(spec, strings("y"));
        assertEquals(Map.of("pdays", RowEncoder.MISSING), p);
        String m = message(() -> new RowEncoder(spec, strings("y")));
        assertEquals(1, m.split("column 'pdays'", -1).length - 1, m);
    }

    // ---- norm bound ----

    @Test
    void normBound_holdsForRandomRows() {
        FeatureSpec spec = new FeatureSpec("mix", List.of(NumericFeature.scale("a", -5, 5),
                NumericFeature.log1p("b", 0, 1e5), NumericFeature.signedLog1p("c", -1e4, 1e4),
                IndicatorFeature.numeric("c", Op.GT, 0), IndicatorFeature.text("d", Op.NE, "x"),
                new OneHotFeature("d", List.of("x", "y", "z")), VectorFeature.scale("v", 4, -1, 1),
                IndicatorFeature.numeric("a", Op.LE, 2)), LabelSpec.numeric("y"));
        assertEquals(Math.sqrt(7 + 4), spec.normBound(), 1e-15);
        StructType schema = schema("a", DataTypes.DoubleType, "b", DataTypes.StringType, "c", DataTypes.LongType,
                "d", DataTypes.StringType, "v", new VectorUDT(), "y", DataTypes.IntegerType);
        RowEncoder enc = new RowEncoder(spec, schema);
        Random rnd = new Random(42);
        String[] tokens = {"x", "y", "z", "w", null};
        double worst = 0;
        for (int i = 0; i < 5000; i++) {
            Row r = RowFactory.create(rnd.nextGaussian() * 10, Double.toString(rnd.nextDouble() * 2e5 - 1e4),
                    (long) (rnd.nextGaussian() * 3e4), tokens[rnd.nextInt(tokens.length)],
                    Vectors.dense(rnd.nextGaussian() * 2, rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextDouble()),
                    1);
            double[] x = enc.encode(r);
            double sq = 0;
            for (double c : x) {
                assertTrue(c >= 0 && c <= 1);
                sq += c * c;
            }
            worst = Math.max(worst, Math.sqrt(sq));
        }
        assertTrue(worst <= spec.normBound(), worst + " > " + spec.normBound());
        // the bound is attained: every coordinate that can be 1 is 1
        double[] top = enc.encode(RowFactory.create(2.0, "1e9", 10_000L, "y", Vectors.dense(9, 9, 9, 9), 1));
        double sq = 0;
        for (double c : top) {
            sq += c * c;
        }
        assertEquals(Math.sqrt(10 + 0.7 * 0.7), Math.sqrt(sq), 1e-12); // all 1 but scale(a): 2 in [-5, 5] is 0.7
    }

    // ---- CSV dialect ----

    @Test
    void csv_jsonKeysOptional_roundTrip_defaultNotWritten() {
        FeatureSpec plain = FeatureSpec.fromJson(BASE + "}");
        assertSame(CsvFormat.DEFAULT, plain.csv());
        assertFalse(plain.toJson().contains("csv"), plain.toJson());
        FeatureSpec semi = FeatureSpec.fromJson(BASE + ",\"csv\":{\"delimiter\":\";\"}}");
        assertEquals(new CsvFormat(';', '"', '\\'), semi.csv());
        assertEquals(semi, FeatureSpec.fromJson(semi.toJson()));
        assertTrue(semi.toJson().contains("\"csv\":{\"delimiter\":\";\""), semi.toJson());
        FeatureSpec all = FeatureSpec.fromJson(BASE + ",\"csv\":{\"delimiter\":\"\\t\",\"quote\":\"'\","
                + "\"escape\":\"'\"}}");
        assertEquals(new CsvFormat('\t', '\'', '\''), all.csv());
        assertEquals(all, FeatureSpec.fromJson(all.toJson()));
        assertEquals(plain, FeatureSpec.fromJson(BASE + ",\"csv\":{}}"));
        assertEquals(plain, plain.withCsv(null));
        assertEquals(semi, plain.withCsv(new CsvFormat(';', '"', '\\')));

        assertTrue(message(() -> FeatureSpec.fromJson(BASE + ",\"csv\":{\"delimiter\":\";;\"}}"))
                .contains("\"delimiter\" must be a one-character string"));
        assertTrue(message(() -> FeatureSpec.fromJson(BASE + ",\"csv\":{\"sep\":\";\"}}")).contains("unknown key"));
        assertTrue(message(() -> FeatureSpec.fromJson(BASE + ",\"csv\":{\"quote\":\",\"}}")).contains("differ"));
        assertTrue(message(() -> FeatureSpec.fromJson(BASE + ",\"csv\":{\"delimiter\":\"\\n\"}}"))
                .contains("line break"));
        assertTrue(message(() -> FeatureSpec.fromJson(BASE + ",\"csv\":\";\"}")).contains("must be an object"));
    }

    @Test
    void specWithoutNewKeys_writtenExactlyAsBefore() {
        FeatureSpec spec = new FeatureSpec("bank", List.of(NumericFeature.scale("age", 18, 95),
                new OneHotFeature("job", List.of("admin."))), LabelSpec.numeric("y"), "uid");
        assertEquals("{\"format_version\":1,\"name\":\"bank\",\"label\":{\"column\":\"y\",\"strip_trailing_dot\":false},"
                + "\"features\":[{\"column\":\"age\",\"encoding\":\"scale\",\"min\":18.0,\"max\":95.0},"
                + "{\"column\":\"job\",\"encoding\":\"onehot\",\"vocabulary\":[\"admin.\"]}],\"user\":{\"column\":\"uid\"}}",
                spec.toJson());
    }

    @Test
    void csvAndIdentifiers_carriedByWithMethods_andJavaSerialization() throws Exception {
        Identifiers ids = new Identifiers(List.of("name"), List.of("cid"), List.of(), List.of(), null,
                List.of("region"));
        FeatureSpec spec = new FeatureSpec("img", List.of(VectorFeature.scale("px", 16, 0, 255)),
                LabelSpec.numeric("y"), null, new CsvFormat('|', '"', '"'), ids);
        assertEquals(spec.csv(), spec.withUserColumn("cid").csv());
        assertEquals(ids, spec.withUserColumn("cid").identifiers());
        assertEquals(spec.csv(), spec.withLabelColumn("z").csv());
        assertEquals(ids, spec.withLabelColumn("z").identifiers());
        FeatureSpec dct = spec.withFeatureTransform("dct:2");
        assertEquals(spec.csv(), dct.csv());
        assertEquals(ids, dct.identifiers());
        assertEquals(Identifiers.none(), spec.withoutIdentifiers().identifiers());
        assertEquals(spec, JavaSerialization.roundTrip(spec));
        assertEquals(spec, FeatureSpec.fromJson(spec.toJson()));
        // a pseudonymized user column is fine; a dropped one is not
        assertTrue(message(() -> spec.withUserColumn("name")).contains("identifier 'name'"));
    }

    // ---- identifiers ----

    private static final String IDS = """
            "identifiers": {
              "drop": ["name", "email", "phone"],
              "pseudonymize": ["customer_id"],
              "mask": [{"column": "card", "method": "keep_last", "keep": 4},
                       {"column": "contact", "method": "email"}],
              "generalize": [{"column": "age", "method": "age_bands", "width": 10, "min": 0, "max": 120},
                             {"column": "zip", "method": "zip_prefix", "digits": 3},
                             {"column": "signup", "method": "date", "unit": "month"}],
              "quasi_identifiers": ["age", "zip", "signup"],
              "keep": ["region"]
            }""";

    private static final String CUSTOMERS = "{\"format_version\":1,\"name\":\"customers\","
            + "\"label\":{\"column\":\"churn\"},\"user\":{\"column\":\"customer_id\"},"
            + "\"features\":[{\"column\":\"age\",\"encoding\":\"onehot\",\"vocabulary\":[\"[0, 10)\",\"[10, 20)\"]},"
            + "{\"column\":\"spend\",\"encoding\":\"signed_log1p\",\"min\":-1000,\"max\":1000}],";

    @Test
    void identifiers_documentedExample_parsesAndRoundTrips() {
        FeatureSpec spec = FeatureSpec.fromJson(CUSTOMERS + IDS + "}");
        Identifiers ids = spec.identifiers();
        assertEquals(List.of("name", "email", "phone"), ids.drop());
        assertEquals(List.of("customer_id"), ids.pseudonymize());
        assertEquals(List.of(new Identifiers.Mask("card", Identifiers.MaskMethod.KEEP_LAST, 4),
                new Identifiers.Mask("contact", Identifiers.MaskMethod.EMAIL, 0)), ids.mask());
        assertEquals(List.of(Identifiers.Generalize.ageBands("age", 10, 0, 120),
                Identifiers.Generalize.zipPrefix("zip", 3), Identifiers.Generalize.date("signup", "month")),
                ids.generalize());
        assertEquals(List.of("age", "zip", "signup"), ids.quasiIdentifiers());
        assertEquals(List.of("region"), ids.keep());
        assertEquals(spec, FeatureSpec.fromJson(spec.toJson()));
        assertEquals(List.of("age", "spend", "churn", "customer_id", "card", "contact", "zip", "signup", "region"),
                spec.preparedColumns());
        // quasi_identifiers defaults to the generalized columns; an explicit empty list stays empty
        FeatureSpec dflt = FeatureSpec.fromJson(CUSTOMERS + IDS.replace("\"quasi_identifiers\": [\"age\", \"zip\","
                + " \"signup\"],", "") + "}");
        assertEquals(List.of("age", "zip", "signup"), dflt.identifiers().quasiIdentifiers());
        FeatureSpec none = FeatureSpec.fromJson(CUSTOMERS + IDS.replace("[\"age\", \"zip\", \"signup\"]", "[]")
                + "}");
        assertEquals(List.of(), none.identifiers().quasiIdentifiers());
        assertEquals(none, FeatureSpec.fromJson(none.toJson()));
        // without the section: none, and not written
        FeatureSpec plain = FeatureSpec.fromJson(BASE + "}");
        assertEquals(Identifiers.none(), plain.identifiers());
        assertFalse(plain.toJson().contains("identifiers"));
        assertEquals(FeatureSpec.fromJson(BASE + ",\"identifiers\":{}}"), plain);
    }

    @Test
    void identifiers_parseErrors_oneLineNamingTheColumn() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("unknown section key", new String[] {IDS.replace("\"keep\": [", "\"kept\": ["), "identifiers",
            "unknown key \"kept\""});
        cases.put("mask without keep", new String[] {IDS.replace(", \"keep\": 4", ""), "identifier 'card'",
            "\"keep\" must be an integer"});
        cases.put("email mask with keep", new String[] {IDS.replace("\"method\": \"email\"",
            "\"method\": \"email\", \"keep\": 2"), "identifier 'contact'", "keep_last only"});
        cases.put("mask unknown key", new String[] {IDS.replace("\"keep\": 4", "\"keep\": 4, \"char\": \"#\""),
            "identifier 'card'", "unknown key \"char\""});
        cases.put("mask unknown method", new String[] {IDS.replace("keep_last", "hash"), "identifier 'card'",
            "keep_last or email"});
        cases.put("age bands without width", new String[] {IDS.replace("\"width\": 10, ", ""), "identifier 'age'",
            "\"width\" must be an integer"});
        cases.put("age bands width as string", new String[] {IDS.replace("\"width\": 10", "\"width\": \"10\""),
            "identifier 'age'", "\"width\" must be an integer"});
        cases.put("zip with width", new String[] {IDS.replace("\"digits\": 3", "\"digits\": 3, \"width\": 2"),
            "identifier 'zip'", "does not apply to generalize method zip_prefix"});
        cases.put("zip digits fraction", new String[] {IDS.replace("\"digits\": 3", "\"digits\": 3.5"),
            "identifier 'zip'", "\"digits\" must be an integer"});
        cases.put("date without unit", new String[] {IDS.replace(", \"unit\": \"month\"", ""),
            "identifier 'signup'", "\"unit\" must be a string"});
        cases.put("date bad unit", new String[] {IDS.replace("\"month\"", "\"week\""), "identifier 'signup'",
            "month"});
        cases.put("generalize unknown method", new String[] {IDS.replace("zip_prefix", "zip3"), "identifier 'zip'",
            "age_bands, zip_prefix or date"});
        cases.put("drop not an array", new String[] {IDS.replace("[\"name\", \"email\", \"phone\"]", "\"name\""),
            "identifiers", "\"drop\" must be an array of strings"});
        cases.put("drop number", new String[] {IDS.replace("\"phone\"", "7"), "identifiers", "only strings"});
        cases.put("mask column missing", new String[] {IDS.replace("\"column\": \"card\", ", ""),
            "identifiers: mask[0]", "\"column\" must be a string"});
        cases.put("mask entry not an object", new String[] {IDS.replace("{\"column\": \"contact\", \"method\":"
            + " \"email\"}", "\"contact\""), "identifiers", "must be an object"});
        cases.put("two treatments", new String[] {IDS.replace("\"keep\": [\"region\"]", "\"keep\": [\"phone\"]"),
            "identifier 'phone'", "both drop and keep"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String json = CUSTOMERS + c.getValue()[0] + "}";
            String m = message(() -> FeatureSpec.fromJson(json));
            assertTrue(m.contains(c.getValue()[1]) && m.contains(c.getValue()[2]), c.getKey() + ": " + m);
        }
        assertTrue(message(() -> FeatureSpec.fromJson(CUSTOMERS + "\"identifiers\": []}"))
                .contains("\"identifiers\" must be an object"));
    }

    @Test
    void identifiers_crossChecksWithFeaturesLabelAndUser() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("dropped feature", new String[] {"\"drop\": [\"spend\"]", "identifier 'spend'",
            "dropped column cannot be a feature"});
        cases.put("masked feature", new String[] {"\"mask\": [{\"column\": \"spend\", \"method\": \"email\"}]",
            "identifier 'spend'", "masked column cannot be a feature"});
        cases.put("dropped label", new String[] {"\"drop\": [\"churn\"]", "identifier 'churn'", "the label"});
        cases.put("masked label", new String[] {"\"mask\": [{\"column\": \"churn\", \"method\": \"keep_last\","
            + " \"keep\": 1}]", "identifier 'churn'", "the label"});
        cases.put("dropped user", new String[] {"\"drop\": [\"customer_id\"]", "identifier 'customer_id'",
            "user column"});
        cases.put("masked user", new String[] {"\"mask\": [{\"column\": \"customer_id\", \"method\": \"keep_last\","
            + " \"keep\": 4}]", "identifier 'customer_id'", "user column"});
        cases.put("pseudonymized label", new String[] {"\"pseudonymize\": [\"churn\"]", "identifier 'churn'",
            "pseudonymized"});
        cases.put("generalized label", new String[] {"\"generalize\": [{\"column\": \"churn\", \"method\":"
            + " \"zip_prefix\", \"digits\": 1}]", "identifier 'churn'", "generalized"});
        cases.put("kept label", new String[] {"\"keep\": [\"churn\"]", "identifier 'churn'", "keep"});
        cases.put("quasi-identifier not prepared", new String[] {"\"quasi_identifiers\": [\"age\", \"town\"]",
            "identifier 'town'", "prepared table"});
        cases.put("dropped quasi-identifier", new String[] {"\"drop\": [\"town\"], \"quasi_identifiers\":"
            + " [\"town\"]", "identifier 'town'", "dropped"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String json = CUSTOMERS + "\"identifiers\": {" + c.getValue()[0] + "}}";
            String m = message(() -> FeatureSpec.fromJson(json));
            assertTrue(m.contains(c.getValue()[1]) && m.contains(c.getValue()[2]), c.getKey() + ": " + m);
        }
        // allowed: user pseudonymized, a feature generalized, quasi-identifiers among features/label/user/kept
        FeatureSpec ok = FeatureSpec.fromJson(CUSTOMERS + "\"identifiers\": {\"pseudonymize\": [\"customer_id\"],"
                + "\"generalize\": [{\"column\": \"age\", \"method\": \"age_bands\", \"width\": 10, \"min\": 0,"
                + " \"max\": 20}], \"keep\": [\"town\"],"
                + "\"quasi_identifiers\": [\"age\", \"spend\", \"churn\", \"customer_id\", \"town\"]}}");
        assertEquals(List.of("age", "spend", "churn", "customer_id", "town"), ok.preparedColumns());
        assertEquals(ok, FeatureSpec.fromJson(ok.toJson()));
    }

    // ---- errors listing the columns found ----

    @Test
    void missingColumns_messageListsColumnsFound_andHintsAtDelimiter() {
        FeatureSpec spec = new FeatureSpec("bank", List.of(NumericFeature.scale("age", 18, 95),
                NumericFeature.signedLog1p("balance", -1e4, 1e5)), LabelSpec.numeric("y"));
        String m = message(() -> new RowEncoder(spec, strings("age;job;balance;y", "_corrupt_record")));
        assertEquals("input does not match feature spec 'bank': column 'age': missing from the input (columns found:"
                + " 'age;job;balance;y'; the header was read as one column: is the file delimited by ';'? set"
                + " \"csv\": {\"delimiter\": \";\"} in the feature spec); column 'balance': missing from the input;"
                + " column 'y': missing from the input", m);
        String tab = message(() -> new RowEncoder(spec, strings("age\tbalance\ty")));
        assertTrue(tab.contains("delimited by tabs? set \"csv\": {\"delimiter\": \"\\t\"}"), tab);
        // a ;-spec reading a comma file
        String comma = message(() -> new RowEncoder(spec.withCsv(new CsvFormat(';', '"', '\\')),
                strings("age,balance,y")));
        assertTrue(comma.contains("delimited by ','? set \"csv\": {\"delimiter\": \",\"}"), comma);
        // several columns found, one missing: the list, no hint
        String one = message(() -> new RowEncoder(spec, strings("age", "balanse", "y")));
        assertTrue(one.endsWith("column 'balance': missing from the input (columns found: 'age', 'balanse', 'y')"),
                one);
        // a type problem alone: no list
        String type = message(() -> new RowEncoder(spec, schema("age", DataTypes.BinaryType, "balance",
                DataTypes.StringType, "y", DataTypes.StringType)));
        assertFalse(type.contains("columns found"), type);
    }

    @Test
    void missingColumns_manyColumnsFound_listTruncated() {
        String[] names = new String[27];
        for (int i = 0; i < names.length; i++) {
            names[i] = "c" + i;
        }
        names[3] = "x".repeat(500);
        FeatureSpec spec = new FeatureSpec("s", List.of(NumericFeature.scale("a", 0, 1)), LabelSpec.numeric("y"));
        String m = message(() -> new RowEncoder(spec, strings(names)));
        assertTrue(m.contains("'c19', ... and 7 more)"), m);
        assertFalse(m.contains("'c20'"), m);
        assertTrue(m.contains("'" + "x".repeat(RowEncoder.MAX_NAME_CHARS) + "...'"), m);
        assertFalse(m.contains("x".repeat(RowEncoder.MAX_NAME_CHARS + 1)), m);
        assertEquals(1, m.split("columns found", -1).length - 1, "once per error");
    }
}
