package org.dpspark.jobs.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.jobs.provenance.DataProvenance;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.provenance.ProvenanceJson;
import org.dpspark.jobs.provenance.TrainerProvenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dp-train model: the folder's {@code model.json}. Format 2 is
 * <pre>
 * {"format_version": 2,
 *  "model_spec": {...},            // ModelSpec: kind, d, K, hidden widths, activation, label bounds
 *  "params": [...],                // dp-core's flat parameter layout for the kind (logistic: w then b)
 *  "feature_spec": {...},          // the datasets FeatureSpec JSON: how raw input is encoded for scoring
 *  "provenance": {...}}            // ModelProvenance through ProvenanceJson
 * </pre>
 * {@link #read} also reads format 1 (dp-train before issue #10): {@code weights} + {@code intercept} for logistic,
 * {@code params} otherwise; its {@code privacy} and {@code provenance} objects are mapped into the typed records as
 * far as they go, and what format 1 did not record is left unknown ({@link ProvenanceJson#UNKNOWN}, null, or a
 * ledger receipt whose reason says so), never invented. A newer format or a malformed file is refused with one
 * line naming the file and the field.
 *
 * @param spec the architecture
 * @param params the parameters (dp-core's layout for {@code spec.kind()})
 * @param featureSpec the feature spec the training rows were encoded with
 * @param provenance the provenance of the run
 */
public record SavedModel(ModelSpec spec, double[] params, FeatureSpec featureSpec, ModelProvenance provenance) {
    private static final Logger LOG = LoggerFactory.getLogger(SavedModel.class);

    /** The format this code writes; it reads 1 .. FORMAT_VERSION. */
    public static final int FORMAT_VERSION = 2;
    /** The model file inside the model folder. */
    public static final String FILE = "model.json";
    /** Largest model file {@link #read} accepts. */
    static final long MAX_BYTES = 1L << 30;
    private static final String V1_UNRECORDED = "not recorded by model format 1";

    public SavedModel {
        if (spec == null || params == null || featureSpec == null || provenance == null) {
            throw new IllegalArgumentException("spec, params, featureSpec and provenance must all be given");
        }
        int expected = spec.create().numParams();
        if (params.length != expected) {
            throw new IllegalArgumentException("model " + spec.kind() + " needs " + expected + " parameters, got "
                    + params.length);
        }
        if (featureSpec.dimension() != spec.numFeatures()) {
            throw new IllegalArgumentException("feature spec '" + featureSpec.name() + "' has dimension "
                    + featureSpec.dimension() + " but the model has " + spec.numFeatures() + " features");
        }
        params = params.clone();
    }

    @Override
    public double[] params() {
        return params.clone();
    }

    // ---- writing ----

    /** The model file's JSON (format 2). */
    public ObjectNode toJson() {
        ObjectMapper json = ProvenanceJson.mapper();
        ObjectNode m = json.createObjectNode();
        m.put("format_version", FORMAT_VERSION);
        m.set("model_spec", spec.toJson());
        ArrayNode p = m.putArray("params");
        for (double v : params) {
            p.add(v);
        }
        try {
            m.set("feature_spec", json.readTree(featureSpec.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("feature spec does not serialize: " + e.getMessage(), e);
        }
        m.set("provenance", ProvenanceJson.toTree(provenance));
        return m;
    }

    /** The model file's bytes (UTF-8 JSON, one trailing newline). */
    public byte[] toBytes() {
        try {
            return ProvenanceJson.mapper().writeValueAsString(toJson()).concat("\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Publishes the model folder {@code dir} with its {@code model.json}, atomically (all or nothing, see
     * {@link org.dpspark.jobs.io.AtomicOutput}); an existing folder is refused unless {@code overwrite}.
     */
    public void write(Configuration conf, String dir, boolean overwrite) {
        org.dpspark.jobs.io.AtomicOutput.checkPublishable(conf, dir, overwrite, "model folder");
        org.dpspark.jobs.io.AtomicOutput.writeDirectory(conf, dir, Map.of(FILE, toBytes()), overwrite);
    }

    // ---- reading ----

    /**
     * Reads the model folder {@code dir} (or a {@code model.json} path), format 1 or 2.
     *
     * @throws IllegalArgumentException (one line naming the file and the field) when the file is missing, not
     *     JSON, of a newer format, or malformed
     * @throws UncheckedIOException when the file system fails
     */
    public static SavedModel read(Configuration conf, String dir) {
        Path file = dir.endsWith("/" + FILE) || dir.equals(FILE) ? new Path(dir) : new Path(dir, FILE);
        String text;
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.exists(file)) {
                throw new IllegalArgumentException(file + ": no such model file (is " + dir
                        + " a dp-train model folder?)");
            }
            long len = fs.getFileStatus(file).getLen();
            if (len > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": " + len + " bytes, more than a model file may have");
            }
            try (InputStream in = fs.open(file)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(file + ": no such model file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return fromJson(text, file.toString());
    }

    /** Parses a model file's text; {@code where} names it in errors. */
    public static SavedModel fromJson(String text, String where) {
        JsonNode root;
        try {
            root = ProvenanceJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid JSON (" + oneLine(e.getOriginalMessage())
                    + " at line " + e.getLocation().getLineNr() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + ": not a model file (expected a JSON object)");
        }
        JsonNode v = root.get("format_version");
        if (v == null || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(where + ": format_version: missing or not an integer");
        }
        int version = v.intValue();
        if (version > FORMAT_VERSION) {
            throw new IllegalArgumentException(where + ": format_version " + version + " is newer than this dpspark"
                    + " reads (1.." + FORMAT_VERSION + "); use a newer dpspark");
        }
        if (version < 1) {
            throw new IllegalArgumentException(where + ": format_version " + version + " is not a model format");
        }
        try {
            return version == 1 ? readV1(root, where) : readV2(root, where);
        } catch (IllegalArgumentException e) {
            String m = oneLine(e.getMessage());
            throw new IllegalArgumentException(m.startsWith(where) ? m : where + ": " + m, e);
        }
    }

    private static SavedModel readV2(JsonNode root, String where) {
        ModelSpec spec = modelSpec(root, where);
        double[] params = doubles(root, "params", where);
        FeatureSpec fs = featureSpec(root, where);
        ModelProvenance prov = ProvenanceJson.fromTree(root.get("provenance") == null
                ? missing(where, "provenance") : root.get("provenance"), ModelProvenance.class, "provenance");
        return new SavedModel(spec, params, fs, prov);
    }

    private static JsonNode missing(String where, String field) {
        throw new IllegalArgumentException(field + ": missing");
    }

    private static ModelSpec modelSpec(JsonNode root, String where) {
        JsonNode n = root.get("model_spec");
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("model_spec: missing or not an object");
        }
        for (String f : new String[] {"kind", "num_features", "num_classes"}) {
            if (n.get(f) == null || n.get(f).isNull()) {
                throw new IllegalArgumentException("model_spec." + f + ": missing");
            }
        }
        try {
            ModelSpec s = ModelSpec.fromJson(n);
            s.create(); // an unknown kind or activation is refused here
            return s;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("model_spec: " + oneLine(e.getMessage()), e);
        }
    }

    private static FeatureSpec featureSpec(JsonNode root, String where) {
        JsonNode n = root.get("feature_spec");
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("feature_spec: missing or not an object");
        }
        try {
            return FeatureSpec.fromJson(n.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("feature_spec: " + oneLine(e.getMessage()), e);
        }
    }

    private static double[] doubles(JsonNode root, String field, String where) {
        JsonNode n = root.get(field);
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(field + ": missing or not an array");
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isNumber()) {
                throw new IllegalArgumentException(field + "[" + i + "]: not a number");
            }
            out[i] = n.get(i).doubleValue();
        }
        return out;
    }

    /** Format 1: what dp-train wrote before issue #10 (Reports.model, patched with the ledger section). */
    private static SavedModel readV1(JsonNode root, String where) {
        ModelSpec spec = modelSpec(root, where);
        double[] params;
        if (spec.kind().equals("logistic") && root.has("weights")) {
            double[] w = doubles(root, "weights", where);
            JsonNode b = root.get("intercept");
            if (b == null || !b.isNumber()) {
                throw new IllegalArgumentException("intercept: missing or not a number");
            }
            params = Arrays.copyOf(w, w.length + 1);
            params[w.length] = b.doubleValue();
        } else {
            params = doubles(root, "params", where);
        }
        FeatureSpec fs = featureSpec(root, where);
        JsonNode privacy = object(root, "privacy");
        JsonNode prov = object(root, "provenance");
        List<String> unknown = new ArrayList<>();

        JsonNode byAcc = privacy.path("epsilon_by_accountant");
        PrivacyClaim claim = new PrivacyClaim(num(privacy, "privacy", "epsilon"), num(privacy, "privacy", "delta"),
                str(privacy, "privacy", "accountant"), optNum(byAcc, "rdp"), optNum(byAcc, "pld"),
                str(privacy, "privacy", "unit"), str(privacy, "privacy", "adjacency"),
                str(privacy, "privacy", "sampling"), num(privacy, "privacy", "sampling_rate"),
                num(privacy, "privacy", "noise_multiplier"), num(privacy, "privacy", "clip_norm"),
                integer(privacy, "privacy", "steps"), bool(privacy, "noise_calibrated_from_target_epsilon"),
                optNum(privacy, "target_epsilon"), privacy.path("INSECURE_TEST_SEED_USED").asBoolean(false));
        unknown.add("data.format");
        DataProvenance data = new DataProvenance(str(prov, "provenance", "input"), ProvenanceJson.UNKNOWN,
                str(prov, "provenance", "input_fingerprint"), integer(prov, "provenance", "rows"), fs.name(),
                spec.numFeatures());
        String optimizer = str(prov, "provenance", "optimizer");
        if (optimizer.equals("momentum")) {
            unknown.add("trainer.momentum");
        }
        unknown.add("trainer.step_mode");
        unknown.add("trainer.dp_loss_tracking");
        TrainerProvenance trainer = new TrainerProvenance(str(prov, "provenance", "trainer"), optimizer, null,
                str(prov, "provenance", "lr_schedule"), num(prov, "provenance", "epochs"),
                (int) integer(prov, "provenance", "batch_size"), num(prov, "provenance", "learning_rate"),
                ProvenanceJson.UNKNOWN, null);
        LedgerReceipt receipt;
        JsonNode l = prov.get("ledger");
        if (l != null && l.isObject()) {
            String w = "provenance.ledger";
            receipt = LedgerReceipt.recorded(optStr(l, "location"), str(l, w, "dataset_id"),
                    optInteger(l, "reservation_seq"), bool(l, "reservation_adopted"), integer(l, w, "commit_seq"),
                    optStr(l, "accountant"), optNum(l, "cumulative_epsilon"), optNum(l, "cumulative_delta"),
                    optNum(l, "budget_epsilon"), optNum(l, "budget_delta"), optNum(l, "remaining_epsilon"));
        } else {
            receipt = LedgerReceipt.none("no ledger section in this model file (" + V1_UNRECORDED + ")");
            unknown.add("ledger");
        }
        unknown.add("created_at");
        ModelProvenance p = new ModelProvenance(str(prov, "provenance", "job_id"),
                str(prov, "provenance", "dpspark_version"), null, claim, data, trainer, receipt);
        LOG.info("{}: model format 1; fields it did not record are unknown: {}", where, String.join(", ", unknown));
        return new SavedModel(spec, params, fs, p);
    }

    private static JsonNode object(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(field + ": missing or not an object");
        }
        return n;
    }

    private static String str(JsonNode n, String where, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + ": missing or not a string");
        }
        return v.asText();
    }

    private static String optStr(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    private static double num(JsonNode n, String where, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + "." + field + ": missing or not a number");
        }
        return v.doubleValue();
    }

    private static Double optNum(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isNumber() ? null : v.doubleValue();
    }

    private static long integer(JsonNode n, String where, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(where + "." + field + ": missing or not an integer");
        }
        return v.longValue();
    }

    private static Long optInteger(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isIntegralNumber() ? null : v.longValue();
    }

    private static Boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isBoolean() ? null : v.booleanValue();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SavedModel m && spec.equals(m.spec) && Arrays.equals(params, m.params)
                && featureSpec.equals(m.featureSpec) && provenance.equals(m.provenance);
    }

    @Override
    public int hashCode() {
        return spec.hashCode() * 31 + Arrays.hashCode(params);
    }

    @Override
    public String toString() {
        return "SavedModel(" + spec.kind() + ", d=" + spec.numFeatures() + ", " + provenance.claim() + ", job "
                + provenance.jobId() + ")";
    }
}
