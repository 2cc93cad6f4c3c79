package org.dpspark.jobs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.ProvenanceFixtures;
import org.dpspark.jobs.provenance.ProvenanceJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json: the committed format-1 samples read back exactly, format 2 round trips, bad files refused. */
public class SavedModelTest {
    private static final Configuration CONF = new Configuration();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    static String sample(String name) {
        try {
            return Paths.get(SavedModelTest.class.getResource("/model-format/" + name).toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode raw(String name) throws IOException {
        return JSON.readTree(Files.readString(Paths.get(sample(name), "model.json")));
    }

    /** Three features a, b (scaled) and color (one-hot of 3): d = 5, the layout of the mlp sample's spec. */
    public static FeatureSpec smallSpec() {
        return new FeatureSpec("small", List.of(NumericFeature.scale("a", 0, 10), NumericFeature.scale("b", -5, 5),
                new OneHotFeature("color", List.of("red", "green", "blue"))), LabelSpec.numeric("y"));
    }

    @Test
    void v1Logistic_readsWeightsInterceptClaimAndLedgerExactly() throws IOException {
        SavedModel m = SavedModel.read(CONF, sample("v1/logistic"));
        JsonNode raw = raw("v1/logistic");
        assertEquals(ModelSpec.binaryLogistic(20), m.spec());
        double[] p = m.params();
        assertEquals(21, p.length);
        for (int i = 0; i < 20; i++) {
            assertEquals(raw.get("weights").get(i).doubleValue(), p[i], 0.0);
        }
        assertEquals(0.8872348712013787, p[0], 0.0);
        assertEquals(0.13725791898909517, p[20], 0.0);
        ModelProvenance prov = m.provenance();
        assertEquals(0.9999158596123883, prov.claim().epsilon(), 0.0);
        assertEquals(1e-5, prov.claim().delta(), 0.0);
        assertEquals("pld", prov.claim().accountant());
        assertEquals(1.785545496911142, prov.claim().rdpEpsilon(), 0.0);
        assertEquals(0.7777530239705032, prov.claim().noiseMultiplier(), 0.0);
        assertEquals(234, prov.claim().steps());
        assertEquals(Boolean.TRUE, prov.claim().calibrated());
        assertEquals(1.0, prov.claim().targetEpsilon(), 0.0);
        assertFalse(prov.claim().insecureTestRun());
        assertEquals("v1-sample-logistic", prov.jobId());
        assertEquals(60000, prov.data().rows());
        assertEquals("synthetic:logistic(rows=60000,features=20,seed=1)", prov.data().fingerprint());
        assertEquals(ProvenanceJson.UNKNOWN, prov.data().format());
        assertEquals(ProvenanceJson.UNKNOWN, prov.trainer().stepMode());
        assertNull(prov.createdAt());
        assertTrue(prov.ledger().isRecorded());
        assertEquals("synthetic-logistic-rows-60000-features-20-seed-1", prov.ledger().datasetId());
        assertEquals(2L, prov.ledger().commitSeq());
        assertNull(prov.ledger().budgetEpsilon());
        assertEquals("synthetic-logistic-20", m.featureSpec().name());
    }

    @Test
    void v1Mlp_readsFlatParamsAndClaimExactly() throws IOException {
        SavedModel m = SavedModel.read(CONF, sample("v1/mlp"));
        JsonNode raw = raw("v1/mlp");
        assertEquals(ModelSpec.mlp(5, new int[] {8}, "relu", 2), m.spec());
        double[] p = m.params();
        assertEquals(66, p.length);
        for (int i = 0; i < p.length; i++) {
            assertEquals(raw.get("params").get(i).doubleValue(), p[i], 0.0);
        }
        assertEquals(0.17270544023914478, p[0], 0.0);
        assertEquals(1.999996369118376, m.provenance().claim().epsilon(), 0.0);
        assertEquals(1e-3, m.provenance().claim().delta(), 0.0);
        assertEquals(0.125, m.provenance().claim().samplingRate(), 0.0);
        assertEquals("/tmp/prov-v1/small.csv", m.provenance().data().input());
        assertEquals(400, m.provenance().data().rows());
        assertEquals(2L, m.provenance().ledger().commitSeq());
        assertEquals(smallSpec().features(), m.featureSpec().features());
    }

    @Test
    void v2_writtenToday_readsBackEqual() {
        SavedModel m = new SavedModel(ModelSpec.mlp(5, new int[] {3}, "tanh", 2), params(5 * 3 + 3 + 3 * 2 + 2),
                smallSpec(), ProvenanceFixtures.provenance(5, ProvenanceFixtures.receipt()));
        String out = dir.resolve("model").toString();
        m.write(CONF, out, false);
        SavedModel back = SavedModel.read(CONF, out);
        assertEquals(m, back);
        assertArrayEquals(m.params(), back.params());
        assertEquals(m.provenance(), back.provenance());
    }

    @Test
    void v2_existingFolder_isRefusedUnlessOverwrite() {
        SavedModel m = logistic(LedgerReceipt.none("insecure test run"));
        String out = dir.resolve("model").toString();
        m.write(CONF, out, false);
        assertThrows(IllegalArgumentException.class, () -> m.write(CONF, out, false));
        m.write(CONF, out, true);
        assertEquals(m, SavedModel.read(CONF, out));
    }

    @Test
    void futureVersion_isRefusedInOneLineNamingTheFile() throws IOException {
        ObjectNode n = logistic(ProvenanceFixtures.receipt()).toJson();
        n.put("format_version", 3);
        Path f = writeModel(n.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.read(CONF, f.getParent().toString()));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("format_version 3 is newer"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void corruptFile_isRefusedInOneLineNamingTheFile() throws IOException {
        String json = logistic(ProvenanceFixtures.receipt()).toJson().toString();
        Path f = writeModel(json.substring(0, json.length() / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.read(CONF, f.getParent().toString()));
        assertTrue(e.getMessage().startsWith(f.toString() + ": not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void missingField_isRefusedNamingFileAndField() throws IOException {
        ObjectNode n = logistic(ProvenanceFixtures.receipt()).toJson();
        ((ObjectNode) n.get("provenance").get("claim")).remove("delta");
        Path f = writeModel(n.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.read(CONF, f.getParent().toString()));
        assertEquals(f + ": provenance.claim.delta: missing", e.getMessage());
    }

    @Test
    void wrongParameterCount_isRefusedNamingTheFile() throws IOException {
        ObjectNode n = logistic(ProvenanceFixtures.receipt()).toJson();
        n.withArray("params").add(1.0);
        Path f = writeModel(n.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.read(CONF, f.getParent().toString()));
        assertEquals(f + ": model logistic needs 6 parameters, got 7", e.getMessage());
    }

    @Test
    void missingModelFolder_isRefusedNamingIt() {
        String missing = dir.resolve("nothing-here").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SavedModel.read(CONF, missing));
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    static SavedModel logistic(LedgerReceipt receipt) {
        return new SavedModel(ModelSpec.binaryLogistic(5), new double[] {0.5, -1.25, 2.0, 0.1 + 0.2, -0.75, 0.125},
                smallSpec(), ProvenanceFixtures.provenance(5, receipt));
    }

    private static double[] params(int n) {
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.sin(i + 1.0) / 3;
        }
        return p;
    }

    private Path writeModel(String text) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("m" + System.nanoTime()));
        Path f = folder.resolve("model.json");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }
}
