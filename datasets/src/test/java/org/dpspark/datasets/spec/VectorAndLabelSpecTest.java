package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Vector features, multiclass and regression labels: JSON, checks and encoding (no Spark session). */
class VectorAndLabelSpecTest {

    private static final String SPEC = """
            {"format_version":1,"name":"v",
             "label":{"column":"y","num_classes":5},
             "features":[{"column":"px","encoding":"scale","size":3,"min":0,"max":255},
                         {"column":"amount","encoding":"log1p","size":2,"min":0,"max":1000},
                         {"column":"age","encoding":"scale","min":0,"max":100}]}""";

    @Test
    void json_vectorFeaturesAndLabels_parseAndRoundTrip() {
        FeatureSpec s = FeatureSpec.fromJson(SPEC);
        assertEquals(List.of(VectorFeature.scale("px", 3, 0, 255),
                new VectorFeature("amount", 2, NumericFeature.Encoding.LOG1P, 0, 1000),
                NumericFeature.scale("age", 0, 100)), s.features());
        assertEquals(LabelSpec.multiclass("y", 5), s.label());
        assertEquals(6, s.dimension());
        assertArrayEquals(new int[] {0, 3, 5}, s.offsets());
        FeatureSpec regression = new FeatureSpec("r", s.features(), LabelSpec.regression("y", -1.5, 20));
        FeatureSpec binary = new FeatureSpec("b", s.features(), LabelSpec.numeric("y"));
        for (FeatureSpec spec : List.of(s, regression, binary, FeatureSpec.mnist())) {
            FeatureSpec back = FeatureSpec.fromJson(spec.toJson());
            assertEquals(spec, back, spec.toJson());
            assertEquals(spec.toJson(), back.toJson());
        }
        assertTrue(regression.toJson().contains("\"min\":-1.5,\"max\":20.0"), regression.toJson());
        assertTrue(regression.label().isRegression());
        assertEquals(2, binary.label().numClasses()); // binary JSON carries no num_classes
        assertTrue(!binary.toJson().contains("num_classes"), binary.toJson());
    }

    @Test
    void builtinMnist_784ScaledPixelsAndTenClasses() {
        FeatureSpec m = FeatureSpec.resolve(" MNIST ", null);
        assertSame(FeatureSpec.mnist(), m);
        assertEquals(784, m.dimension());
        assertEquals(List.of(VectorFeature.scale("features", 784, 0, 255)), m.features());
        assertEquals(10, m.label().numClasses());
        assertEquals("label", m.label().column());
        assertTrue(FeatureSpec.builtinNames().contains("mnist"));
    }

    @Test
    void json_badVectorOrLabelSpecs_rejectedNamingTheColumn() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("size 0", new String[] {SPEC.replace("\"size\":3", "\"size\":0"), "feature 'px'", "size"});
        cases.put("size not integer", new String[] {SPEC.replace("\"size\":3", "\"size\":2.5"), "feature 'px'",
            "integer"});
        cases.put("vector min >= max", new String[] {SPEC.replace("\"max\":255", "\"max\":0"), "feature 'px'",
            "min"});
        cases.put("vector unknown key", new String[] {SPEC.replace("\"size\":3,", "\"size\":3,\"sise\":3,"),
            "feature 'px'", "sise"});
        cases.put("one class", new String[] {SPEC.replace("\"num_classes\":5", "\"num_classes\":1"), "label 'y'",
            "num_classes"});
        cases.put("classes and bounds", new String[] {SPEC.replace("\"num_classes\":5",
            "\"num_classes\":5,\"min\":0,\"max\":1"), "label 'y'", "regression"});
        cases.put("regression min only", new String[] {SPEC.replace("\"num_classes\":5", "\"min\":0"),
            "label 'y'", "max"});
        cases.put("regression min > max", new String[] {SPEC.replace("\"num_classes\":5", "\"min\":2,\"max\":1"),
            "label 'y'", "min < max"});
        cases.put("mapped multiclass", new String[] {SPEC.replace("\"num_classes\":5",
            "\"num_classes\":5,\"positive\":[\"a\"],\"negative\":[\"b\"]"), "label 'y'", "binary"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String[] v = c.getValue();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FeatureSpec.fromJson(v[0]), c.getKey());
            assertTrue(e.getMessage().contains(v[1]) && e.getMessage().contains(v[2]),
                    c.getKey() + ": " + e.getMessage());
        }
    }

    private static final StructType SCHEMA = new StructType()
            .add("px", SQLDataTypes.VectorType())
            .add("amount", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("age", DataTypes.StringType)
            .add("y", DataTypes.StringType);

    private static Row row(Object px, Object amount, Object age, Object y) {
        return new GenericRowWithSchema(new Object[] {px, amount == null ? null
                : scala.jdk.javaapi.CollectionConverters.asScala((List<?>) amount).toSeq(), age, y}, SCHEMA);
    }

    @Test
    void encode_denseSparseAndArrayVectors_clippedAndScaledPerElement() {
        FeatureSpec s = FeatureSpec.fromJson(SPEC);
        RowEncoder enc = new RowEncoder(s, SCHEMA);
        double[] x = new double[6];
        double y = enc.encodeInto(row(Vectors.dense(0, 51, 300), Arrays.asList(0, 9), "50", "4"), x, 0);
        double log = Math.log1p(1000);
        assertArrayEquals(new double[] {0, 0.2, 1, 0, Math.log1p(9) / log, 0.5}, x, 1e-15);
        assertEquals(4.0, y);
        y = enc.encodeInto(row(Vectors.sparse(3, new int[] {2}, new double[] {25.5}), Arrays.asList(5000, -3), "0",
                "0.0"), x, 0);
        assertArrayEquals(new double[] {0, 0, 0.1, 1, 0, 0}, x, 1e-15);
        assertEquals(0.0, y);
    }

    @Test
    void checks_vectorProblemsAndMulticlassLabels_classifiedWithoutValues() {
        RowEncoder enc = new RowEncoder(FeatureSpec.fromJson(SPEC), SCHEMA);
        assertNull(enc.checkFeature(row(Vectors.dense(1, 2, 3), List.of(1, 2), "1", "1"), 0));
        assertEquals(ValueProblem.WRONG_SIZE, enc.checkFeature(row(Vectors.dense(1, 2), List.of(1, 2), "1", "1"), 0));
        assertEquals(ValueProblem.NAN, enc.checkFeature(row(Vectors.dense(1, Double.NaN, 3), null, "1", "1"), 0));
        assertEquals(ValueProblem.INFINITE, enc.checkFeature(row(Vectors.sparse(3, new int[] {0},
                new double[] {Double.NEGATIVE_INFINITY}), null, "1", "1"), 0));
        assertEquals(ValueProblem.MISSING, enc.checkFeature(row(null, null, "1", "1"), 0));
        assertEquals(ValueProblem.MISSING, enc.checkFeature(row(null, Arrays.asList(1, null), "1", "1"), 1));
        assertEquals(ValueProblem.WRONG_SIZE, enc.checkFeature(row(null, List.of(1, 2, 3), "1", "1"), 1));
        for (String bad : new String[] {"5", "-1", "2.5", "true", "abc", "NaN"}) {
            assertEquals(ValueProblem.LABEL_NOT_CLASS_INDEX, enc.checkLabel(row(null, null, "1", bad)), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> enc.label(row(null, null, "1", bad)));
            assertTrue(!e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("column 'y'"),
                    e.getMessage());
        }
        assertEquals(ValueProblem.LABEL_MISSING, enc.checkLabel(row(null, null, "1", " ")));
        assertEquals(3.0, enc.label(row(null, null, "1", " 3 ")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.encodeInto(row(Vectors.dense(1, 2), List.of(1, 2), "1", "1"), new double[6], 0));
        assertTrue(e.getMessage().contains("column 'px'") && e.getMessage().contains("wrong size"), e.getMessage());
    }

    @Test
    void regressionLabel_clippedToBounds() {
        FeatureSpec s = new FeatureSpec("r", List.of(NumericFeature.scale("age", 0, 100)),
                LabelSpec.regression("y", 0.0, 10.0));
        RowEncoder enc = new RowEncoder(s, SCHEMA);
        assertEquals(10.0, enc.label(row(null, null, "1", "1e9")));
        assertEquals(0.0, enc.label(row(null, null, "1", "-Infinity")));
        assertEquals(2.5, enc.label(row(null, null, "1", "2.5")));
        assertEquals(ValueProblem.LABEL_NAN, enc.checkLabel(row(null, null, "1", "nan")));
        assertEquals(ValueProblem.LABEL_NON_NUMERIC, enc.checkLabel(row(null, null, "1", "ten")));
    }
}
