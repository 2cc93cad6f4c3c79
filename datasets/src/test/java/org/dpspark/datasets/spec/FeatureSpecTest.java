package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureSpecTest {

    private static final String CUSTOM = """
            {"format_version":1,"name":"custom",
             "label":{"column":"y"},
             "features":[{"column":"a","encoding":"scale","min":-2,"max":2.5},
                         {"column":"b.c","encoding":"log1p","min":-0.5,"max":1e6},
                         {"column":"colour","encoding":"onehot","vocabulary":["red","green"]}]}""";

    @Test
    void fromJson_customSpec_parsesEveryField() {
        FeatureSpec s = FeatureSpec.fromJson(CUSTOM);
        assertEquals("custom", s.name());
        assertEquals(List.of(NumericFeature.scale("a", -2, 2.5), NumericFeature.log1p("b.c", -0.5, 1e6),
                new OneHotFeature("colour", List.of("red", "green"))), s.features());
        assertTrue(s.label().isNumeric());
        assertEquals("y", s.label().column());
        assertEquals(4, s.dimension());
        assertEquals(List.of("a", "b.c", "colour", "y"), s.requiredColumns());
        assertTrue(Arrays.equals(new int[] {0, 1, 2}, s.offsets()));
    }

    @Test
    void toJson_roundTrip_givesEqualSpec() {
        for (FeatureSpec s : List.of(FeatureSpec.fromJson(CUSTOM), FeatureSpec.adult())) {
            String json = s.toJson();
            assertTrue(json.contains("\"format_version\":1"), json);
            FeatureSpec back = FeatureSpec.fromJson(json);
            assertEquals(s, back);
            assertEquals(json, back.toJson());
        }
    }

    @Test
    void withLabelColumn_keepsMappingAndFeatures() {
        FeatureSpec s = FeatureSpec.adult().withLabelColumn("target");
        assertEquals("target", s.label().column());
        assertEquals(List.of(">50K"), s.label().positive());
        assertTrue(s.label().stripTrailingDot());
        assertEquals(FeatureSpec.adult().features(), s.features());
        assertEquals("target", s.requiredColumns().get(s.requiredColumns().size() - 1));
    }

    @Test
    void resolve_builtinName_returnsAdultCaseInsensitively() {
        assertSame(FeatureSpec.adult(), FeatureSpec.resolve("adult", null));
        assertSame(FeatureSpec.adult(), FeatureSpec.resolve(" Adult ", new Configuration()));
    }

    @Test
    void resolve_jsonFile_readsThroughHadoopFs(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("spec.json");
        Files.writeString(f, CUSTOM);
        assertEquals(FeatureSpec.fromJson(CUSTOM), FeatureSpec.resolve(f.toString(), new Configuration()));
        assertEquals(FeatureSpec.fromJson(CUSTOM), FeatureSpec.resolve(f.toUri().toString(), null));
    }

    @Test
    void resolve_unknownNameOrMissingFile_failsNamingIt(@TempDir Path dir) {
        String missing = dir.resolve("nope.json").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSpec.resolve(missing, null));
        assertTrue(e.getMessage().contains("nope.json") && e.getMessage().contains("adult"), e.getMessage());
    }

    @Test
    void resolve_invalidJsonFile_failsNamingFileAndColumn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, CUSTOM.replace("\"max\":2.5", "\"max\":-3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSpec.resolve(f.toString(), null));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("feature 'a'"), e.getMessage());
    }

    /** Each bad spec must be rejected with a message naming the offending column (or key). */
    @Test
    void fromJson_badSpecs_rejectedNamingTheColumn() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("min >= max", new String[] {CUSTOM.replace("\"max\":2.5", "\"max\":-2"), "feature 'a'", "min"});
        cases.put("min == max", new String[] {CUSTOM.replace("\"max\":2.5", "\"max\":-2.0"), "feature 'a'", "<"});
        cases.put("infinite max", new String[] {CUSTOM.replace("\"max\":2.5", "\"max\":1e999"), "feature 'a'",
            "finite"});
        cases.put("log1p min <= -1", new String[] {CUSTOM.replace("\"min\":-0.5", "\"min\":-1"), "feature 'b.c'",
            "min > -1"});
        cases.put("empty vocabulary", new String[] {CUSTOM.replace("[\"red\",\"green\"]", "[]"),
            "feature 'colour'", "non-empty"});
        cases.put("duplicate vocabulary", new String[] {CUSTOM.replace("[\"red\",\"green\"]",
            "[\"red\",\"green\",\"red\"]"), "feature 'colour'", "duplicate"});
        cases.put("untrimmed token", new String[] {CUSTOM.replace("\"green\"", "\" green\""), "feature 'colour'",
            "whitespace"});
        cases.put("unknown encoding", new String[] {CUSTOM.replace("\"log1p\"", "\"sqrt\""), "feature 'b.c'",
            "sqrt"});
        cases.put("unknown key", new String[] {CUSTOM.replace("\"min\":-2,", "\"mni\":-2,\"min\":-2,"),
            "feature 'a'", "mni"});
        cases.put("missing max", new String[] {CUSTOM.replace(",\"max\":2.5", ""), "feature 'a'", "max"});
        cases.put("string min", new String[] {CUSTOM.replace("\"min\":-2", "\"min\":\"-2\""), "feature 'a'",
            "number"});
        // the same column with another encoding is allowed (SpecExtensionsTest); the same feature twice is not
        cases.put("duplicate feature", new String[] {CUSTOM.replace("{\"column\":\"b.c\",\"encoding\":\"log1p\","
            + "\"min\":-0.5,\"max\":1e6}", "{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-2,\"max\":2.5}"),
            "feature 'a'", "listed twice with the same encoding"});
        cases.put("label is a feature", new String[] {CUSTOM.replace("{\"column\":\"y\"}", "{\"column\":\"a\"}"),
            "'a'", "label"});
        cases.put("only positive labels", new String[] {CUSTOM.replace("{\"column\":\"y\"}",
            "{\"column\":\"y\",\"positive\":[\"1\"]}"), "label 'y'", "both"});
        cases.put("label in both lists", new String[] {CUSTOM.replace("{\"column\":\"y\"}",
            "{\"column\":\"y\",\"positive\":[\"p\"],\"negative\":[\"p\"]}"), "label 'y'", "twice"});
        cases.put("format version 2", new String[] {CUSTOM.replace("\"format_version\":1", "\"format_version\":2"),
            "format_version", "1"});
        cases.put("no format version", new String[] {CUSTOM.replace("\"format_version\":1,", ""),
            "format_version", "1"});
        cases.put("duplicate key", new String[] {CUSTOM.replace("\"name\":\"custom\"",
            "\"name\":\"custom\",\"name\":\"x\""), "name", ""});
        cases.put("no features", new String[] {"{\"format_version\":1,\"name\":\"n\",\"label\":{\"column\":\"y\"},"
            + "\"features\":[]}", "features", "non-empty"});
        cases.put("not json", new String[] {"{", "JSON", ""});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String[] v = c.getValue();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FeatureSpec.fromJson(v[0]), c.getKey());
            assertTrue(e.getMessage().contains(v[1]) && e.getMessage().contains(v[2]),
                    c.getKey() + ": " + e.getMessage());
        }
    }

    @Test
    void adult_dimensionAndLayout_matchAdultFeaturesMd() {
        FeatureSpec s = FeatureSpec.adult();
        assertEquals(104, s.dimension());
        List<String> order = new ArrayList<>();
        s.features().forEach(f -> order.add(f.column() + ":" + f.width()));
        assertEquals(List.of("age:1", "education-num:1", "capital-gain:1", "capital-loss:1", "hours-per-week:1",
                "workclass:8", "education:16", "marital-status:7", "occupation:14", "relationship:6", "race:5",
                "sex:2", "native-country:41"), order);
        assertEquals(NumericFeature.scale("age", 17, 90), s.features().get(0));
        assertEquals(NumericFeature.log1p("capital-gain", 0, 99999), s.features().get(2));
        assertEquals(NumericFeature.log1p("capital-loss", 0, 5000), s.features().get(3));
        assertFalse(s.requiredColumns().contains("fnlwgt"));
        assertEquals(LabelSpec.mapped("income", List.of(">50K"), List.of("<=50K"), true), s.label());
    }

    /** The built-in vocabularies must equal, in order, the lists in the dataset's own documentation. */
    @Test
    void adult_vocabularies_equalAdultNamesInOrder() throws IOException {
        Path names = Path.of(System.getProperty("dpspark.shared.dir", "../../shared"), "datasets", "adult",
                "adult.names");
        assumeTrue(Files.isRegularFile(names), "skipped: " + names + " not found (shared datasets folder absent)");
        Map<String, List<String>> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(names, StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.endsWith(".") && !line.startsWith(" ") && !line.contains("continuous")) {
                String body = line.substring(colon + 1, line.length() - 1);
                List<String> tokens = new ArrayList<>();
                for (String t : body.split(",")) {
                    tokens.add(t.strip());
                }
                documented.put(line.substring(0, colon).strip(), tokens);
            }
        }
        int checked = 0;
        for (FeatureColumn f : FeatureSpec.adult().features()) {
            if (f instanceof OneHotFeature h) {
                assertEquals(documented.get(h.column()), h.vocabulary(), h.column());
                checked++;
            }
        }
        assertEquals(8, checked);
    }
}
