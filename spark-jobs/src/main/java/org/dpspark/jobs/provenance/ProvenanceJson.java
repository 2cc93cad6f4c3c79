package org.dpspark.jobs.provenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one JSON codec of the provenance records: snake_case field names, every field written (null where a
 * record's field is null), doubles written with their shortest round-tripping text so a read gives the same bits
 * (non-finite values as the strings "NaN", "Infinity", "-Infinity"). On read, unknown fields are ignored (a newer
 * writer may add some), a nullable field may be absent, and a missing or ill-typed required field is refused with an
 * {@link IllegalArgumentException} naming it by its path, e.g. {@code provenance.claim.epsilon: missing}.
 *
 * <p>Used by dp-train's model file ({@code model.json}, version 2), the MLlib models' metadata and (later) the
 * report; nothing else serializes provenance.
 */
public final class ProvenanceJson {
    /** The text of a string field whose value the model's format did not record. */
    public static final String UNKNOWN = "unknown";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProvenanceJson() {}

    /** The shared mapper (configured once; do not reconfigure). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    // ---- writing ----

    /** Any of the five records as JSON text. */
    public static String toJson(Object record) {
        try {
            return JSON.writeValueAsString(toTree(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Any of the five records as a JSON object. */
    public static ObjectNode toTree(Object record) {
        if (record instanceof ModelProvenance p) {
            return write(p);
        } else if (record instanceof PrivacyClaim c) {
            return write(c);
        } else if (record instanceof DataProvenance d) {
            return write(d);
        } else if (record instanceof TrainerProvenance t) {
            return write(t);
        } else if (record instanceof LedgerReceipt r) {
            return write(r);
        }
        throw new IllegalArgumentException("not a provenance record: "
                + (record == null ? "null" : record.getClass().getName()));
    }

    private static ObjectNode write(ModelProvenance p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("job_id", p.jobId());
        n.put("dpspark_version", p.dpsparkVersion());
        if (p.createdAt() == null) {
            n.putNull("created_at");
        } else {
            n.put("created_at", p.createdAt().toString());
        }
        n.set("claim", write(p.claim()));
        n.set("data", write(p.data()));
        n.set("trainer", write(p.trainer()));
        n.set("ledger", write(p.ledger()));
        return n;
    }

    private static ObjectNode write(PrivacyClaim c) {
        ObjectNode n = JSON.createObjectNode();
        if (!c.guaranteed()) {
            // The explicitly non-private mode: no epsilon, no delta, no accountant; what ran, and that nothing holds.
            n.put("guarantee", PrivacyClaim.NO_GUARANTEE);
            n.put("unit", c.unit());
            n.put("sampling", c.sampling());
            number(n, "sampling_rate", c.samplingRate());
            number(n, "noise_multiplier", c.noiseMultiplier());
            number(n, "clip_norm", c.clipNorm());
            n.put("steps", c.steps());
            n.put("insecure_test_run", c.insecureTestRun());
            return n;
        }
        number(n, "epsilon", c.epsilon());
        number(n, "delta", c.delta());
        n.put("accountant", c.accountant());
        number(n, "rdp_epsilon", c.rdpEpsilon());
        number(n, "pld_epsilon", c.pldEpsilon());
        n.put("unit", c.unit());
        n.put("adjacency", c.adjacency());
        n.put("sampling", c.sampling());
        number(n, "sampling_rate", c.samplingRate());
        number(n, "noise_multiplier", c.noiseMultiplier());
        number(n, "clip_norm", c.clipNorm());
        n.put("steps", c.steps());
        n.put("calibrated", c.calibrated());
        number(n, "target_epsilon", c.targetEpsilon());
        n.put("insecure_test_run", c.insecureTestRun());
        if (c.secureAggregation() != null) {
            PrivacyClaim.SecureAggregationClaim a = c.secureAggregation();
            ObjectNode s = n.putObject("secure_aggregation");
            s.put("mode", a.mode());
            s.put("mechanism", a.mechanism());
            s.put("parties", a.parties());
            s.put("colluding", a.colluding());
            s.put("bits", a.bits());
            number(s, "scale", a.scale());
            s.put("local_variance", a.localVariance());
            number(s, "sensitivity", a.sensitivity());
            number(s, "effective_noise_multiplier", a.effectiveNoiseMultiplier());
        }
        return n;
    }

    private static ObjectNode write(DataProvenance d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("input", d.input());
        n.put("format", d.format());
        n.put("fingerprint", d.fingerprint());
        n.put("rows", d.rows());
        n.put("feature_spec", d.featureSpec());
        n.put("dimension", d.dimension());
        return n;
    }

    private static ObjectNode write(TrainerProvenance t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("trainer", t.trainer());
        n.put("optimizer", t.optimizer());
        number(n, "momentum", t.momentum());
        n.put("lr_schedule", t.lrSchedule());
        number(n, "epochs", t.epochs());
        n.put("batch_size", t.batchSize());
        number(n, "learning_rate", t.learningRate());
        n.put("step_mode", t.stepMode());
        n.put("dp_loss_tracking", t.dpLossTracking());
        if (t.localEpochs() != null) {
            ObjectNode l = n.putObject("local_training");
            l.put("epochs", t.localEpochs());
            number(l, "learning_rate", t.localLearningRate());
            l.put("batch_size", t.localBatchSize());
        }
        if (t.precision() != null) {
            n.put("precision", t.precision());
        }
        number(n, "ema_decay", t.emaDecay());
        return n;
    }

    private static ObjectNode write(LedgerReceipt r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("recorded", r.recorded());
        n.put("reason", r.reason());
        n.put("location", r.location());
        n.put("dataset_id", r.datasetId());
        n.put("reservation_seq", r.reservationSeq());
        n.put("reservation_adopted", r.reservationAdopted());
        n.put("commit_seq", r.commitSeq());
        n.put("accountant", r.accountant());
        number(n, "cumulative_epsilon", r.cumulativeEpsilon());
        number(n, "cumulative_delta", r.cumulativeDelta());
        number(n, "budget_epsilon", r.budgetEpsilon());
        number(n, "budget_delta", r.budgetDelta());
        number(n, "remaining_epsilon", r.remainingEpsilon());
        return n;
    }

    private static void number(ObjectNode n, String field, Double v) {
        if (v == null) {
            n.putNull(field);
        } else if (Double.isFinite(v)) {
            n.put(field, v.doubleValue());
        } else {
            n.put(field, v.toString());
        }
    }

    // ---- reading ----

    /** Parses {@code json} as one of the five records; errors name the field under {@code where}. */
    public static <T> T fromJson(String json, Class<T> type, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not JSON (" + e.getOriginalMessage() + ")", e);
        }
        return fromTree(node, type, where);
    }

    /** Reads one of the five records from a JSON object; errors name the field under {@code where}. */
    public static <T> T fromTree(JsonNode node, Class<T> type, String where) {
        Object r;
        if (type == ModelProvenance.class) {
            r = readProvenance(node, where);
        } else if (type == PrivacyClaim.class) {
            r = readClaim(node, where);
        } else if (type == DataProvenance.class) {
            r = readData(node, where);
        } else if (type == TrainerProvenance.class) {
            r = readTrainer(node, where);
        } else if (type == LedgerReceipt.class) {
            r = readReceipt(node, where);
        } else {
            throw new IllegalArgumentException("not a provenance record type: " + type.getName());
        }
        return type.cast(r);
    }

    static ModelProvenance readProvenance(JsonNode n, String where) {
        object(n, where);
        Instant createdAt = instant(n, "created_at", where);
        return build(where, () -> new ModelProvenance(text(n, "job_id", where), text(n, "dpspark_version", where),
                createdAt, readClaim(required(n, "claim", where), where + ".claim"),
                readData(required(n, "data", where), where + ".data"),
                readTrainer(required(n, "trainer", where), where + ".trainer"),
                readReceipt(required(n, "ledger", where), where + ".ledger")));
    }

    private static Instant instant(JsonNode n, String field, String where) {
        String text = optText(n, field, where);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw bad(where, field, "not an ISO-8601 instant");
        }
    }

    static PrivacyClaim readClaim(JsonNode n, String w) {
        object(n, w);
        if (n.has("guarantee")) {
            if (!PrivacyClaim.NO_GUARANTEE.equals(n.get("guarantee").asText())) {
                throw bad(w, "guarantee", "must be '" + PrivacyClaim.NO_GUARANTEE + "' when present");
            }
            return build(w, () -> PrivacyClaim.none(text(n, "unit", w), text(n, "sampling", w),
                    dbl(n, "sampling_rate", w), dbl(n, "clip_norm", w), lng(n, "steps", w),
                    bool(n, "insecure_test_run", w)));
        }
        return build(w, () -> new PrivacyClaim(dbl(n, "epsilon", w), dbl(n, "delta", w), text(n, "accountant", w),
                optDbl(n, "rdp_epsilon", w), optDbl(n, "pld_epsilon", w), text(n, "unit", w),
                text(n, "adjacency", w), text(n, "sampling", w), dbl(n, "sampling_rate", w),
                dbl(n, "noise_multiplier", w), dbl(n, "clip_norm", w), lng(n, "steps", w),
                optBool(n, "calibrated", w), optDbl(n, "target_epsilon", w), bool(n, "insecure_test_run", w),
                n.has("secure_aggregation") ? readSecure(n.get("secure_aggregation"), w + ".secure_aggregation")
                        : null));
    }

    static PrivacyClaim.SecureAggregationClaim readSecure(JsonNode n, String w) {
        object(n, w);
        return build(w, () -> new PrivacyClaim.SecureAggregationClaim(text(n, "mode", w), text(n, "mechanism", w),
                (int) lng(n, "parties", w), (int) lng(n, "colluding", w), (int) lng(n, "bits", w), dbl(n, "scale", w),
                lng(n, "local_variance", w), dbl(n, "sensitivity", w), dbl(n, "effective_noise_multiplier", w)));
    }

    static DataProvenance readData(JsonNode n, String w) {
        object(n, w);
        return build(w, () -> new DataProvenance(text(n, "input", w), text(n, "format", w),
                text(n, "fingerprint", w), lng(n, "rows", w), optText(n, "feature_spec", w),
                (int) lng(n, "dimension", w)));
    }

    static TrainerProvenance readTrainer(JsonNode n, String w) {
        object(n, w);
        JsonNode l = n.get("local_training");
        String lw = w + ".local_training";
        if (l != null && !l.isNull()) {
            object(l, lw);
        }
        boolean local = l != null && !l.isNull();
        return build(w, () -> new TrainerProvenance(text(n, "trainer", w), text(n, "optimizer", w),
                optDbl(n, "momentum", w), text(n, "lr_schedule", w), dbl(n, "epochs", w),
                (int) lng(n, "batch_size", w), dbl(n, "learning_rate", w), text(n, "step_mode", w),
                optBool(n, "dp_loss_tracking", w), local ? (int) lng(l, "epochs", lw) : null,
                local ? dbl(l, "learning_rate", lw) : null, local ? (int) lng(l, "batch_size", lw) : null,
                optText(n, "precision", w), optDbl(n, "ema_decay", w)));
    }

    static LedgerReceipt readReceipt(JsonNode n, String w) {
        object(n, w);
        boolean recorded = bool(n, "recorded", w);
        if (!recorded) {
            return build(w, () -> LedgerReceipt.none(text(n, "reason", w)));
        }
        return build(w, () -> LedgerReceipt.recorded(optText(n, "location", w), text(n, "dataset_id", w),
                optLng(n, "reservation_seq", w), optBool(n, "reservation_adopted", w), lng(n, "commit_seq", w),
                optText(n, "accountant", w), optDbl(n, "cumulative_epsilon", w), optDbl(n, "cumulative_delta", w),
                optDbl(n, "budget_epsilon", w), optDbl(n, "budget_delta", w), optDbl(n, "remaining_epsilon", w)));
    }

    // ---- field access (package-private: the model file reader of format 1 uses them too) ----

    /** A record's own checks, with the path of the object prefixed to their message. */
    private static <T> T build(String where, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static void object(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + ": must be a JSON object");
        }
    }

    static IllegalArgumentException bad(String where, String field, String problem) {
        return new IllegalArgumentException(where + "." + field + ": " + problem);
    }

    static JsonNode required(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw bad(where, field, "missing");
        }
        return v;
    }

    static String text(JsonNode n, String field, String where) {
        JsonNode v = required(n, field, where);
        if (!v.isTextual()) {
            throw bad(where, field, "must be a string");
        }
        return v.asText();
    }

    static String optText(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : text(n, field, where);
    }

    static double dbl(JsonNode n, String field, String where) {
        JsonNode v = required(n, field, where);
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw bad(where, field, "must be a number");
    }

    static Double optDbl(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : dbl(n, field, where);
    }

    static long lng(JsonNode n, String field, String where) {
        JsonNode v = required(n, field, where);
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw bad(where, field, "must be an integer");
        }
        return v.longValue();
    }

    static Long optLng(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : lng(n, field, where);
    }

    static boolean bool(JsonNode n, String field, String where) {
        JsonNode v = required(n, field, where);
        if (!v.isBoolean()) {
            throw bad(where, field, "must be true or false");
        }
        return v.booleanValue();
    }

    static Boolean optBool(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : bool(n, field, where);
    }
}
