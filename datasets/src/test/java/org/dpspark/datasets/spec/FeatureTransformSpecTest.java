package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** A vector feature with a fixed DCT transform: the spec, its JSON, the flag form and the encoding (no Spark). */
class FeatureTransformSpecTest {

    static final StructType MNIST_SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType())
            .add("label", DataTypes.DoubleType);

    static double[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] px = new double[784];
        for (int i = 0; i < 784; i++) {
            px[i] = r.nextInt(4) == 0 ? r.nextInt(256) : 0; // sparse, like a digit
        }
        return px;
    }

    @Test
    void withFeatureTransform_mnistDct10_hundredFeaturesAndName() {
        FeatureSpec m = FeatureSpec.mnist();
        assertSame(m, m.withFeatureTransform("raw"));
        assertSame(m, m.withFeatureTransform(" RAW "));
        FeatureSpec d = m.withFeatureTransform("dct:10");
        assertEquals("mnist+dct:10", d.name());
        assertEquals(100, d.dimension());
        VectorFeature v = (VectorFeature) d.features().get(0);
        assertEquals(784, v.size());
        assertEquals(new LowPassDct(28, 28, 10), v.transform());
        assertEquals(m.label(), d.label());
        assertEquals(m.requiredColumns(), d.requiredColumns());
        assertNull(((VectorFeature) m.features().get(0)).transform(), "the built-in spec is unchanged");
    }

    @Test
    void withFeatureTransform_whereItMakesNoSense_refusedInOneLine() {
        FeatureSpec dct = FeatureSpec.mnist().withFeatureTransform("dct:12");
        FeatureSpec twoVectors = new FeatureSpec("two", List.of(VectorFeature.scale("a", 4, 0, 1),
                VectorFeature.scale("b", 4, 0, 1)), LabelSpec.numeric("y"));
        Object[][] cases = {
            {FeatureSpec.adult(), "dct:4", "spec 'adult' has none"},
            {twoVectors, "dct:2", "has several"},
            {dct, "dct:10", "already has the transform dct:12"},
            {FeatureSpec.mnist(), "dct:29", "K in [1, 28]"},
            {FeatureSpec.mnist(), "dct:0", "K in [1, 28]"},
            {FeatureSpec.mnist(), "pool:2", "raw, dct:K or scatter:J,L[,G]"},
            {FeatureSpec.mnist(), null, "raw, dct:K or scatter:J,L[,G]"},
            {new FeatureSpec("odd", List.of(VectorFeature.scale("features", 783, 0, 255)),
                    LabelSpec.multiclass("label", 10)), "dct:10", "not a perfect square"},
        };
        for (Object[] c : cases) {
            FeatureSpec s = (FeatureSpec) c[0];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.withFeatureTransform((String) c[1]), s.name() + " " + c[1]);
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void json_transformRoundTripsAndOldSpecsAreUnchanged() {
        FeatureSpec d = FeatureSpec.mnist().withFeatureTransform("dct:10");
        String json = d.toJson();
        assertTrue(json.contains("\"transform\":{\"type\":\"dct\",\"height\":28,\"width\":28,\"keep\":10}"), json);
        FeatureSpec back = FeatureSpec.fromJson(json);
        assertEquals(d, back);
        assertEquals(json, back.toJson());
        assertFalse(FeatureSpec.mnist().toJson().contains("transform"), "specs without a transform are written as before");
        // a rectangular image can be declared in JSON
        FeatureSpec rect = FeatureSpec.fromJson(json.replace("\"size\":784", "\"size\":560")
                .replace("\"width\":28", "\"width\":20"));
        assertEquals(new LowPassDct(28, 20, 10), ((VectorFeature) rect.features().get(0)).transform());
    }

    @Test
    void json_badTransforms_rejectedNamingTheColumn() {
        String json = FeatureSpec.mnist().withFeatureTransform("dct:10").toJson();
        String[][] cases = {
            {json.replace("\"keep\":10", "\"keep\":29"), "keep"},
            {json.replace("\"keep\":10", "\"keep\":2.5"), "\"keep\" must be an integer"},
            {json.replace("\"type\":\"dct\"", "\"type\":\"pca\""), "type must be \"dct\""},
            {json.replace("\"keep\":10", "\"keep\":10,\"kep\":1"), "kep"},
            {json.replace("\"height\":28,", ""), "\"height\" must be an integer"},
            {json.replace("\"size\":784", "\"size\":100"), "784 elements"},
            {json.replace("{\"type\":\"dct\",\"height\":28,\"width\":28,\"keep\":10}", "\"dct:10\""), "object"},
        };
        assertJsonRefusedNamingTheFeature(cases);
    }

    /** Each case {json, fragment}: the spec is refused with a message naming feature 'features' and the fragment. */
    static void assertJsonRefusedNamingTheFeature(String[][] cases) {
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fromJson(c[0]),
                    c[1]);
            assertTrue(e.getMessage().contains("feature 'features'") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void encode_transformedSpec_equalsDctOfTheScaledPixels_forDenseSparseAndArrays() {
        FeatureSpec raw = FeatureSpec.mnist();
        FeatureSpec dct = raw.withFeatureTransform("dct:12");
        RowEncoder rawEnc = new RowEncoder(raw, MNIST_SCHEMA);
        RowEncoder dctEnc = new RowEncoder(dct, MNIST_SCHEMA);
        assertEquals(144, dctEnc.dimension());
        StructType arraySchema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType);
        RowEncoder arrayEnc = new RowEncoder(dct, arraySchema);
        LowPassDct t = new LowPassDct(28, 28, 12);
        for (long seed = 0; seed < 5; seed++) {
            double[] px = image(seed);
            Vector dense = Vectors.dense(px);
            double[] scaled = rawEnc.encode(new GenericRowWithSchema(new Object[] {dense, 3.0}, MNIST_SCHEMA));
            double[] expected = new double[144];
            t.apply(scaled, 0, expected, 0);
            double[] out = new double[150];
            double y = dctEnc.encodeInto(new GenericRowWithSchema(new Object[] {dense, 3.0}, MNIST_SCHEMA), out, 6);
            assertEquals(3.0, y);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 6, 150), 0.0, "dense");
            assertArrayEquals(expected, dctEnc.encode(new GenericRowWithSchema(
                    new Object[] {dense.toSparse(), 3.0}, MNIST_SCHEMA)), 1e-12, "sparse");
            List<Double> list = new ArrayList<>();
            for (double p : px) {
                list.add(p);
            }
            assertArrayEquals(expected, arrayEnc.encode(new GenericRowWithSchema(new Object[] {
                scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq(), 3.0}, arraySchema)), 0.0, "array");
            double norm2 = 0;
            for (double c : expected) {
                norm2 += c * c;
            }
            assertTrue(norm2 <= 784, "the spec's norm bound sqrt(size) holds after the transform");
        }
        // the size check is on the input vector (784), not on the 144 outputs
        Row short144 = new GenericRowWithSchema(new Object[] {Vectors.dense(new double[144]), 1.0}, MNIST_SCHEMA);
        assertEquals(ValueProblem.WRONG_SIZE, dctEnc.checkFeature(short144, 0));
        assertNull(dctEnc.checkFeature(new GenericRowWithSchema(new Object[] {Vectors.dense(image(9)), 1.0},
                MNIST_SCHEMA), 0));
    }

    @Test
    void encoder_serialized_likeShippedToExecutors_encodesTheSame() throws IOException, ClassNotFoundException {
        RowEncoder enc = new RowEncoder(FeatureSpec.mnist().withFeatureTransform("dct:10"), MNIST_SCHEMA);
        RowEncoder back = JavaSerialization.roundTrip(enc);
        Row r = new GenericRowWithSchema(new Object[] {Vectors.dense(image(3)), 7.0}, MNIST_SCHEMA);
        assertArrayEquals(enc.encode(r), back.encode(r), 0.0);
        assertEquals(enc.spec(), back.spec());
    }
}
