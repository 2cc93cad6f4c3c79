package org.dpspark.datasets;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.FeatureColumn;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;

/**
 * Synthetic binary-classification data from a fixed logistic model, for {@code dp-train --demo} and tests
 * (nothing is downloaded).
 *
 * <p>Each row: {@code x ~ Uniform[-1, 1)^d}, {@code z = w . x}, {@code label ~ Bernoulli(sigmoid(z))} with the
 * fixed weights {@link #trueWeights(int)}: {@code w_j = c * s_j * (1 + j mod 3)}, {@code s_j = +1} for even j and
 * {@code -1} for odd j, and c chosen so that {@code Var(z) = sum w_j^2 / 3 = } {@value #SIGNAL}^2. With this
 * signal the Bayes classifier {@code sign(w . x)} is right about 89% of the time (E[sigmoid(|z|)] for
 * {@code z ~ N(0, 25)}; more for small d), so a trained logistic model can reach 0.8 accuracy.
 *
 * <p>Deterministic given (seed, rows, features, partitions): partition p generates rows
 * {@code [floor(rows*p/P), floor(rows*(p+1)/P))} from a {@link SplittableRandom} seeded with a SplitMix64 mix of
 * (seed, p), so recomputing a partition (task retry, uncached reuse) gives the same rows. Not for privacy:
 * this data is public by construction.
 *
 * <p>{@link #customers} is a per-user table (customers and their transactions) for user-level DP; see there.
 * {@link #rawCustomers} is the same table with personal data (names, e-mails, ZIP codes, ...) for dp-prepare.
 */
public final class SyntheticData {

    /** Standard deviation of the logit {@code w . x}. */
    public static final double SIGNAL = 5.0;

    /** The label column. */
    public static final String LABEL = "label";

    private SyntheticData() {
    }

    /**
     * Generates {@code rows} rows with columns x0..x{features-1} (double, in [-1, 1]) and "label" (double, 0 or 1).
     *
     * @throws IllegalArgumentException when rows < 0, features < 1 or partitions < 1
     */
    public static Dataset<Row> logistic(SparkSession spark, long rows, int features, long seed, int partitions) {
        if (!(rows >= 0)) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (!(features >= 1)) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        if (!(partitions >= 1)) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        double[] w = trueWeights(features);
        List<Integer> parts = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            parts.add(p);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rdd = jsc.parallelize(parts, partitions).mapPartitions(it -> {
            List<Iterator<Row>> gens = new ArrayList<>();
            while (it.hasNext()) {
                int p = it.next();
                long from = rowStart(rows, p, partitions);
                long to = rowStart(rows, p + 1, partitions);
                gens.add(generator(w, to - from, partitionSeed(seed, p)));
            }
            return concat(gens);
        });
        return spark.createDataFrame(rdd, schema(features));
    }

    /** The Spark schema of {@link #logistic}: x0..x{d-1}, label, all non-null doubles. */
    public static StructType schema(int features) {
        List<StructField> fields = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            fields.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField(LABEL, DataTypes.DoubleType, false));
        return DataTypes.createStructType(fields);
    }

    /** The spec for {@link #logistic}: x0..x{d-1} scaled from [-1, 1] to [0, 1], numeric label "label". */
    public static FeatureSpec spec(int features) {
        if (!(features >= 1)) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        List<FeatureColumn> cols = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            cols.add(NumericFeature.scale("x" + j, -1, 1));
        }
        return new FeatureSpec("synthetic-logistic-" + features, cols, LabelSpec.numeric(LABEL));
    }

    /** The user column of {@link #customers}. */
    public static final String CUSTOMER_ID = "customer_id";
    /** Largest number of transactions of one customer in {@link #customers}. */
    public static final int MAX_ROWS_PER_CUSTOMER = 500;
    /** Tail exponent alpha of the truncated Pareto law of transactions per customer. */
    public static final double PARETO_ALPHA = 1.1;
    /** The customer segments, the vocabulary of the one-hot "segment" feature. */
    public static final List<String> SEGMENTS = List.of("retail", "business", "student");

    /**
     * A synthetic customers-and-transactions table: {@code users} customers, each with 1 to
     * {@value #MAX_ROWS_PER_CUSTOMER} transaction rows, for user-level DP (no real per-user table is public).
     *
     * <p>Rows per customer: {@code n = floor(X)} for X from a Pareto law with x_min = 1 and tail exponent
     * alpha = {@value #PARETO_ALPHA} truncated to [1, 501), by inversion:
     * {@code X = (1 - U (1 - 501^-alpha))^(-1/alpha)}, U uniform in [0, 1). So {@code P(n >= m)} is about
     * {@code m^-alpha} (heavy-tailed: about half the customers have one row, about one in 190 has 100 or more; Clauset,
     * Shalizi and Newman 2009 on such power laws), and no point mass at the cap.
     *
     * <p>Per-customer traits (repeated on each of its rows): {@code age} in [18, 90], {@code tenure} in [0, 30]
     * years, {@code segment} in {@link #SEGMENTS}, and a hidden trait h ~ N(0, 1) that is not a column. Per
     * transaction: {@code amount} (log-normal, e^(3 + 0.8 [business]) median, clipped to [0, 10000]),
     * {@code hour} (integer 0..23, as a double) and {@code online} (0/1, probability 0.3, or 0.7 for students).
     * Label (0/1): Bernoulli(sigmoid(z_u + 0.5 (online - 0.5))) with the customer's logit
     * {@code z_u = 2.5 a + 1.5 t - 1.0 [student] + 1.5 h}, {@code a = (age - 54) / 36},
     * {@code t = tenure / 15 - 1}: mostly a property of the customer, so rows of one customer are correlated
     * and per-user bounding and per-user learning matter.
     *
     * <p>Deterministic from the public {@code seed}: customer u's traits and rows come from a
     * {@link SplittableRandom} seeded with a SplitMix64 mix of (seed, u), whatever the partitioning (customers
     * {@code [floor(users p / P), floor(users (p + 1) / P))} in partition p). This data is public by construction;
     * the seed is not a secret and must not be reused for anything private.
     *
     * @return columns customer_id (string "c" + index), age, tenure, segment (string), amount, hour, online,
     *     label (doubles); the rows of a customer are consecutive
     * @throws IllegalArgumentException when users &lt; 1 or partitions &lt; 1
     */
    public static Dataset<Row> customers(SparkSession spark, int users, long seed, int partitions) {
        return byCustomer(spark, users, seed, partitions, false);
    }

    /** The rows of customers [0, users), customer u's from its own generator, in {@code partitions} slices. */
    private static Dataset<Row> byCustomer(SparkSession spark, int users, long seed, int partitions, boolean raw) {
        if (!(users >= 1)) {
            throw new IllegalArgumentException("users must be >= 1, got " + users);
        }
        if (!(partitions >= 1)) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        List<Integer> parts = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            parts.add(p);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rdd = jsc.parallelize(parts, partitions).flatMap(p -> {
            int from = (int) rowStart(users, p, partitions);
            int to = (int) rowStart(users, p + 1, partitions);
            return java.util.stream.IntStream.range(from, to).boxed()
                    .flatMap(u -> (raw ? rawCustomerRows(u, seed) : customerRows(u, seed)).stream()
                            .map(RowFactory::create)).iterator();
        });
        return spark.createDataFrame(rdd, raw ? rawCustomersSchema() : customersSchema());
    }

    /** The schema of {@link #customers}. */
    public static StructType customersSchema() {
        return new StructType()
                .add(CUSTOMER_ID, DataTypes.StringType, false)
                .add("age", DataTypes.DoubleType, false)
                .add("tenure", DataTypes.DoubleType, false)
                .add("segment", DataTypes.StringType, false)
                .add("amount", DataTypes.DoubleType, false)
                .add("hour", DataTypes.DoubleType, false)
                .add("online", DataTypes.DoubleType, false)
                .add(LABEL, DataTypes.DoubleType, false);
    }

    /**
     * The spec of {@link #customers}, d = 8, privacy unit the user {@value #CUSTOMER_ID}: amount log1p-scaled from
     * [0, 10000], hour [0, 23], online [0, 1], age [18, 90], tenure [0, 30], segment one-hot; numeric label.
     */
    public static FeatureSpec customersSpec() {
        return new FeatureSpec("synthetic-customers", List.of(
                NumericFeature.log1p("amount", 0, 10000),
                NumericFeature.scale("hour", 0, 23),
                NumericFeature.scale("online", 0, 1),
                NumericFeature.scale("age", 18, 90),
                NumericFeature.scale("tenure", 0, 30),
                new OneHotFeature("segment", SEGMENTS)), LabelSpec.numeric(LABEL), CUSTOMER_ID);
    }

    /** The first names of {@link #rawCustomers} (a small fixed list; names are made distinct by a number). */
    static final List<String> FIRST_NAMES = List.of("Ada", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro",
            "Ines", "Jonas", "Kofi", "Lena", "Marta", "Nils", "Olga", "Pedro", "Qiu", "Rosa", "Sam", "Tara");
    /** The last names of {@link #rawCustomers}. */
    static final List<String> LAST_NAMES = List.of("Smith", "Garcia", "Muller", "Rossi", "Kowalski", "Nguyen", "Silva",
            "Okafor", "Tanaka", "Larsen", "Dubois", "Novak", "Ivanova", "Haddad", "Kim", "Murphy");
    /** The e-mail domains of {@link #rawCustomers} (reserved example names, RFC 2606 / 6761). */
    static final List<String> EMAIL_DOMAINS = List.of("example.com", "example.org", "example.net", "mail.example",
            "post.example");
    /** Number of distinct 3-digit ZIP prefixes in {@link #rawCustomers}. */
    static final int ZIP_PREFIXES = 120;
    /** First and last signup dates of {@link #rawCustomers}, as epoch days (2000-01-01 and 2024-12-31). */
    static final long SIGNUP_FIRST = java.time.LocalDate.of(2000, 1, 1).toEpochDay();
    static final long SIGNUP_LAST = java.time.LocalDate.of(2024, 12, 31).toEpochDay();
    /** Probability that a row's balance is negative (an overdraft) in {@link #rawCustomers}. */
    static final double NEGATIVE_BALANCE = 0.05;

    /**
     * The customers-and-transactions table of {@link #customers} as a raw table with personal data, the input
     * that issue 15's {@code dp-prepare} turns into a trainable copy (drop, pseudonymize, mask, generalize).
     *
     * <p>The same customers and transaction rows as {@link #customers}{@code (spark, users, seed, partitions)}:
     * for every customer, the transaction columns (tenure, segment, amount, hour, online, label) and the age are
     * those of {@link #customers}, row for row, so the learning task is identical. Each row repeats its customer's
     * personal data, drawn from a second generator seeded with a SplitMix64 mix of (seed, u) that {@link #customers}
     * does not use:
     * <ul>
     *   <li>{@code customer_id}: "C" + the customer index zero-padded to 9 digits (not the "c" + index of
     *       {@link #customers});</li>
     *   <li>{@code name}: first and last name from small fixed lists, then the index (distinct per customer);</li>
     *   <li>{@code email}: first.last + index @ one of {@link #EMAIL_DOMAINS};</li>
     *   <li>{@code phone}: "+1-555-" + 7 digits;</li>
     *   <li>{@code age}: integer years in [18, 90] (an int column, so that its text form is a decimal integer
     *       such as "45", as age bands need; the same value as {@link #customers}' age);</li>
     *   <li>{@code zip}: 5 ASCII digits, the 3-digit prefix one of {@value #ZIP_PREFIXES} fixed prefixes
     *       (uniform), the last two digits uniform;</li>
     *   <li>{@code signup_date}: {@code yyyy-MM-dd}, uniform over 2000-01-01 .. 2024-12-31;</li>
     *   <li>{@code card}: 16 digits, starting with 4, the last a Luhn check digit.</li>
     * </ul>
     * And per row: {@code balance}, the account balance after the transaction (double): with probability
     * {@value #NEGATIVE_BALANCE} an overdraft {@code -e^(4 + N(0,1))}, else {@code e^(m_u + 0.5 N(0,1))} with
     * the customer's level {@code m_u = 6 + N(0,1)}; clipped to [-10000, 100000]. Balance and the personal
     * columns carry no label signal.
     *
     * <p>Deterministic from the public {@code seed} whatever the partitioning (as {@link #customers}). The data is
     * public by construction: the names, e-mails, cards and phones are fake and the seed is no secret.
     *
     * @return columns as {@link #rawCustomersSchema()}; the rows of a customer are consecutive
     * @throws IllegalArgumentException when users &lt; 1 or partitions &lt; 1
     */
    public static Dataset<Row> rawCustomers(SparkSession spark, int users, long seed, int partitions) {
        return byCustomer(spark, users, seed, partitions, true);
    }

    /** The schema of {@link #rawCustomers}: personal columns, then the transaction columns of {@link #customers}. */
    public static StructType rawCustomersSchema() {
        StructType personal = new StructType()
                .add(CUSTOMER_ID, DataTypes.StringType, false)
                .add("name", DataTypes.StringType, false)
                .add("email", DataTypes.StringType, false)
                .add("phone", DataTypes.StringType, false)
                .add("age", DataTypes.IntegerType, false)
                .add("zip", DataTypes.StringType, false)
                .add("signup_date", DataTypes.StringType, false)
                .add("card", DataTypes.StringType, false)
                .add("balance", DataTypes.DoubleType, false);
        StructField[] tx = customersSchema().fields(); // customer_id, age, then the transaction columns
        for (int i = 2; i < tx.length; i++) {
            personal = personal.add(tx[i]);
        }
        return personal;
    }

    /**
     * Number of rows of customer u in {@link #customers} and {@link #rawCustomers} (the first draw of its
     * generator), without generating the rows: to size a table in advance.
     */
    public static int rowsOfCustomer(int u, long seed) {
        return customerRowCount(new SplittableRandom(customerSeed(seed, u)));
    }

    /** The seed of customer u's personal-data generator in {@link #rawCustomers}, independent of its row seed. */
    static long personalSeed(long seed, int u) {
        return mix64(~seed ^ mix64(0xD1B54A32D192ED03L * (u + 1L)));
    }

    /** Customer u's rows of {@link #rawCustomers} (values in {@link #rawCustomersSchema()} order). */
    static List<Object[]> rawCustomerRows(int u, long seed) {
        List<Object[]> base = customerRows(u, seed);
        SplittableRandom r = new SplittableRandom(personalSeed(seed, u));
        String id = String.format(java.util.Locale.ROOT, "C%09d", u);
        String first = FIRST_NAMES.get(r.nextInt(FIRST_NAMES.size()));
        String last = LAST_NAMES.get(r.nextInt(LAST_NAMES.size()));
        String name = first + " " + last + " " + u;
        String email = first.toLowerCase(java.util.Locale.ROOT) + "." + last.toLowerCase(java.util.Locale.ROOT) + u
                + "@" + EMAIL_DOMAINS.get(r.nextInt(EMAIL_DOMAINS.size()));
        String phone = "+1-555-" + digits(r, 7);
        // The prefixes spread over 010..989: prefix i is 10 + floor(i * 980 / ZIP_PREFIXES).
        int prefix = 10 + r.nextInt(ZIP_PREFIXES) * 980 / ZIP_PREFIXES;
        String zip = String.format(java.util.Locale.ROOT, "%03d%02d", prefix, r.nextInt(100));
        String signup = java.time.LocalDate.ofEpochDay(SIGNUP_FIRST + r.nextLong(SIGNUP_LAST - SIGNUP_FIRST + 1))
                .toString();
        String card = luhn("4" + digits(r, 14));
        double level = 6 + gaussian(r);
        int age = (int) (double) base.get(0)[1];
        List<Object[]> rows = new ArrayList<>(base.size());
        for (Object[] b : base) {
            double balance = r.nextDouble() < NEGATIVE_BALANCE ? -Math.exp(4 + gaussian(r))
                    : Math.exp(level + 0.5 * gaussian(r));
            balance = Math.max(-10000, Math.min(100000, balance));
            // b: customer_id, age, tenure, segment, amount, hour, online, label
            rows.add(new Object[] {id, name, email, phone, age, zip, signup, card, balance, b[2], b[3], b[4], b[5], b[6],
                b[7]});
        }
        return rows;
    }

    private static String digits(SplittableRandom r, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('0' + r.nextInt(10));
        }
        return new String(c);
    }

    /** {@code body} followed by its Luhn check digit. */
    static String luhn(String body) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            int d = body.charAt(body.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return body + (char) ('0' + (10 - sum % 10) % 10);
    }

    /** The seed of customer u's generator: a SplitMix64 mix of (seed, u). */
    static long customerSeed(long seed, int u) {
        return mix64(seed ^ mix64(0x632BE59BD9B4E019L * (u + 1L)));
    }

    /** Number of rows of customer u: the truncated, discretized Pareto law of {@link #customers}. */
    static int customerRowCount(SplittableRandom r) {
        double tail = Math.pow(MAX_ROWS_PER_CUSTOMER + 1.0, -PARETO_ALPHA);
        double x = Math.pow(1 - r.nextDouble() * (1 - tail), -1 / PARETO_ALPHA);
        return (int) Math.min(MAX_ROWS_PER_CUSTOMER, Math.max(1, Math.floor(x)));
    }

    /** The logit of customer u's label probability, from its traits (see {@link #customers}). */
    static double customerLogit(double age, double tenure, String segment, double hidden) {
        return 2.5 * (age - 54) / 36 + 1.5 * (tenure / 15 - 1) - ("student".equals(segment) ? 1.0 : 0.0)
                + 1.5 * hidden;
    }

    /** Customer u's rows (values in {@link #customersSchema()} order), deterministic from (u, seed). */
    static List<Object[]> customerRows(int u, long seed) {
        SplittableRandom r = new SplittableRandom(customerSeed(seed, u));
        int n = customerRowCount(r);
        double age = Math.floor(r.nextDouble(18, 91));
        double tenure = Math.min(Math.floor(r.nextDouble(0, 31)), age - 18);
        String segment = SEGMENTS.get(r.nextInt(SEGMENTS.size()));
        double hidden = gaussian(r);
        double z = customerLogit(age, tenure, segment, hidden);
        boolean business = segment.equals("business");
        double pOnline = segment.equals("student") ? 0.7 : 0.3;
        String id = "c" + u;
        List<Object[]> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double amount = Math.min(10000, Math.exp(3 + (business ? 0.8 : 0) + gaussian(r)));
            double hour = r.nextInt(24);
            double online = r.nextDouble() < pOnline ? 1.0 : 0.0;
            double p = 1.0 / (1.0 + Math.exp(-(z + 0.5 * (online - 0.5))));
            double label = r.nextDouble() < p ? 1.0 : 0.0;
            rows.add(new Object[] {id, age, tenure, segment, amount, hour, online, label});
        }
        return rows;
    }

    /** A standard normal by Box-Muller (public synthetic data only). */
    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The weights of the generating model (on the raw x in [-1, 1]; the intercept is 0). */
    public static double[] trueWeights(int features) {
        if (!(features >= 1)) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        double[] w = new double[features];
        double sumSq = 0;
        for (int j = 0; j < features; j++) {
            w[j] = (j % 2 == 0 ? 1 : -1) * (1 + j % 3);
            sumSq += w[j] * w[j];
        }
        double c = SIGNAL * Math.sqrt(3.0 / sumSq);
        for (int j = 0; j < features; j++) {
            w[j] *= c;
        }
        return w;
    }

    static long rowStart(long rows, int p, int partitions) {
        return Math.floorDiv(Math.multiplyExact(rows, (long) p), (long) partitions);
    }

    static long partitionSeed(long seed, int p) {
        return mix64(seed ^ mix64(0x9E3779B97F4A7C15L * (p + 1L)));
    }

    /** SplitMix64 finalizer (Steele, Lea, Flood 2014). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Iterator<Row> generator(double[] w, long count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Iterator<>() {
            private long made;

            @Override
            public boolean hasNext() {
                return made < count;
            }

            @Override
            public Row next() {
                if (made >= count) {
                    throw new NoSuchElementException();
                }
                made++;
                Object[] v = new Object[w.length + 1];
                double z = 0;
                for (int j = 0; j < w.length; j++) {
                    double x = r.nextDouble(-1.0, 1.0);
                    v[j] = x;
                    z += w[j] * x;
                }
                double p = 1.0 / (1.0 + Math.exp(-z));
                v[w.length] = r.nextDouble() < p ? 1.0 : 0.0;
                return RowFactory.create(v);
            }
        };
    }

    private static Iterator<Row> concat(List<Iterator<Row>> parts) {
        return parts.stream().flatMap(it -> {
            Iterable<Row> i = () -> it;
            return java.util.stream.StreamSupport.stream(i.spliterator(), false);
        }).iterator();
    }
}
