package org.dpspark.accountant.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.TrialCount;

/**
 * The JSON form of a {@link LedgerEntry}, format versions 1, 2 (2 adds register entries and attempts), 3 (3 adds
 * distributed discrete Gaussian events) and 4 (4 adds hyperparameter search events). One object per file, UTF-8,
 * for example
 * <pre>
 * {"format_version": 1, "seq": 2, "type": "reservation", "dataset_id": "adult", "job_id": "run-7",
 *  "user": "alice", "time": "2025-01-01T00:00:00Z", "code_version": "0.1.0", "input_fingerprint": "sha256:...",
 *  "events": [{"q": 0.0078, "sigma": 1.07, "steps": 1907}], "accountant": "rdp", "delta": 1e-05}
 * </pre>
 * plus {@code budget: {epsilon, delta, privacy_unit}} (budget), {@code reservation_seq, epsilon, model_path,
 * note} (commit), {@code reservation_seq, note} (abort), {@code privacy_unit} ("row" or "user": the job's unit, on a
 * reservation and its commit; absent in older entries, which read as "row"; a "user" entry is format 2), and in
 * format 2 {@code attempt} (a reservation of attempt 2 or later) and {@code locations, fingerprints} (register,
 * arrays of strings). A distributed discrete Gaussian event (secure aggregation, {@link DpEvent#isDiscrete()}) is
 * written {@code {"q": .., "sigma": .., "steps": .., "mechanism": "ddg", "tau": .., "dim": ..}} with sigma its noise
 * multiplier z, in format 3 only (an older reader refuses the entry rather than read the event as a Gaussian); a
 * Gaussian event has no {@code mechanism}. A hyperparameter search ({@link DpEvent#isSelection()}: K trials of
 * {@code steps} subsampled Gaussian steps each, best one selected) is written {@code {"q": .., "sigma": .., "steps":
 * .., "mechanism": "repeat_and_select", "trials": "truncated_negative_binomial", "eta": .., "gamma": ..,
 * "score_sigma": ..}} or, for a Poisson count, {@code "trials": "poisson", "mean": ..} in place of eta and gamma;
 * {@code score_sigma} is null when no score is released (+Infinity); in format 4 only (an older reader refuses it
 * rather than read the search as one training run). Doubles are written in their shortest exact decimal
 * form, so they read back bit for bit. Reading is strict: anything missing, mistyped or out of range is an error
 * that names the file; a format version newer than {@value LedgerEntry#FORMAT_VERSION} is refused rather than
 * half-understood.
 */
public final class LedgerJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The {@code mechanism} of a distributed discrete Gaussian event (format 3). */
    static final String DDG = "ddg";

    /** The {@code mechanism} of a hyperparameter search event (format 4). */
    static final String REPEAT_AND_SELECT = "repeat_and_select";
    private static final String TNB = "truncated_negative_binomial";
    private static final String POISSON = "poisson";

    private LedgerJson() {}

    /** The entry as a JSON tree. */
    public static ObjectNode toTree(LedgerEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", e.formatVersion());
        n.put("seq", e.seq());
        n.put("type", e.type().jsonName());
        n.put("dataset_id", e.datasetId());
        n.put("job_id", e.jobId());
        n.put("user", e.user());
        n.put("time", e.time().toString());
        n.put("code_version", e.codeVersion());
        n.put("input_fingerprint", e.inputFingerprint());
        ArrayNode ev = n.putArray("events");
        for (DpEvent d : e.events()) {
            ObjectNode o = ev.addObject();
            o.put("q", d.samplingRate());
            o.put("sigma", d.noiseMultiplier());
            o.put("steps", d.steps());
            if (d.isDiscrete()) {
                o.put("mechanism", DDG);
                o.put("tau", d.discrete().tau());
                o.put("dim", d.discrete().dim());
            }
            if (d.isSelection()) {
                TrialCount c = d.selection().count();
                o.put("mechanism", REPEAT_AND_SELECT);
                if (c.isPoisson()) {
                    o.put("trials", POISSON);
                    o.put("mean", c.gamma());
                } else {
                    o.put("trials", TNB);
                    o.put("eta", c.eta());
                    o.put("gamma", c.gamma());
                }
                double score = d.selection().scoreNoiseMultiplier();
                if (score == Double.POSITIVE_INFINITY) {
                    o.putNull("score_sigma");
                } else {
                    o.put("score_sigma", score);
                }
            }
        }
        n.put("accountant", e.accountant());
        if (e.delta() != null) {
            n.put("delta", e.delta());
        }
        if (e.budget() != null) {
            ObjectNode b = n.putObject("budget");
            b.put("epsilon", e.budget().epsilon());
            b.put("delta", e.budget().delta());
            b.put("privacy_unit", e.budget().privacyUnit());
        }
        if (e.reservationSeq() != null) {
            n.put("reservation_seq", e.reservationSeq());
        }
        if (e.epsilon() != null) {
            n.put("epsilon", e.epsilon());
        }
        if (e.type() == EntryType.COMMIT) {
            n.put("model_path", e.modelPath());
        }
        if (e.note() != null) {
            n.put("note", e.note());
        }
        if (e.attempt() != null) {
            n.put("attempt", e.attempt());
        }
        if (e.privacyUnit() != null) {
            n.put("privacy_unit", e.privacyUnit());
        }
        if (e.type() == EntryType.REGISTER) {
            ArrayNode loc = n.putArray("locations");
            e.locations().forEach(loc::add);
            ArrayNode fp = n.putArray("fingerprints");
            e.fingerprints().forEach(fp::add);
        }
        return n;
    }

    /** The entry as UTF-8 bytes, ending with a newline. */
    public static byte[] toBytes(LedgerEntry e) {
        try {
            return (JSON.writeValueAsString(toTree(e)) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("ledger entry does not serialize: " + ex.getMessage(), ex);
        }
    }

    /**
     * Parses one entry file.
     *
     * @param where the file, named in errors
     * @throws LedgerCorruptException when the content is not a complete, valid entry
     */
    public static LedgerEntry parse(byte[] content, String where) {
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (JsonProcessingException ex) {
            throw corrupt(where, "not valid JSON (torn or corrupt write?): " + oneLine(ex.getOriginalMessage()));
        } catch (java.io.IOException ex) {
            throw corrupt(where, "unreadable: " + oneLine(ex.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw corrupt(where, content.length == 0 ? "the file is empty (torn write?)" : "not a JSON object");
        }
        int version = (int) integer(n, "format_version", where);
        if (version < 1 || version > LedgerEntry.FORMAT_VERSION) {
            throw corrupt(where, "format_version " + version + " is not readable by this dpspark (reads 1.."
                    + LedgerEntry.FORMAT_VERSION + "); upgrade dpspark");
        }
        EntryType type = EntryType.fromJson(text(n, "type", where, true));
        if (type == null) {
            throw corrupt(where, "unknown type '" + n.get("type").asText() + "'");
        }
        Instant time;
        try {
            time = Instant.parse(text(n, "time", where, true));
        } catch (DateTimeParseException ex) {
            throw corrupt(where, "time is not an ISO-8601 instant: " + n.get("time").asText());
        }
        JsonNode ev = n.get("events");
        if (ev == null || !ev.isArray()) {
            throw corrupt(where, "events must be an array");
        }
        List<DpEvent> events = new ArrayList<>();
        for (JsonNode o : ev) {
            if (o == null || !o.isObject()) {
                throw corrupt(where, "bad event " + o + ": not an object");
            }
            String mechanism = text(o, "mechanism", where, false);
            if (mechanism != null && !DDG.equals(mechanism) && !REPEAT_AND_SELECT.equals(mechanism)) {
                throw corrupt(where, "bad event " + o + ": unknown mechanism '" + mechanism + "'");
            }
            if (DDG.equals(mechanism) && version < 3) {
                throw corrupt(where, "bad event " + o + ": a " + DDG + " event needs format_version 3, got " + version);
            }
            if (REPEAT_AND_SELECT.equals(mechanism) && version < 4) {
                throw corrupt(where, "bad event " + o + ": a " + REPEAT_AND_SELECT
                        + " event needs format_version 4, got " + version);
            }
            try {
                double q = number(o, "q", where);
                double sigma = number(o, "sigma", where);
                long steps = integer(o, "steps", where);
                if (REPEAT_AND_SELECT.equals(mechanism)) {
                    events.add(DpEvent.repeatAndSelect(q, sigma, steps, selection(o, where)));
                } else {
                    DpEvent.Discrete discrete = mechanism == null ? null
                            : new DpEvent.Discrete(number(o, "tau", where), Math.toIntExact(integer(o, "dim", where)));
                    events.add(new DpEvent(q, sigma, steps, discrete));
                }
            } catch (IllegalArgumentException | ArithmeticException ex) {
                throw corrupt(where, "bad event " + o + ": " + ex.getMessage());
            }
        }
        Budget budget = null;
        JsonNode b = n.get("budget");
        if (b != null && !b.isNull()) {
            try {
                budget = new Budget(number(b, "epsilon", where), number(b, "delta", where),
                        text(b, "privacy_unit", where, true));
            } catch (IllegalArgumentException ex) {
                throw corrupt(where, "bad budget: " + ex.getMessage());
            }
        }
        try {
            return new LedgerEntry(version, integer(n, "seq", where), type, text(n, "dataset_id", where, true),
                    text(n, "job_id", where, false), text(n, "user", where, true), time,
                    text(n, "code_version", where, true), text(n, "input_fingerprint", where, false), events,
                    text(n, "accountant", where, true), optionalNumber(n, "delta", where), budget,
                    optionalNumber(n, "epsilon", where), text(n, "model_path", where, false),
                    n.hasNonNull("reservation_seq") ? integer(n, "reservation_seq", where) : null,
                    text(n, "note", where, false),
                    n.hasNonNull("attempt") ? Math.toIntExact(integer(n, "attempt", where)) : null,
                    strings(n, "locations", where), strings(n, "fingerprints", where),
                    text(n, "privacy_unit", where, false));
        } catch (IllegalArgumentException | ArithmeticException ex) {
            throw corrupt(where, ex.getMessage());
        }
    }

    /** The selection part of a repeat_and_select event (class comment); strict like the rest. */
    private static DpEvent.Selection selection(JsonNode o, String where) {
        String trials = text(o, "trials", where, true);
        TrialCount count;
        if (POISSON.equals(trials)) {
            count = TrialCount.poisson(number(o, "mean", where));
        } else if (TNB.equals(trials)) {
            count = new TrialCount(TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL, number(o, "eta", where),
                    number(o, "gamma", where));
        } else {
            throw new IllegalArgumentException("unknown trials distribution '" + trials + "'");
        }
        JsonNode score = o.get("score_sigma");
        if (score == null) {
            throw new IllegalArgumentException("score_sigma is missing (null when no score is released)");
        }
        return new DpEvent.Selection(count,
                score.isNull() ? Double.POSITIVE_INFINITY : number(o, "score_sigma", where));
    }

    private static List<String> strings(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw corrupt(where, field + " must be an array of strings, got " + v);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual()) {
                throw corrupt(where, field + " must be an array of strings, got " + v);
            }
            out.add(s.asText());
        }
        return out;
    }

    /** The marker format's version ({@code <ledger>/ledger.json}). */
    public static final int MARKER_FORMAT_VERSION = 1;

    /**
     * The ledger's marker file: {@code {"format_version": 1, "kind": "dpspark-ledger", "created_at": ...,
     * "created_by": ..., "code_version": ..., "policy": {"allow_unbudgeted": false, "epsilon_ceiling": 10.0}}}.
     */
    static byte[] markerToBytes(LedgerPolicy policy, Instant createdAt, String createdBy, String codeVersion) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", MARKER_FORMAT_VERSION);
        n.put("kind", "dpspark-ledger");
        n.put("created_at", createdAt.toString());
        n.put("created_by", createdBy);
        n.put("code_version", codeVersion);
        ObjectNode p = n.putObject("policy");
        p.put("allow_unbudgeted", policy.allowUnbudgeted());
        p.put("epsilon_ceiling", policy.epsilonCeiling());
        try {
            return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("ledger marker does not serialize: " + ex.getMessage(), ex);
        }
    }

    /** The policy of a marker file; strict as entries are. */
    static LedgerPolicy parseMarker(byte[] content, String where) {
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (java.io.IOException ex) {
            throw new LedgerCorruptException("corrupt ledger marker " + where + ": not valid JSON: "
                    + oneLine(ex.getMessage()));
        }
        if (n == null || !n.isObject() || !"dpspark-ledger".equals(n.path("kind").asText())) {
            throw new LedgerCorruptException("corrupt ledger marker " + where + ": not a dpspark ledger marker");
        }
        long version = integer(n, "format_version", where);
        if (version < 1 || version > MARKER_FORMAT_VERSION) {
            throw new LedgerCorruptException("ledger marker " + where + ": format_version " + version
                    + " is not readable by this dpspark (reads 1.." + MARKER_FORMAT_VERSION + "); upgrade dpspark");
        }
        JsonNode p = n.get("policy");
        if (p == null || !p.isObject() || !p.path("allow_unbudgeted").isBoolean()) {
            throw new LedgerCorruptException("corrupt ledger marker " + where + ": missing or bad policy");
        }
        try {
            return new LedgerPolicy(p.get("allow_unbudgeted").booleanValue(), number(p, "epsilon_ceiling", where));
        } catch (IllegalArgumentException ex) {
            throw new LedgerCorruptException("corrupt ledger marker " + where + ": " + ex.getMessage());
        }
    }

    private static LedgerCorruptException corrupt(String where, String why) {
        return new LedgerCorruptException("corrupt ledger entry " + where + ": " + why);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static String text(JsonNode n, String field, String where, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw corrupt(where, "missing " + field);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw corrupt(where, field + " must be a string, got " + v);
        }
        return v.asText();
    }

    private static double number(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw corrupt(where, "missing or non-numeric " + field);
        }
        return v.doubleValue();
    }

    private static Double optionalNumber(JsonNode n, String field, String where) {
        return n.hasNonNull(field) ? number(n, field, where) : null;
    }

    private static long integer(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw corrupt(where, "missing or non-integer " + field);
        }
        return v.longValue();
    }
}
