package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class RowEncoderTest {

    private static final List<String> ADULT_COLUMNS = List.of("age", "workclass", "fnlwgt", "education",
            "education-num", "marital-status", "occupation", "relationship", "race", "sex", "capital-gain",
            "capital-loss", "hours-per-week", "native-country", "income");

    private static StructType strings(List<String> names) {
        List<StructField> f = new ArrayList<>();
        names.forEach(n -> f.add(DataTypes.createStructField(n, DataTypes.StringType, true)));
        return DataTypes.createStructType(f);
    }

    private static Row adultRow(String line) {
        String[] p = line.split(",", -1);
        Object[] v = new Object[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = p[i].strip();
        }
        return RowFactory.create(v);
    }

    /** First line of adult.data, encoded by hand from ADULT_FEATURES.md and the adult.names vocabularies. */
    @Test
    void encodeInto_adultFirstTrainingRow_matchesHandEncoding() {
        RowEncoder enc = new RowEncoder(FeatureSpec.adult(), strings(ADULT_COLUMNS));
        Row r = adultRow("39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, "
                + "Male, 2174, 0, 40, United-States, <=50K");
        double[] expected = new double[104];
        expected[0] = (39 - 17) / 73.0;
        expected[1] = (13 - 1) / 15.0;
        expected[2] = Math.log1p(2174) / Math.log1p(99999);
        expected[3] = 0.0;
        expected[4] = (40 - 1) / 98.0;
        expected[5 + 5] = 1; // workclass State-gov is entry 5 of 8
        expected[13 + 0] = 1; // education Bachelors, block starts at 5 + 8
        expected[29 + 2] = 1; // marital-status Never-married, block at 13 + 16
        expected[36 + 8] = 1; // occupation Adm-clerical, block at 29 + 7
        expected[50 + 3] = 1; // relationship Not-in-family, block at 36 + 14
        expected[56 + 0] = 1; // race White, block at 50 + 6
        expected[61 + 1] = 1; // sex Male, block at 56 + 5
        expected[63 + 0] = 1; // native-country United-States, block at 61 + 2 (63 + 41 = 104)
        double[] out = new double[110];
        java.util.Arrays.fill(out, 7.0); // encodeInto must overwrite every coordinate of its range
        double y = enc.encodeInto(r, out, 3);
        assertEquals(0.0, y);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 3, 107), 1e-15);
        assertEquals(7.0, out[2]);
        assertEquals(7.0, out[107]);
    }

    /** adult.test style: "?" gives an all-zero block, clipping, and a positive label with a trailing dot. */
    @Test
    void encode_adultTestRowWithUnknownsAndClipping_zeroBlocksAndClippedValues() {
        RowEncoder enc = new RowEncoder(FeatureSpec.adult(), strings(ADULT_COLUMNS));
        Row r = adultRow("95, ?, 1, Doctorate, 16, Married-civ-spouse, ?, Husband, Other, Female, 200000, 0, 99, "
                + "Atlantis, >50K.");
        double[] x = enc.encode(r);
        assertEquals(1.0, x[0]); // 95 clipped to 90
        assertEquals(1.0, x[1]);
        assertEquals(1.0, x[2]); // 200000 clipped to 99999
        assertEquals(1.0, x[4]);
        for (int j = 5; j < 13; j++) {
            assertEquals(0.0, x[j], "workclass '?' must give zeros");
        }
        for (int j = 36; j < 50; j++) {
            assertEquals(0.0, x[j], "occupation '?' must give zeros");
        }
        for (int j = 63; j < 104; j++) {
            assertEquals(0.0, x[j], "unknown country must give zeros");
        }
        assertEquals(1.0, x[13 + 13]); // Doctorate
        assertEquals(1.0, x[56 + 3]); // race Other
        assertEquals(1.0, x[61]); // Female
        assertEquals(1.0, enc.label(r));
        double sq = 0;
        for (double v : x) {
            sq += v * v;
        }
        assertTrue(Math.sqrt(sq) <= Math.sqrt(13) + 1e-12);
    }

    @Test
    void numericFeature_encode_clipsAndScales() {
        NumericFeature s = NumericFeature.scale("a", -2, 6);
        assertEquals(0.0, s.encode(-5));
        assertEquals(0.25, s.encode(0));
        assertEquals(1.0, s.encode(1e300));
        NumericFeature l = NumericFeature.log1p("b", 0, 99);
        assertEquals(Math.log1p(9) / Math.log1p(99), l.encode(9), 1e-15);
        assertEquals(0.0, l.encode(-0.5));
        NumericFeature l2 = NumericFeature.log1p("c", -0.5, 3);
        assertEquals((Math.log1p(1) - Math.log1p(-0.5)) / (Math.log1p(3) - Math.log1p(-0.5)), l2.encode(1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> s.encode(Double.NaN));
    }

    private static RowEncoder numericEncoder(DataType featureType, DataType labelType) {
        FeatureSpec spec = new FeatureSpec("t", List.of(NumericFeature.scale("x", 0, 10)), LabelSpec.numeric("y"));
        return new RowEncoder(spec, DataTypes.createStructType(List.of(
                DataTypes.createStructField("x", featureType, true),
                DataTypes.createStructField("y", labelType, true))));
    }

    @Test
    void checkFeature_stringValues_classifiedStrictly() {
        RowEncoder enc = numericEncoder(DataTypes.StringType, DataTypes.StringType);
        Object[][] cases = {
            {"5", null}, {" 5 ", null}, {"-1.5e1", null}, {".5", null}, {"5.", null}, {"+2E-3", null},
            {null, ValueProblem.MISSING}, {"", ValueProblem.MISSING}, {"  ", ValueProblem.MISSING},
            {"abc", ValueProblem.NON_NUMERIC}, {"1d", ValueProblem.NON_NUMERIC}, {"0x1p3", ValueProblem.NON_NUMERIC},
            {"1,5", ValueProblem.NON_NUMERIC}, {"e5", ValueProblem.NON_NUMERIC}, {"1e", ValueProblem.NON_NUMERIC},
            {"-", ValueProblem.NON_NUMERIC}, {".", ValueProblem.NON_NUMERIC},
            {"NaN", ValueProblem.NAN}, {"nan", ValueProblem.NAN},
            {"Infinity", ValueProblem.INFINITE}, {"-inf", ValueProblem.INFINITE}, {"1e999", ValueProblem.INFINITE},
        };
        for (Object[] c : cases) {
            assertEquals(c[1], enc.checkFeature(RowFactory.create(c[0], "1"), 0), "value " + c[0]);
        }
        assertEquals(0.5, enc.encode(RowFactory.create(" 5 ", "1"))[0]);
    }

    @Test
    void checkFeature_typedValues_nanAndInfinityDetected() {
        RowEncoder enc = numericEncoder(DataTypes.DoubleType, DataTypes.DoubleType);
        assertNull(enc.checkFeature(RowFactory.create(3.0, 1.0), 0));
        assertEquals(ValueProblem.NAN, enc.checkFeature(RowFactory.create(Double.NaN, 1.0), 0));
        assertEquals(ValueProblem.INFINITE, enc.checkFeature(RowFactory.create(Double.NEGATIVE_INFINITY, 1.0), 0));
        assertEquals(ValueProblem.MISSING, enc.checkFeature(RowFactory.create(null, 1.0), 0));
        RowEncoder dec = numericEncoder(DataTypes.createDecimalType(10, 2), DataTypes.IntegerType);
        assertEquals(0.25, dec.encode(RowFactory.create(new BigDecimal("2.50"), 1))[0]);
        assertEquals(1.0, dec.label(RowFactory.create(new BigDecimal("2.50"), 1)));
    }

    @Test
    void label_numericForms_acceptedOnlyWhenZeroOrOne() {
        RowEncoder s = numericEncoder(DataTypes.StringType, DataTypes.StringType);
        for (String ok : List.of("0", "1", "0.0", "1.0", " 1 ", "true", "FALSE")) {
            assertNull(s.checkLabel(RowFactory.create("1", ok)), ok);
        }
        assertEquals(1.0, s.label(RowFactory.create("1", "1.0")));
        assertEquals(0.0, s.label(RowFactory.create("1", "false")));
        for (String bad : List.of("2", "0.5", "-1", "yes", "NaN")) {
            assertEquals(ValueProblem.LABEL_NOT_BINARY, s.checkLabel(RowFactory.create("1", bad)), bad);
        }
        assertEquals(ValueProblem.LABEL_MISSING, s.checkLabel(RowFactory.create("1", null)));
        assertEquals(ValueProblem.LABEL_MISSING, s.checkLabel(RowFactory.create("1", " ")));
        RowEncoder b = numericEncoder(DataTypes.DoubleType, DataTypes.BooleanType);
        assertEquals(1.0, b.label(RowFactory.create(1.0, true)));
        RowEncoder l = numericEncoder(DataTypes.DoubleType, DataTypes.LongType);
        assertEquals(0.0, l.label(RowFactory.create(1.0, 0L)));
        assertEquals(ValueProblem.LABEL_NOT_BINARY, l.checkLabel(RowFactory.create(1.0, 2L)));
    }

    @Test
    void encodeInto_invalidValue_errorNamesColumnButNotValue() {
        RowEncoder enc = numericEncoder(DataTypes.StringType, DataTypes.StringType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.encode(RowFactory.create("SECRET-42", "1")));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("non-numeric"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class,
                () -> enc.encode(RowFactory.create("1", "SECRET-7")));
        assertTrue(l.getMessage().contains("'y'"), l.getMessage());
        assertFalse(l.getMessage().contains("SECRET"), l.getMessage());
    }

    @Test
    void constructor_missingOrUnsupportedColumns_listedTogether() {
        FeatureSpec spec = new FeatureSpec("t", List.of(NumericFeature.scale("x", 0, 1),
                new OneHotFeature("c", List.of("a")), NumericFeature.scale("z", 0, 1)), LabelSpec.numeric("y"));
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.IntegerType), true),
                DataTypes.createStructField("c", DataTypes.DoubleType, true)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RowEncoder(spec, schema));
        String m = e.getMessage();
        assertTrue(m.contains("column 'x': unsupported type array<int> for a numeric feature"), m);
        assertTrue(m.contains("column 'c': unsupported type double for a one-hot feature"), m);
        assertTrue(m.contains("column 'z': missing from the input"), m);
        assertTrue(m.contains("column 'y': missing from the input"), m);
    }

    @Test
    void oneHot_integralAndBooleanTokens_matchTheirText() {
        FeatureSpec spec = new FeatureSpec("t", List.of(new OneHotFeature("k", List.of("1", "2", "3")),
                new OneHotFeature("b", List.of("false", "true"))), LabelSpec.mapped("y", List.of("7"), List.of("8"),
                false));
        RowEncoder enc = new RowEncoder(spec, DataTypes.createStructType(List.of(
                DataTypes.createStructField("k", DataTypes.IntegerType, true),
                DataTypes.createStructField("b", DataTypes.BooleanType, true),
                DataTypes.createStructField("y", DataTypes.LongType, true))));
        double[] x = new double[5];
        assertEquals(1.0, enc.encodeInto(RowFactory.create(2, true, 7L), x, 0));
        assertArrayEquals(new double[] {0, 1, 0, 0, 1}, x);
        assertEquals(0.0, enc.encodeInto(RowFactory.create(null, null, 8L), x, 0));
        assertArrayEquals(new double[] {0, 0, 0, 0, 0}, x);
        assertEquals(ValueProblem.LABEL_NOT_BINARY, enc.checkLabel(RowFactory.create(1, true, 9L)));
    }

    @Test
    void serialization_roundTrip_encodesTheSame() throws IOException, ClassNotFoundException {
        RowEncoder enc = new RowEncoder(FeatureSpec.adult(), strings(ADULT_COLUMNS));
        RowEncoder back = JavaSerialization.roundTrip(enc);
        Row r = adultRow("50, Self-emp-not-inc, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, "
                + "White, Male, 0, 0, 13, United-States, <=50K");
        assertArrayEquals(enc.encode(r), back.encode(r));
        assertEquals(FeatureSpec.adult(), back.spec());
    }
}
