package org.dpspark.datasets.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code identifiers} section of a feature spec: what {@code dp-prepare} does to each identifying column before
 * any analyst or training job reads the table (data minimization; GDPR Art. 4(5) pseudonymization, HIPAA
 * de-identification). Declarative and data-independent: the hierarchies are fixed before any row is read.
 *
 * <p>Every column appears in at most one list. Columns the spec declares nowhere (not a feature, the label, the
 * user column, nor in this section) are not copied to the prepared table. The feature spec's {@code features},
 * label and user describe the table <em>after</em> preparation (a generalized age is one-hot encoded by its bands;
 * the user column holds pseudonyms), so one spec file serves {@code dp-prepare} and {@code dp-train}.
 *
 * <p>JSON form:
 * <pre>{@code
 * "identifiers": {
 *   "drop": ["name", "email", "phone"],
 *   "pseudonymize": ["customer_id"],
 *   "mask": [{"column": "card", "method": "keep_last", "keep": 4},
 *            {"column": "contact", "method": "email"}],
 *   "generalize": [{"column": "age", "method": "age_bands", "width": 10, "min": 0, "max": 120},
 *                  {"column": "zip", "method": "zip_prefix", "digits": 3},
 *                  {"column": "signup", "method": "date", "unit": "month"}],
 *   "quasi_identifiers": ["age", "zip", "signup"],
 *   "keep": ["region"]
 * }}</pre>
 * {@code quasi_identifiers} defaults to the generalized columns (in order); {@code keep} lists columns copied
 * unchanged though no feature reads them.
 *
 * @param drop             direct identifiers removed from the prepared table
 * @param pseudonymize     columns replaced, in place, by keyed pseudonyms (HMAC-SHA256)
 * @param mask             display columns partially masked, in place
 * @param generalize       quasi-identifiers coarsened, in place, by a declared hierarchy
 * @param quasiIdentifiers the columns whose value tuple forms the k-anonymity equivalence class
 * @param keep             further columns copied unchanged
 */
public record Identifiers(List<String> drop, List<String> pseudonymize, List<Mask> mask, List<Generalize> generalize,
                          List<String> quasiIdentifiers, List<String> keep) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How a display column is masked. */
    public enum MaskMethod {
        /** All but the last {@code keep} characters replaced by '*'. */
        KEEP_LAST("keep_last"),
        /** The local part of an e-mail address masked but its first character; the domain kept. */
        EMAIL("email");

        private final String jsonName;

        MaskMethod(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The name in the JSON spec. */
        public String jsonName() {
            return jsonName;
        }

        /** Parses a JSON name, naming the column when it is unknown. */
        public static MaskMethod parse(String s, String column) {
            for (MaskMethod m : values()) {
                if (m.jsonName.equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("identifier '" + column + "': mask method must be keep_last or email,"
                    + " got '" + s + "'");
        }
    }

    /**
     * One masked column.
     *
     * @param column the column (non-blank)
     * @param method keep_last or email
     * @param keep   characters kept at the end (keep_last only; {@code >= 0}; 0 for email)
     */
    public record Mask(String column, MaskMethod method, int keep) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Mask {
            FeatureSpec.requireColumnName(column, "identifier");
            if (method == null) {
                throw new IllegalArgumentException("identifier '" + column + "': mask method must be given");
            }
            if (method == MaskMethod.KEEP_LAST && keep < 0) {
                throw new IllegalArgumentException("identifier '" + column + "': keep must be >= 0, got " + keep);
            }
            if (method == MaskMethod.EMAIL && keep != 0) {
                throw new IllegalArgumentException("identifier '" + column + "': \"keep\" applies to keep_last only");
            }
        }
    }

    /** A generalization hierarchy. */
    public enum GeneralizeMethod {
        /** Integer values to bands {@code [lo, hi)} of {@code width} from {@code min} to {@code max}. */
        AGE_BANDS("age_bands"),
        /** 5-digit ZIP codes to their first {@code digits} digits. */
        ZIP_PREFIX("zip_prefix"),
        /** ISO dates to their month ({@code yyyy-MM}) or year ({@code yyyy}). */
        DATE("date");

        private final String jsonName;

        GeneralizeMethod(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The name in the JSON spec. */
        public String jsonName() {
            return jsonName;
        }

        /** Parses a JSON name, naming the column when it is unknown. */
        public static GeneralizeMethod parse(String s, String column) {
            for (GeneralizeMethod m : values()) {
                if (m.jsonName.equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("identifier '" + column + "': generalize method must be age_bands,"
                    + " zip_prefix or date, got '" + s + "'");
        }
    }

    /**
     * One generalized column. Fields that do not apply to the method are 0 (or null for {@code unit}).
     *
     * @param column the column (non-blank)
     * @param method the hierarchy
     * @param width  age_bands: band width, {@code >= 1}
     * @param min    age_bands: first band's lower bound (inclusive)
     * @param max    age_bands: last band's upper bound (exclusive), {@code > min}; at most 100,000 bands
     * @param digits zip_prefix: digits kept, 0 to 5
     * @param unit   date: "month" or "year"
     */
    public record Generalize(String column, GeneralizeMethod method, int width, int min, int max, int digits,
                             String unit) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Generalize {
            FeatureSpec.requireColumnName(column, "identifier");
            if (method == null) {
                throw new IllegalArgumentException("identifier '" + column + "': generalize method must be given");
            }
            String where = "identifier '" + column + "': " + method.jsonName();
            switch (method) {
                case AGE_BANDS -> {
                    if (width < 1) {
                        throw new IllegalArgumentException(where + " width must be >= 1, got " + width);
                    }
                    if (min >= max) {
                        throw new IllegalArgumentException(where + " needs min < max, got min=" + min + ", max="
                                + max);
                    }
                    if (((long) max - min + width - 1) / width > 100_000) {
                        throw new IllegalArgumentException(where + " would have more than 100000 bands");
                    }
                }
                case ZIP_PREFIX -> {
                    if (digits < 0 || digits > 5) {
                        throw new IllegalArgumentException(where + " digits must be in [0, 5], got " + digits);
                    }
                }
                case DATE -> {
                    if (!"month".equals(unit) && !"year".equals(unit)) {
                        throw new IllegalArgumentException(where + " unit must be \"month\" or \"year\", got "
                                + (unit == null ? "null" : "\"" + unit + "\""));
                    }
                }
                default -> throw new IllegalStateException(method.toString());
            }
        }

        /** Age bands of {@code width} over [min, max). */
        public static Generalize ageBands(String column, int width, int min, int max) {
            return new Generalize(column, GeneralizeMethod.AGE_BANDS, width, min, max, 0, null);
        }

        /** ZIP codes to their first {@code digits} digits. */
        public static Generalize zipPrefix(String column, int digits) {
            return new Generalize(column, GeneralizeMethod.ZIP_PREFIX, 0, 0, 0, digits, null);
        }

        /** Dates to "month" or "year". */
        public static Generalize date(String column, String unit) {
            return new Generalize(column, GeneralizeMethod.DATE, 0, 0, 0, 0, unit);
        }

        /** A short description, e.g. {@code age_bands(width=10, min=0, max=120)}. */
        public String describe() {
            return switch (method) {
                case AGE_BANDS -> String.format(Locale.ROOT, "age_bands(width=%d, min=%d, max=%d)", width, min, max);
                case ZIP_PREFIX -> "zip_prefix(digits=" + digits + ")";
                case DATE -> "date(unit=" + unit + ")";
            };
        }
    }

    public Identifiers {
        drop = copy(drop);
        pseudonymize = copy(pseudonymize);
        mask = mask == null ? List.of() : List.copyOf(mask);
        generalize = generalize == null ? List.of() : List.copyOf(generalize);
        keep = copy(keep);
        if (quasiIdentifiers == null) {
            List<String> q = new ArrayList<>();
            generalize.forEach(g -> q.add(g.column()));
            quasiIdentifiers = List.copyOf(q);
        } else {
            quasiIdentifiers = copy(quasiIdentifiers);
        }
        Map<String, String> where = new HashMap<>();
        drop.forEach(c -> claim(where, c, "drop"));
        pseudonymize.forEach(c -> claim(where, c, "pseudonymize"));
        mask.forEach(m -> claim(where, m.column(), "mask"));
        generalize.forEach(g -> claim(where, g.column(), "generalize"));
        keep.forEach(c -> claim(where, c, "keep"));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String q : quasiIdentifiers) {
            if (!seen.add(q)) {
                throw new IllegalArgumentException("identifier '" + q + "': listed twice in quasi_identifiers");
            }
            if ("drop".equals(where.get(q))) {
                throw new IllegalArgumentException("identifier '" + q + "': a dropped column cannot be a"
                        + " quasi-identifier (it is not in the prepared table)");
            }
        }
    }

    /** No identifiers section: nothing dropped, pseudonymized, masked or generalized. */
    public static Identifiers none() {
        return new Identifiers(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** Whether the section declares nothing. */
    public boolean isEmpty() {
        return drop.isEmpty() && pseudonymize.isEmpty() && mask.isEmpty() && generalize.isEmpty()
                && quasiIdentifiers.isEmpty() && keep.isEmpty();
    }

    /** Every column this section names (drop, pseudonymize, mask, generalize, keep), in that order. */
    public List<String> columns() {
        List<String> out = new ArrayList<>(drop);
        out.addAll(pseudonymize);
        mask.forEach(m -> out.add(m.column()));
        generalize.forEach(g -> out.add(g.column()));
        out.addAll(keep);
        return List.copyOf(out);
    }

    private static List<String> copy(List<String> l) {
        if (l == null) {
            return List.of();
        }
        for (String c : l) {
            FeatureSpec.requireColumnName(c, "identifier");
        }
        return List.copyOf(l);
    }

    private static void claim(Map<String, String> where, String column, String list) {
        String before = where.putIfAbsent(column, list);
        if (before != null) {
            throw new IllegalArgumentException("identifier '" + column + "': listed in both " + before + " and "
                    + list + " (a column gets one treatment)");
        }
    }
}
