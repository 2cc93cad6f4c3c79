package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.features.GroupNorm;
import org.dpspark.core.features.Scattering2D;
import org.junit.jupiter.api.Test;

/** The scattering feature transform in a spec: the flag form, JSON, the encoding and the norm bound (no Spark). */
class ScatterTransformSpecTest {

    private static final StructType MNIST_SCHEMA = FeatureTransformSpecTest.MNIST_SCHEMA;

    private static double[] image(long seed) {
        return FeatureTransformSpecTest.image(seed);
    }

    private static Row row(double[] px) {
        return new GenericRowWithSchema(new Object[] {Vectors.dense(px), 4.0}, MNIST_SCHEMA);
    }

    @Test
    void withFeatureTransform_scatter28_81ChannelsOf7x7_groupsDefaultTo27() {
        FeatureSpec s = FeatureSpec.mnist().withFeatureTransform("scatter:2,8");
        assertEquals("mnist+scatter:2,8", s.name());
        assertEquals(81 * 49, s.dimension());
        ScatterTransform t = (ScatterTransform) ((VectorFeature) s.features().get(0)).transform();
        assertEquals(new ScatterTransform(28, 28, 2, 8, 27), t);
        assertEquals(81, t.channels());
        assertEquals("scatter:2,8", t.text());
        ScatterTransform none = (ScatterTransform) ((VectorFeature) FeatureSpec.mnist()
                .withFeatureTransform(" SCATTER:2,8,0 ").features().get(0)).transform();
        assertEquals(0, none.groups());
        assertEquals("scatter:2,8,0", none.text());
        assertEquals(81, ((ScatterTransform) ((VectorFeature) FeatureSpec.mnist().withFeatureTransform("scatter:2,8,81")
                .features().get(0)).transform()).groups());
    }

    @Test
    void badScatterForms_refusedInOneLineNamingTheProblem() {
        Object[][] cases = {
            {"scatter:2", "two or three integers"},
            {"scatter:2,8,3,1", "two or three integers"},
            {"scatter:a,8", "integers"},
            {"scatter:0,8", "J must be in [1, 6]"},
            {"scatter:2,0", "L must be in [1, 16]"},
            {"scatter:5,8", "at least 32 x 32"},
            {"scatter:2,8,4", "divide the 81 channels"},
            {"scatter:2,8,-1", "divide the 81 channels"},
        };
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FeatureSpec.mnist().withFeatureTransform((String) c[0]), (String) c[0]);
            assertTrue(e.getMessage().contains((String) c[1]) && e.getMessage().contains("feature 'features'"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        FeatureSpec odd = new FeatureSpec("odd", List.of(VectorFeature.scale("features", 783, 0, 255)),
                LabelSpec.multiclass("label", 10));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> odd.withFeatureTransform("scatter:2,8"))
                .getMessage().contains("not a perfect square"));
    }

    @Test
    void json_roundTrips_andBadValuesAreRefused() {
        FeatureSpec s = FeatureSpec.mnist().withFeatureTransform("scatter:2,8");
        String json = s.toJson();
        assertTrue(json.contains("\"transform\":{\"type\":\"scatter\",\"height\":28,\"width\":28,\"j\":2,\"l\":8,"
                + "\"groups\":27}"), json);
        FeatureSpec back = FeatureSpec.fromJson(json);
        assertEquals(s, back);
        assertEquals(json, back.toJson());
        String[][] cases = {
            {json.replace("\"groups\":27", "\"groups\":5"), "divide the 81 channels"},
            {json.replace("\"j\":2,", ""), "\"j\" must be an integer"},
            {json.replace("\"groups\":27", "\"groups\":27,\"keep\":3"), "keep"},
            {json.replace("\"type\":\"scatter\"", "\"type\":\"wavelet\""), "type must be \"dct\" or \"scatter\""},
        };
        FeatureTransformSpecTest.assertJsonRefusedNamingTheFeature(cases);
    }

    @Test
    void encode_equalsScatteringThenGroupNormOfTheScaledPixels_andStaysWithinTheSpecBound() {
        FeatureSpec raw = FeatureSpec.mnist();
        FeatureSpec sc = raw.withFeatureTransform("scatter:2,8");
        RowEncoder rawEnc = new RowEncoder(raw, MNIST_SCHEMA);
        RowEncoder enc = new RowEncoder(sc, MNIST_SCHEMA);
        Scattering2D s = new Scattering2D(28, 28, 2, 8);
        double bound = sc.normBound();
        assertEquals(Math.sqrt(3969), bound, 1e-12, "group-normalized features: sqrt(dimension) whatever the image");
        for (long seed = 0; seed < 4; seed++) {
            double[] px = image(seed);
            double[] scaled = rawEnc.encode(row(px));
            double[] expected = new double[3969];
            s.apply(scaled, 0, expected, 0);
            GroupNorm.apply(expected, 0, 81, 49, 27, ScatterTransform.GROUP_NORM_EPS);
            double[] got = enc.encode(row(px));
            assertArrayEquals(expected, got, 0.0);
            double n2 = 0;
            for (double v : got) {
                n2 += v * v;
            }
            assertTrue(Math.sqrt(n2) <= bound, Math.sqrt(n2) + " > " + bound);
        }
        // without normalization: the scattering operator's proven factor times the pixels' bound sqrt(784)
        FeatureSpec plain = raw.withFeatureTransform("scatter:2,8,0");
        assertEquals(s.normBound() * 28, plain.normBound(), 1e-9);
        RowEncoder plainEnc = new RowEncoder(plain, MNIST_SCHEMA);
        double[] white = new double[784];
        java.util.Arrays.fill(white, 255);
        double n2 = 0;
        for (double v : plainEnc.encode(row(white))) {
            n2 += v * v;
        }
        assertTrue(Math.sqrt(n2) <= plain.normBound(), Math.sqrt(n2) + " > " + plain.normBound());
    }

    @Test
    void encoder_serialized_rebuildsTheOperator_andEncodesTheSame() throws IOException, ClassNotFoundException {
        RowEncoder enc = new RowEncoder(FeatureSpec.mnist().withFeatureTransform("scatter:2,8"), MNIST_SCHEMA);
        RowEncoder back = JavaSerialization.roundTrip(enc);
        Row r = row(image(11));
        assertArrayEquals(enc.encode(r), back.encode(r), 0.0);
        assertEquals(enc.spec(), back.spec());
        byte[] bytes = JavaSerialization.bytes(new ScatterTransform(28, 28, 2, 8, 27));
        assertTrue(bytes.length < 2000, "the filters are not shipped with the spec: " + bytes.length + " bytes");
    }

    private static ChannelNormalization.Standardization stats(int channels, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = r.nextGaussian() * 0.1;
            var[c] = c == 5 ? 0.0 : 0.5 + r.nextDouble();
        }
        return new ChannelNormalization.Standardization(mean, var);
    }

    @Test
    void dataNormalization_encodesAfterGroupNorm_roundTripsInJson_andKeepsABound() {
        FeatureSpec sc = FeatureSpec.mnist().withFeatureTransform("scatter:2,8");
        ChannelNormalization.Standardization st = stats(81, 3);
        FeatureSpec normed = sc.withNormalization(st);
        assertEquals(sc.name(), normed.name());
        assertEquals(sc.dimension(), normed.dimension());
        assertEquals(st, normed.scatterTransform().orElseThrow().normalization().orElseThrow());
        assertTrue(sc.scatterTransform().orElseThrow().normalization().isEmpty());
        RowEncoder enc = new RowEncoder(sc, MNIST_SCHEMA);
        RowEncoder normedEnc = new RowEncoder(normed, MNIST_SCHEMA);
        for (long seed = 0; seed < 3; seed++) {
            Row r = row(image(seed));
            double[] expected = enc.encode(r);
            for (int c = 0; c < 81; c++) {
                double k = 1 / Math.sqrt(st.variance()[c] + ChannelNormalization.EPS);
                for (int p = 0; p < 49; p++) {
                    expected[c * 49 + p] = (expected[c * 49 + p] - st.mean()[c]) * k;
                }
            }
            double[] got = normedEnc.encode(r);
            assertArrayEquals(expected, got, 1e-12);
            double n2 = 0;
            for (double v : got) {
                n2 += v * v;
            }
            assertTrue(Math.sqrt(n2) <= normed.normBound(), Math.sqrt(n2) + " > " + normed.normBound());
        }
        String json = normed.toJson();
        assertTrue(json.contains("\"mean\":[") && json.contains("\"variance\":["), json);
        FeatureSpec back = FeatureSpec.fromJson(json);
        assertEquals(normed, back, "doubles round-trip exactly");
        assertEquals(json, back.toJson());
        String[][] cases = {
            {json.replaceFirst(",\"variance\":\\[[^\\]]*\\]", ""), "come together"},
            {json.replaceFirst("\"mean\":\\[[^,]*,", "\"mean\":["), "one entry per channel"},
            {json.replaceFirst("\"variance\":\\[[^,]*,", "\"variance\":[-1,"), "channel 0"},
            {json.replaceFirst("\"mean\":\\[", "\"mean\":[\"x\","), "\"mean\"[0] must be a number"},
        };
        FeatureTransformSpecTest.assertJsonRefusedNamingTheFeature(cases);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSpec.mnist().withNormalization(st));
        assertTrue(e.getMessage().contains("scatter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sc.withNormalization(stats(17, 1)));
        assertTrue(e.getMessage().contains("17 channels"), e.getMessage());
    }

    @Test
    void whitening_encodesAfterTheScattering_andRoundTripsInJson() {
        FeatureSpec sc = FeatureSpec.mnist().withFeatureTransform("scatter:2,8,0");
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        double[] mean = new double[81];
        double[] w = new double[81 * 81];
        for (int a = 0; a < 81; a++) {
            mean[a] = 0.01 * r.nextGaussian();
            for (int b = 0; b <= a; b++) {
                double v = a == b ? 2 + r.nextDouble() : 0.1 * r.nextGaussian();
                w[a * 81 + b] = v;
                w[b * 81 + a] = v;
            }
        }
        ChannelNormalization.Whitening wh = new ChannelNormalization.Whitening(mean, w, 3e-4);
        FeatureSpec white = sc.withNormalization(wh);
        Row row = row(image(7));
        double[] plain = new RowEncoder(sc, MNIST_SCHEMA).encode(row);
        double[] expected = new double[plain.length];
        for (int p = 0; p < 49; p++) {
            for (int a = 0; a < 81; a++) {
                double s = 0;
                for (int b = 0; b < 81; b++) {
                    s += w[a * 81 + b] * (plain[b * 49 + p] - mean[b]);
                }
                expected[a * 49 + p] = s;
            }
        }
        assertArrayEquals(expected, new RowEncoder(white, MNIST_SCHEMA).encode(row), 1e-12);
        String json = white.toJson();
        assertTrue(json.contains("\"whitening\":[") && json.contains("\"eps\":3.0E-4"), json.substring(0, 300));
        assertEquals(white, FeatureSpec.fromJson(json));
        String[][] cases = {
            {json.replace("\"eps\":3.0E-4", "\"eps\":0"), "eps must be a positive"},
            {json.replaceFirst("\"whitening\":\\[[^,]*,", "\"whitening\":["), "C x C matrix"},
            {json.replaceFirst("\"whitening\":", "\"variance\":[1],\"whitening\":"), "not both"},
        };
        FeatureTransformSpecTest.assertJsonRefusedNamingTheFeature(cases);
    }
}
