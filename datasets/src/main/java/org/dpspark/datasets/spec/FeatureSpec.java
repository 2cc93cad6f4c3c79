package org.dpspark.datasets.spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A declared, data-independent description of the feature vector and the label.
 *
 * <p>The feature vector is the concatenation, in {@code features} order, of each feature's encoding
 * ({@link NumericFeature}: one coordinate in [0, 1]; {@link IndicatorFeature}: one coordinate in {0, 1};
 * {@link OneHotFeature}: a block with at most one 1; {@link VectorFeature}: {@code size} coordinates in [0, 1], or,
 * with an {@link ImageTransform}, its output: K * K low-frequency DCT coefficients, or scattering features), so
 * {@code dimension() = sum of widths} and every encoded row {@code x} satisfies
 * {@code ||x||_2 <= sqrt(number of scalar (numeric, indicator) and one-hot features + sum of squared vector bounds)}:
 * each scalar feature and each one-hot block adds at most 1 to {@code ||x||_2^2}, each vector at most its size, or its
 * transform's bound squared ({@link VectorFeature#normBound()}; the DCT is a contraction). A column may feed several features (say {@code pdays != -1} and {@code pdays}
 * scaled); each counts in the bound, so the bound still holds ({@link #normBound()} computes it). All bounds,
 * vocabularies and transforms are public: nothing is fitted on private data (fitting would itself need to be DP and
 * accounted; Abadi et al. 2016).
 *
 * <p>JSON form ({@link #toJson()} / {@link #fromJson(String)}; unknown keys are rejected so typos fail loudly):
 * <pre>{@code
 * {"format_version":1,"name":"adult",
 *  "label":{"column":"income","positive":[">50K"],"negative":["<=50K"],"strip_trailing_dot":true},
 *  "features":[{"column":"age","encoding":"scale","min":17,"max":90},
 *              {"column":"capital-gain","encoding":"log1p","min":0,"max":99999},
 *              {"column":"workclass","encoding":"onehot","vocabulary":["Private", "..."]}]}
 * }</pre>
 * A numeric feature's encoding is "scale", "log1p" or "signed_log1p" ({@link NumericFeature}); an indicator is
 * {@code {"column":"pdays","encoding":"indicator","op":"!=","value":-1}} ({@link IndicatorFeature}; a string value
 * compares text). A column may appear in several features (an indicator and a scaled value, say); the same feature
 * twice is an error.
 * A label without "positive"/"negative" is numeric (0/1). A multiclass label has {@code "num_classes": K}
 * (values 0 .. K-1); a regression label has {@code "min"} and {@code "max"} (values clipped to them). A vector
 * feature is {@code {"column":"features","encoding":"scale","size":784,"min":0,"max":255}}, optionally with
 * {@code "transform":{"type":"dct","height":28,"width":28,"keep":12}} ({@link LowPassDct}) or
 * {@code "transform":{"type":"scatter","height":28,"width":28,"j":2,"l":8,"groups":27}} ({@link ScatterTransform}; a
 * reader that predates transforms refuses such a spec with "unknown key", one that predates scattering with "type
 * must be dct"; neither ignores it).
 *
 * <p>The privacy unit: a spec may declare {@code "user":{"column":"customer_id"}}, the column whose value names
 * the person a row belongs to (user-level DP, {@link org.dpspark.datasets.UserBlocks}). Without it the unit is
 * the row. The user column is never encoded: it cannot also be a feature or the label. The key is optional and
 * written only when set, so specs without it read and write exactly as before (format_version stays 1); a reader
 * that predates it refuses a spec that has it ("unknown key"), never silently trains at row level.
 *
 * <p>The CSV dialect: {@code "csv": {"delimiter": ";"}} ({@link CsvFormat}; keys optional, Spark's defaults
 * otherwise) is how CSV inputs of this spec are split; written only when not the default.
 *
 * <p>The {@code identifiers} section ({@link Identifiers}) declares what {@code dp-prepare} drops, pseudonymizes,
 * masks and generalizes; the features, label and user describe the prepared table. Written only when non-empty.
 * The constructor cross-checks it against the rest of the spec: a dropped or masked column cannot be a feature,
 * the label or the user column; the label cannot be pseudonymized, generalized or listed in {@code keep}; every
 * quasi-identifier must be in the prepared table ({@link #preparedColumns()}). The user column may be
 * pseudonymized (user-level DP then groups by pseudonym, which is the same partition of the rows).
 *
 * @param name        a non-blank name (recorded in provenance)
 * @param features    non-empty; no feature listed twice (a column may feed several different features); no
 *                    feature reads the label or the user column
 * @param label       how the label is read
 * @param user        the privacy-unit column, or null at row level (see {@link #userColumn()})
 * @param csv         the CSV dialect; null is read as {@link CsvFormat#DEFAULT}, so this component is never null
 * @param identifiers the identifiers section; null is read as {@link Identifiers#none()}, so this component is
 *                    never null
 */
public record FeatureSpec(String name, List<FeatureColumn> features, LabelSpec label, String user, CsvFormat csv,
                          Identifiers identifiers) implements Serializable {

    /** The JSON {@code format_version} this code reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /** Largest JSON spec file {@link #resolve} reads. */
    static final long MAX_SPEC_BYTES = 16L << 20;

    public FeatureSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("feature spec name must be non-blank, got '" + name + "'");
        }
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("feature spec '" + name + "': features must be non-empty");
        }
        if (label == null) {
            throw new IllegalArgumentException("feature spec '" + name + "': label must be given");
        }
        Set<String> seen = new HashSet<>();
        Set<FeatureColumn> distinct = new HashSet<>();
        for (FeatureColumn f : features) {
            if (f == null) {
                throw new IllegalArgumentException("feature spec '" + name + "': features must not contain null");
            }
            if (!distinct.add(f)) {
                throw new IllegalArgumentException("feature '" + f.column()
                        + "': listed twice with the same encoding");
            }
            seen.add(f.column());
        }
        if (seen.contains(label.column())) {
            throw new IllegalArgumentException("feature '" + label.column()
                    + "': the label column cannot also be a feature");
        }
        if (user != null) {
            requireColumnName(user, "user");
            if (seen.contains(user)) {
                throw new IllegalArgumentException("user column '" + user
                        + "': the privacy-unit column cannot also be a feature");
            }
            if (user.equals(label.column())) {
                throw new IllegalArgumentException("user column '" + user
                        + "': the privacy-unit column cannot also be the label");
            }
        }
        features = List.copyOf(features);
        csv = csv == null ? CsvFormat.DEFAULT : csv;
        identifiers = identifiers == null ? Identifiers.none() : identifiers;
        checkIdentifiers(seen, label.column(), user, identifiers);
    }

    /** A row-level spec (no user column), default CSV dialect, no identifiers section. */
    public FeatureSpec(String name, List<FeatureColumn> features, LabelSpec label) {
        this(name, features, label, null);
    }

    /** A spec with the default CSV dialect and no identifiers section. */
    public FeatureSpec(String name, List<FeatureColumn> features, LabelSpec label, String user) {
        this(name, features, label, user, null, null);
    }

    private static void checkIdentifiers(Set<String> featureColumns, String label, String user, Identifiers ids) {
        Set<String> gone = new LinkedHashSet<>(ids.drop());
        ids.mask().forEach(m -> gone.add(m.column()));
        for (String c : gone) {
            String how = ids.drop().contains(c) ? "dropped" : "masked";
            if (featureColumns.contains(c)) {
                throw new IllegalArgumentException("identifier '" + c + "': a " + how + " column cannot be a feature");
            }
            if (c.equals(label)) {
                throw new IllegalArgumentException("identifier '" + c + "': a " + how + " column cannot be the label");
            }
            if (c.equals(user)) {
                throw new IllegalArgumentException("identifier '" + c + "': a " + how
                        + " column cannot be the user column");
            }
        }
        if (ids.pseudonymize().contains(label)) {
            throw new IllegalArgumentException("identifier '" + label + "': the label cannot be pseudonymized");
        }
        if (ids.generalize().stream().anyMatch(g -> g.column().equals(label))) {
            throw new IllegalArgumentException("identifier '" + label + "': the label cannot be generalized");
        }
        if (ids.keep().contains(label)) {
            throw new IllegalArgumentException("identifier '" + label + "': the label is always in the prepared"
                    + " table; do not list it in keep");
        }
        Set<String> prepared = new HashSet<>(featureColumns);
        prepared.add(label);
        if (user != null) {
            prepared.add(user);
        }
        prepared.addAll(ids.pseudonymize());
        ids.mask().forEach(m -> prepared.add(m.column()));
        ids.generalize().forEach(g -> prepared.add(g.column()));
        prepared.addAll(ids.keep());
        for (String q : ids.quasiIdentifiers()) {
            if (!prepared.contains(q)) {
                throw new IllegalArgumentException("identifier '" + q + "': a quasi-identifier must be in the prepared"
                        + " table (a feature, the label, the user column, or a pseudonymized, masked, generalized"
                        + " or kept column)");
            }
        }
    }

    /** The same spec with CSV inputs split by {@code format} (null: the default dialect). */
    public FeatureSpec withCsv(CsvFormat format) {
        return new FeatureSpec(name, features, label, user, format, identifiers);
    }

    /** The same spec with another identifiers section (null: none). */
    public FeatureSpec withIdentifiers(Identifiers section) {
        return new FeatureSpec(name, features, label, user, csv, section);
    }

    /** The same spec without an identifiers section (what a prepared table's consumers need). */
    public FeatureSpec withoutIdentifiers() {
        return withIdentifiers(null);
    }

    /**
     * The columns of the prepared table, in order: the feature columns (each once, in spec order), the label, the
     * user column, then the pseudonymized, masked, generalized and kept columns of the identifiers section not
     * already listed.
     */
    public List<String> preparedColumns() {
        Set<String> cols = new LinkedHashSet<>();
        features.forEach(f -> cols.add(f.column()));
        cols.add(label.column());
        if (user != null) {
            cols.add(user);
        }
        cols.addAll(identifiers.pseudonymize());
        identifiers.mask().forEach(m -> cols.add(m.column()));
        identifiers.generalize().forEach(g -> cols.add(g.column()));
        cols.addAll(identifiers.keep());
        return List.copyOf(cols);
    }

    /**
     * The bound on {@code ||x||_2} of every encoded row: {@code sqrt(sum over features of b_f^2)} with {@code b_f = 1}
     * for a numeric, indicator or one-hot feature (one coordinate in [0, 1], or a block with at most one 1) and
     * {@link VectorFeature#normBound()} for a vector feature (sqrt(size) for {@code size} coordinates in [0, 1], or
     * its transform's bound: a {@link LowPassDct} keeps a subset of the coefficients of an orthonormal transform, so
     * by Parseval it does not increase the norm; a {@link ScatterTransform} states its own).
     */
    public double normBound() {
        double sq = 0;
        for (FeatureColumn f : features) {
            if (f instanceof VectorFeature v) {
                double b = v.normBound();
                sq += b * b;
            } else {
                sq += 1;
            }
        }
        return Math.sqrt(sq);
    }

    /** The privacy-unit column when the unit is the user; empty when the unit is the row. */
    public Optional<String> userColumn() {
        return Optional.ofNullable(user);
    }

    /**
     * The same spec with the privacy unit set to the user named by {@code column}, or back to the row when
     * {@code column} is null.
     *
     * @throws IllegalArgumentException when the column is blank, a feature or the label
     */
    public FeatureSpec withUserColumn(String column) {
        if (column != null) {
            requireColumnName(column, "user");
        }
        return new FeatureSpec(name, features, label, column, csv, identifiers);
    }

    static void requireColumnName(String column, String what) {
        if (column == null || column.isBlank()) {
            throw new IllegalArgumentException(what + " column name must be non-blank, got '" + column + "'");
        }
    }

    /** Length of the encoded feature vector: the sum of the features' widths. */
    public int dimension() {
        long d = 0;
        for (FeatureColumn f : features) {
            d += f.width();
        }
        if (d > Integer.MAX_VALUE) {
            throw new IllegalStateException("feature spec '" + name + "': dimension " + d + " exceeds int range");
        }
        return (int) d;
    }

    /** The input columns this spec reads: the feature columns in order (each once), then the label column. */
    public List<String> requiredColumns() {
        Set<String> cols = new LinkedHashSet<>();
        for (FeatureColumn f : features) {
            cols.add(f.column());
        }
        cols.add(label.column());
        return List.copyOf(cols);
    }

    /** The same spec with the label read from another column (same positive/negative mapping). */
    public FeatureSpec withLabelColumn(String column) {
        return new FeatureSpec(name, features, label.withColumn(column), user, csv, identifiers);
    }

    /**
     * The same spec with a fixed feature transform applied to its vector feature: {@code "raw"} returns this spec
     * unchanged; {@code "dct:K"} ({@link LowPassDct}, K x K coefficients, K in [1, S]) or {@code "scatter:J,L[,G]"}
     * ({@link ScatterTransform}) returns a spec named {@code name + "+" + text} whose vector feature (the only one; a
     * square image of S * S elements) is followed by the transform.
     *
     * @throws IllegalArgumentException when the text is none of these, or the spec has no vector feature, several, one
     *                                  that already has a transform, or one the transform does not fit
     */
    public FeatureSpec withFeatureTransform(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("raw")) {
            return this;
        }
        if (!t.startsWith(LowPassDct.TYPE + ":") && !t.startsWith(ScatterTransform.TYPE + ":")) {
            throw new IllegalArgumentException("feature transform must be raw, dct:K or scatter:J,L[,G], got '"
                    + text + "'");
        }
        int index = -1;
        for (int i = 0; i < features.size(); i++) {
            if (features.get(i) instanceof VectorFeature) {
                if (index >= 0) {
                    throw new IllegalArgumentException(t + " applies to a spec with one vector feature (an image);"
                            + " spec '" + name + "' has several");
                }
                index = i;
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException(t + " applies to a spec with one vector feature (an image); spec '"
                    + name + "' has none");
        }
        VectorFeature v = (VectorFeature) features.get(index);
        if (v.transform() != null) {
            throw new IllegalArgumentException(t + ": vector feature '" + v.column() + "' of spec '" + name
                    + "' already has the transform " + v.transform().text());
        }
        ImageTransform transform;
        try {
            transform = ImageTransform.parse(t, v.size());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vector feature '" + v.column() + "' of spec '" + name + "': "
                    + e.getMessage(), e);
        }
        List<FeatureColumn> out = new ArrayList<>(features);
        out.set(index, v.withTransform(transform));
        return new FeatureSpec(name + "+" + transform.text(), out, label, user, csv, identifiers);
    }

    /**
     * The same spec without fixed image transforms (each vector feature's {@link VectorFeature#transform()} removed;
     * this spec itself when it has none): the encoding the transforms start from. Validation checks and fingerprints
     * rows in this encoding, so the same data has the same fingerprint whatever transform a run applies.
     */
    public FeatureSpec withoutTransforms() {
        List<FeatureColumn> out = new ArrayList<>(features.size());
        boolean any = false;
        for (FeatureColumn f : features) {
            if (f instanceof VectorFeature v && v.transform() != null) {
                out.add(v.withTransform(null));
                any = true;
            } else {
                out.add(f);
            }
        }
        return any ? new FeatureSpec(name, out, label, user, csv, identifiers) : this;
    }

    /** The scattering transform of this spec's vector feature, when it has one. */
    public Optional<ScatterTransform> scatterTransform() {
        for (FeatureColumn f : features) {
            if (f instanceof VectorFeature v && v.transform() instanceof ScatterTransform sc) {
                return Optional.of(sc);
            }
        }
        return Optional.empty();
    }

    /**
     * The same spec with its scattering transform followed by the channel map {@code s} (fitted from released
     * statistics, {@link ScatterTransform#withNormalization}); same name.
     *
     * @throws IllegalArgumentException when the spec has no scattering transform, or {@code s} does not fit it
     */
    public FeatureSpec withNormalization(org.dpspark.core.features.ChannelNormalization.ChannelMap s) {
        List<FeatureColumn> out = new ArrayList<>(features);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof VectorFeature v && v.transform() instanceof ScatterTransform sc) {
                out.set(i, v.withTransform(sc.withNormalization(s)));
                return new FeatureSpec(name, out, label, user, csv, identifiers);
            }
        }
        throw new IllegalArgumentException("data normalization applies to scattering features (--features "
                + "scatter:J,L); spec '" + name + "' has none");
    }

    /** Offset of each feature's first coordinate in the encoded vector, in {@code features} order. */
    public int[] offsets() {
        int[] off = new int[features.size()];
        int o = 0;
        for (int i = 0; i < off.length; i++) {
            off[i] = o;
            o += features.get(i).width();
        }
        return off;
    }

    /** This spec as compact JSON with {@code "format_version": 1}; {@link #fromJson} reads it back equal. */
    public String toJson() {
        return FeatureSpecJson.write(this);
    }

    /**
     * Parses and validates a JSON spec.
     *
     * @throws IllegalArgumentException on malformed JSON, an unknown or missing key, an unsupported
     *                                  format_version, or an invalid feature (the message names the column)
     */
    public static FeatureSpec fromJson(String json) {
        return FeatureSpecJson.read(json);
    }

    /** The built-in spec names {@link #resolve} knows. */
    public static SortedSet<String> builtinNames() {
        return new TreeSet<>(List.of("adult", "mnist"));
    }

    /**
     * A built-in spec by name ({@link #builtinNames()}, case-insensitive), else a JSON spec file read through the
     * Hadoop FileSystem of the path (local, HDFS, S3A, ...). A built-in name wins over a file of the same name;
     * write {@code ./adult} to mean the file.
     *
     * @param conf Hadoop configuration; null means {@code new Configuration()}
     * @throws IllegalArgumentException when the name is neither built in nor an existing file, or the file is invalid
     */
    public static FeatureSpec resolve(String nameOrPath, Configuration conf) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("feature spec must be a built-in name " + builtinNames()
                    + " or a JSON file path, got '" + nameOrPath + "'");
        }
        String key = nameOrPath.strip().toLowerCase(Locale.ROOT);
        if (key.equals("adult")) {
            return adult();
        }
        if (key.equals("mnist")) {
            return mnist();
        }
        Configuration c = conf == null ? new Configuration() : conf;
        Path path = new Path(nameOrPath.strip());
        try {
            FileSystem fs = path.getFileSystem(c);
            if (!fs.exists(path)) {
                throw new IllegalArgumentException("feature spec '" + nameOrPath + "' is neither a built-in name "
                        + builtinNames() + " nor an existing file");
            }
            FileStatus st = fs.getFileStatus(path);
            if (!st.isFile()) {
                throw new IllegalArgumentException("feature spec path '" + nameOrPath + "' is not a file");
            }
            if (st.getLen() > MAX_SPEC_BYTES) {
                throw new IllegalArgumentException("feature spec file '" + nameOrPath + "' is " + st.getLen()
                        + " bytes; at most " + MAX_SPEC_BYTES + " are read");
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream((int) st.getLen());
            try (InputStream in = fs.open(path)) {
                in.transferTo(buf);
            }
            try {
                return fromJson(buf.toString(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("feature spec file '" + nameOrPath + "': " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read feature spec file '" + nameOrPath + "'", e);
        }
    }

    /**
     * The built-in "adult" spec (UCI Adult; see ADULT_FEATURES.md), d = 104:
     * age [17, 90], education-num [1, 16], hours-per-week [1, 99] scaled; capital-gain [0, 99999] and capital-loss
     * [0, 5000] log1p-scaled; then one-hot blocks workclass (8), education (16), marital-status (7),
     * occupation (14), relationship (6), race (5), sex (2), native-country (41) with the vocabularies, in order, of
     * adult.names. "?" or any other token gives an all-zero block; fnlwgt is not used. Label "income": 1 for
     * ">50K", 0 for "<=50K", after stripping a trailing "." (adult.test).
     */
    public static FeatureSpec adult() {
        return AdultSpec.SPEC;
    }

    /**
     * The built-in "mnist" spec, d = 784: the vector column "features" of 784 pixels (as read by
     * {@link org.dpspark.datasets.MnistReader}, or LibSVM MNIST), each clipped to [0, 255] and scaled to [0, 1];
     * label "label", 10 classes (the digits 0-9).
     */
    public static FeatureSpec mnist() {
        return MNIST;
    }

    private static final FeatureSpec MNIST = new FeatureSpec("mnist",
            List.of(VectorFeature.scale("features", 784, 0, 255)), LabelSpec.multiclass("label", 10));
}
