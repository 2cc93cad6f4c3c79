package org.dpspark.datasets.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** JSON (de)serialization of {@link FeatureSpec}, format_version 1 (the optional "user", "csv" and "identifiers"
 * keys are written only when set, so older specs are unchanged). Strict: unknown keys are errors. */
final class FeatureSpecJson {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private static final Set<String> TOP_KEYS =
            Set.of("format_version", "name", "label", "features", "user", "csv", "identifiers");
    private static final Set<String> CSV_KEYS = Set.of("delimiter", "quote", "escape");
    private static final Set<String> INDICATOR_KEYS = Set.of("column", "encoding", "op", "value");
    private static final Set<String> IDENTIFIERS_KEYS =
            Set.of("drop", "pseudonymize", "mask", "generalize", "quasi_identifiers", "keep");
    private static final Set<String> MASK_KEYS = Set.of("column", "method", "keep");
    private static final Set<String> GENERALIZE_KEYS =
            Set.of("column", "method", "width", "min", "max", "digits", "unit");
    private static final Set<String> USER_KEYS = Set.of("column");
    private static final Set<String> LABEL_KEYS =
            Set.of("column", "positive", "negative", "strip_trailing_dot", "num_classes", "min", "max");
    private static final Set<String> NUMERIC_KEYS = Set.of("column", "encoding", "min", "max");
    private static final Set<String> VECTOR_KEYS = Set.of("column", "encoding", "size", "min", "max", "transform");
    private static final Set<String> DCT_KEYS = Set.of("type", "height", "width", "keep");
    private static final Set<String> SCATTER_KEYS = Set.of("type", "height", "width", "j", "l", "groups", "mean",
            "variance", "whitening", "eps");
    private static final Set<String> ONEHOT_KEYS = Set.of("column", "encoding", "vocabulary");

    private FeatureSpecJson() {
    }

    static String write(FeatureSpec spec) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format_version", FeatureSpec.FORMAT_VERSION);
        root.put("name", spec.name());
        ObjectNode label = root.putObject("label");
        LabelSpec l = spec.label();
        label.put("column", l.column());
        if (!l.isNumeric()) {
            ArrayNode pos = label.putArray("positive");
            l.positive().forEach(pos::add);
            ArrayNode neg = label.putArray("negative");
            l.negative().forEach(neg::add);
        }
        label.put("strip_trailing_dot", l.stripTrailingDot());
        if (l.isRegression()) {
            label.put("min", l.min());
            label.put("max", l.max());
        } else if (l.numClasses() != 2) {
            label.put("num_classes", l.numClasses());
        }
        ArrayNode features = root.putArray("features");
        if (spec.user() != null) {
            root.putObject("user").put("column", spec.user());
        }
        for (FeatureColumn f : spec.features()) {
            ObjectNode o = features.addObject();
            o.put("column", f.column());
            if (f instanceof NumericFeature n) {
                o.put("encoding", n.encoding().jsonName());
                o.put("min", n.min());
                o.put("max", n.max());
            } else if (f instanceof VectorFeature v) {
                o.put("encoding", v.encoding().jsonName());
                o.put("size", v.size());
                o.put("min", v.min());
                o.put("max", v.max());
                if (v.transform() instanceof LowPassDct d) {
                    ObjectNode t = o.putObject("transform");
                    t.put("type", LowPassDct.TYPE);
                    t.put("height", d.height());
                    t.put("width", d.width());
                    t.put("keep", d.keep());
                } else if (v.transform() instanceof ScatterTransform sc) {
                    ObjectNode t = o.putObject("transform");
                    t.put("type", ScatterTransform.TYPE);
                    t.put("height", sc.height());
                    t.put("width", sc.width());
                    t.put("j", sc.j());
                    t.put("l", sc.l());
                    t.put("groups", sc.groups());
                    sc.normalization().ifPresent(map -> {
                        ArrayNode mean = t.putArray("mean");
                        if (map instanceof org.dpspark.core.features.ChannelNormalization.Standardization st) {
                            for (double m : st.mean()) {
                                mean.add(m);
                            }
                            ArrayNode var = t.putArray("variance");
                            for (double x : st.variance()) {
                                var.add(x);
                            }
                        } else if (map instanceof org.dpspark.core.features.ChannelNormalization.Whitening w) {
                            for (double m : w.mean()) {
                                mean.add(m);
                            }
                            ArrayNode mat = t.putArray("whitening");
                            for (double x : w.matrix()) {
                                mat.add(x);
                            }
                            t.put("eps", w.eps());
                        }
                    });
                }
            } else if (f instanceof OneHotFeature h) {
                o.put("encoding", "onehot");
                ArrayNode vocab = o.putArray("vocabulary");
                h.vocabulary().forEach(vocab::add);
            } else if (f instanceof IndicatorFeature ind) {
                o.put("encoding", "indicator");
                o.put("op", ind.op().symbol());
                if (ind.isText()) {
                    o.put("value", ind.text());
                } else {
                    o.put("value", ind.number());
                }
            }
        }
        if (!spec.csv().isDefault()) {
            ObjectNode c = root.putObject("csv");
            c.put("delimiter", String.valueOf(spec.csv().delimiter()));
            c.put("quote", String.valueOf(spec.csv().quote()));
            c.put("escape", String.valueOf(spec.csv().escape()));
        }
        if (!spec.identifiers().isEmpty()) {
            writeIdentifiers(root.putObject("identifiers"), spec.identifiers());
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write feature spec as JSON", e);
        }
    }

    static FeatureSpec read(String json) {
        if (json == null) {
            throw new IllegalArgumentException("feature spec JSON must not be null");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("feature spec is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("feature spec JSON must be an object");
        }
        checkKeys(root, TOP_KEYS, "feature spec");
        JsonNode version = root.get("format_version");
        if (version == null || !version.isIntegralNumber() || version.asLong() != FeatureSpec.FORMAT_VERSION) {
            throw new IllegalArgumentException("feature spec: format_version must be " + FeatureSpec.FORMAT_VERSION
                    + ", got " + version);
        }
        String name = text(root, "name", "feature spec");
        JsonNode labelNode = root.get("label");
        if (labelNode == null || !labelNode.isObject()) {
            throw new IllegalArgumentException("feature spec: \"label\" must be an object");
        }
        LabelSpec label = readLabel(labelNode);
        JsonNode featuresNode = root.get("features");
        if (featuresNode == null || !featuresNode.isArray()) {
            throw new IllegalArgumentException("feature spec: \"features\" must be an array");
        }
        List<FeatureColumn> features = new ArrayList<>();
        int i = 0;
        for (JsonNode f : featuresNode) {
            features.add(readFeature(f, i++));
        }
        String user = null;
        JsonNode userNode = root.get("user");
        if (userNode != null) {
            if (!userNode.isObject()) {
                throw new IllegalArgumentException("feature spec: \"user\" must be an object {\"column\": ...}, got "
                        + userNode);
            }
            checkKeys(userNode, USER_KEYS, "user");
            user = text(userNode, "column", "user");
        }
        CsvFormat csv = root.has("csv") ? readCsv(root.get("csv")) : null;
        Identifiers identifiers = root.has("identifiers") ? readIdentifiers(root.get("identifiers")) : null;
        return new FeatureSpec(name, features, label, user, csv, identifiers);
    }

    private static CsvFormat readCsv(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("feature spec: \"csv\" must be an object, got " + node);
        }
        checkKeys(node, CSV_KEYS, "csv");
        CsvFormat d = CsvFormat.DEFAULT;
        return new CsvFormat(character(node, "delimiter", d.delimiter()), character(node, "quote", d.quote()),
                character(node, "escape", d.escape()));
    }

    private static char character(JsonNode node, String key, char dflt) {
        JsonNode v = node.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual() || v.textValue().length() != 1) {
            throw new IllegalArgumentException("csv: \"" + key + "\" must be a one-character string, got " + v);
        }
        return v.textValue().charAt(0);
    }

    private static void writeIdentifiers(ObjectNode o, Identifiers ids) {
        putStrings(o, "drop", ids.drop());
        putStrings(o, "pseudonymize", ids.pseudonymize());
        if (!ids.mask().isEmpty()) {
            ArrayNode a = o.putArray("mask");
            for (Identifiers.Mask m : ids.mask()) {
                ObjectNode e = a.addObject();
                e.put("column", m.column());
                e.put("method", m.method().jsonName());
                if (m.method() == Identifiers.MaskMethod.KEEP_LAST) {
                    e.put("keep", m.keep());
                }
            }
        }
        if (!ids.generalize().isEmpty()) {
            ArrayNode a = o.putArray("generalize");
            for (Identifiers.Generalize g : ids.generalize()) {
                ObjectNode e = a.addObject();
                e.put("column", g.column());
                e.put("method", g.method().jsonName());
                switch (g.method()) {
                    case AGE_BANDS -> {
                        e.put("width", g.width());
                        e.put("min", g.min());
                        e.put("max", g.max());
                    }
                    case ZIP_PREFIX -> e.put("digits", g.digits());
                    case DATE -> e.put("unit", g.unit());
                    default -> throw new IllegalStateException(g.method().toString());
                }
            }
        }
        // always written: it defaults to the generalized columns when absent
        ids.quasiIdentifiers().forEach(o.putArray("quasi_identifiers")::add);
        putStrings(o, "keep", ids.keep());
    }

    private static void putStrings(ObjectNode o, String key, List<String> values) {
        if (!values.isEmpty()) {
            values.forEach(o.putArray(key)::add);
        }
    }

    private static Identifiers readIdentifiers(JsonNode node) {
        String where = "identifiers";
        if (!node.isObject()) {
            throw new IllegalArgumentException("feature spec: \"identifiers\" must be an object, got " + node);
        }
        checkKeys(node, IDENTIFIERS_KEYS, where);
        List<Identifiers.Mask> mask = new ArrayList<>();
        for (JsonNode m : objects(node, "mask", where)) {
            mask.add(readMask(m, mask.size()));
        }
        List<Identifiers.Generalize> generalize = new ArrayList<>();
        for (JsonNode g : objects(node, "generalize", where)) {
            generalize.add(readGeneralize(g, generalize.size()));
        }
        return new Identifiers(strings(node, "drop", where), strings(node, "pseudonymize", where), mask, generalize,
                strings(node, "quasi_identifiers", where), strings(node, "keep", where));
    }

    private static List<JsonNode> objects(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        List<JsonNode> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be an array of objects");
        }
        for (JsonNode e : v) {
            if (!e.isObject()) {
                throw new IllegalArgumentException(where + ": \"" + key + "\"[" + out.size() + "] must be an object");
            }
            out.add(e);
        }
        return out;
    }

    private static Identifiers.Mask readMask(JsonNode node, int index) {
        String column = text(node, "column", "identifiers: mask[" + index + "]");
        String where = "identifier '" + column + "'";
        checkKeys(node, MASK_KEYS, where);
        Identifiers.MaskMethod method = Identifiers.MaskMethod.parse(text(node, "method", where), column);
        int keep = 0;
        if (method == Identifiers.MaskMethod.KEEP_LAST) {
            keep = integer(node, "keep", where + ": mask keep_last");
        } else if (node.has("keep")) {
            throw new IllegalArgumentException(where + ": \"keep\" applies to mask method keep_last only");
        }
        return new Identifiers.Mask(column, method, keep);
    }

    private static Identifiers.Generalize readGeneralize(JsonNode node, int index) {
        String column = text(node, "column", "identifiers: generalize[" + index + "]");
        String where = "identifier '" + column + "'";
        checkKeys(node, GENERALIZE_KEYS, where);
        Identifiers.GeneralizeMethod method = Identifiers.GeneralizeMethod.parse(text(node, "method", where), column);
        Set<String> uses = switch (method) {
            case AGE_BANDS -> Set.of("width", "min", "max");
            case ZIP_PREFIX -> Set.of("digits");
            case DATE -> Set.of("unit");
        };
        for (String k : List.of("width", "min", "max", "digits", "unit")) {
            if (node.has(k) && !uses.contains(k)) {
                throw new IllegalArgumentException(where + ": \"" + k + "\" does not apply to generalize method "
                        + method.jsonName());
            }
        }
        String w = where + ": " + method.jsonName();
        return switch (method) {
            case AGE_BANDS -> Identifiers.Generalize.ageBands(column, integer(node, "width", w),
                    integer(node, "min", w), integer(node, "max", w));
            case ZIP_PREFIX -> Identifiers.Generalize.zipPrefix(column, integer(node, "digits", w));
            case DATE -> Identifiers.Generalize.date(column, text(node, "unit", w));
        };
    }

    private static LabelSpec readLabel(JsonNode node) {
        String column = text(node, "column", "label");
        String where = "label '" + column + "'";
        checkKeys(node, LABEL_KEYS, where);
        List<String> positive = strings(node, "positive", where);
        List<String> negative = strings(node, "negative", where);
        boolean strip = false;
        JsonNode s = node.get("strip_trailing_dot");
        if (s != null) {
            if (!s.isBoolean()) {
                throw new IllegalArgumentException(where + ": strip_trailing_dot must be true or false, got " + s);
            }
            strip = s.booleanValue();
        }
        JsonNode k = node.get("num_classes");
        boolean bounded = node.has("min") || node.has("max");
        int numClasses;
        if (k != null) {
            if (!k.isIntegralNumber() || !k.canConvertToInt()) {
                throw new IllegalArgumentException(where + ": num_classes must be an integer, got " + k);
            }
            numClasses = k.intValue();
        } else {
            numClasses = bounded ? 0 : 2;
        }
        double min = bounded ? number(node, "min", where) : Double.NaN;
        double max = bounded ? number(node, "max", where) : Double.NaN;
        return new LabelSpec(column, positive, negative, strip, numClasses, min, max);
    }

    private static FeatureColumn readFeature(JsonNode node, int index) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("feature spec: features[" + index + "] must be an object");
        }
        String column = text(node, "column", "features[" + index + "]");
        String where = "feature '" + column + "'";
        String encoding = text(node, "encoding", where);
        switch (encoding) {
            case "scale", "log1p", "signed_log1p" -> {
                NumericFeature.Encoding enc = NumericFeature.Encoding.fromJsonName(encoding);
                if (node.has("size")) {
                    checkKeys(node, VECTOR_KEYS, where);
                    JsonNode size = node.get("size");
                    if (!size.isIntegralNumber() || !size.canConvertToInt()) {
                        throw new IllegalArgumentException(where + ": \"size\" must be an integer, got " + size);
                    }
                    ImageTransform transform = node.has("transform") ? readTransform(node.get("transform"), where) : null;
                    return new VectorFeature(column, size.intValue(), enc, number(node, "min", where),
                            number(node, "max", where), transform);
                }
                checkKeys(node, NUMERIC_KEYS, where);
                double min = number(node, "min", where);
                double max = number(node, "max", where);
                return new NumericFeature(column, enc, min, max);
            }
            case "indicator" -> {
                checkKeys(node, INDICATOR_KEYS, where);
                IndicatorFeature.Op op = IndicatorFeature.Op.parse(text(node, "op", where), column);
                JsonNode value = node.get("value");
                if (value != null && value.isNumber()) {
                    return IndicatorFeature.numeric(column, op, value.doubleValue());
                }
                if (value != null && value.isTextual()) {
                    return IndicatorFeature.text(column, op, value.textValue());
                }
                throw new IllegalArgumentException(where + ": indicator \"value\" must be a number or a string, got "
                        + value);
            }
            case "onehot" -> {
                checkKeys(node, ONEHOT_KEYS, where);
                List<String> vocab = strings(node, "vocabulary", where);
                if (vocab == null) {
                    throw new IllegalArgumentException(where + ": onehot encoding requires \"vocabulary\"");
                }
                return new OneHotFeature(column, vocab);
            }
            default -> throw new IllegalArgumentException(where + ": encoding must be one of scale, log1p,"
                    + " signed_log1p, onehot, indicator, got '" + encoding + "'");
        }
    }

    private static ImageTransform readTransform(JsonNode node, String where) {
        String w = where + ": transform";
        if (!node.isObject()) {
            throw new IllegalArgumentException(w + " must be an object, got " + node);
        }
        String type = text(node, "type", w);
        if (!type.equals(LowPassDct.TYPE) && !type.equals(ScatterTransform.TYPE)) {
            throw new IllegalArgumentException(w + ": type must be \"" + LowPassDct.TYPE + "\" or \""
                    + ScatterTransform.TYPE + "\", got '" + type + "'");
        }
        checkKeys(node, type.equals(LowPassDct.TYPE) ? DCT_KEYS : SCATTER_KEYS, w);
        try {
            if (type.equals(ScatterTransform.TYPE)) {
                org.dpspark.core.features.ChannelNormalization.ChannelMap st = null;
                boolean variance = node.has("variance");
                boolean whitening = node.has("whitening") || node.has("eps");
                if (variance && whitening) {
                    throw new IllegalArgumentException("a data normalization has \"variance\" (standardization) "
                            + "or \"whitening\" and \"eps\", not both");
                }
                if (node.has("mean") != (variance || whitening)) {
                    throw new IllegalArgumentException("\"mean\" and \"variance\" (or \"whitening\") come "
                            + "together (the data normalization's released statistics)");
                }
                if (variance) {
                    st = new org.dpspark.core.features.ChannelNormalization.Standardization(numbers(node, "mean"),
                            numbers(node, "variance"));
                } else if (whitening) {
                    JsonNode e = node.get("eps");
                    if (e == null || !e.isNumber()) {
                        throw new IllegalArgumentException("\"eps\" must be a number, got " + e);
                    }
                    st = new org.dpspark.core.features.ChannelNormalization.Whitening(numbers(node, "mean"),
                            numbers(node, "whitening"), e.doubleValue());
                }
                return new ScatterTransform(integer(node, "height", w), integer(node, "width", w),
                        integer(node, "j", w), integer(node, "l", w), integer(node, "groups", w), st);
            }
            return new LowPassDct(integer(node, "height", w), integer(node, "width", w), integer(node, "keep", w));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(w + ": " + e.getMessage(), e);
        }
    }

    /** Inside readTransform's try, whose catch names the feature and the transform. */
    private static double[] numbers(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a non-empty array of numbers");
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw new IllegalArgumentException("\"" + key + "\"[" + i + "] must be a number, got " + v.get(i));
            }
            out[i] = v.get(i).doubleValue();
        }
        return out;
    }

    private static int integer(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key \"" + k + "\" (allowed: "
                        + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string, got " + v);
        }
        return v.textValue();
    }

    private static double number(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a number, got " + v);
        }
        return v.doubleValue();
    }

    /** The string array under key, or null when absent. */
    private static List<String> strings(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be an array of strings, got " + v);
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException(where + ": \"" + key + "\" must contain only strings, got " + e);
            }
            out.add(e.textValue());
        }
        return out;
    }
}
