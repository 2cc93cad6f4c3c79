package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.FeatureSpec;
import org.junit.jupiter.api.Test;

/**
 * The synthetic customers-and-transactions table ({@link SyntheticData#customers}), checked without Spark on its
 * per-customer generator (and {@link SyntheticData#rawCustomers}, the same table with personal data, once on
 * Spark across partitionings). The data is deterministic from the seed; the tolerances below are nevertheless derived
 * as for random data (stated per test), so that another seed would pass too.
 */
class SyntheticCustomersTest {

    private static final int USERS = 20_000;

    /**
     * Rows per customer on 20,000 customers: within [1, 500]; P(n = 1) = (1 - 2^-1.1) / (1 - 501^-1.1) = 0.534
     * (sd of the fraction 0.0035; tolerance 0.02 is 5.7 sd); P(n >= 100) = 0.00526 (expected 105 customers, sd
     * 10.2; tolerance [55, 155] is 4.9 sd); some customer above 250 (P(n > 250) = 0.00122, 24 expected; none has
     * probability e^-24); the top 1 % of customers hold more than 20 % of the rows (about 30 % expected: a heavy
     * tail). Each check fails a correct generator with probability below 1e-6.
     */
    @Test
    void customers_rowsPerCustomer_between1And500_heavyTailed() {
        int[] n = new int[USERS];
        for (int u = 0; u < USERS; u++) {
            n[u] = SyntheticData.customerRowCount(new SplittableRandom(SyntheticData.customerSeed(11, u)));
        }
        assertEquals(1, Arrays.stream(n).min().getAsInt());
        assertTrue(Arrays.stream(n).max().getAsInt() <= SyntheticData.MAX_ROWS_PER_CUSTOMER);
        double ones = Arrays.stream(n).filter(c -> c == 1).count() / (double) USERS;
        assertEquals(0.534, ones, 0.02);
        long hundred = Arrays.stream(n).filter(c -> c >= 100).count();
        assertTrue(hundred >= 55 && hundred <= 155, hundred + " customers with >= 100 rows");
        assertTrue(Arrays.stream(n).anyMatch(c -> c > 250));
        int[] sorted = n.clone();
        Arrays.sort(sorted);
        long total = Arrays.stream(n).asLongStream().sum();
        long top = Arrays.stream(sorted, USERS - USERS / 100, USERS).asLongStream().sum();
        assertTrue(top > 0.2 * total, "top 1% hold " + top + " of " + total + " rows");
    }

    /**
     * Labels depend on the customer's traits: over 20,000 customers, the mean label of customers whose logit
     * (from the traits) is above +1 exceeds that of those below -1 by far (expected about 0.8 vs 0.2; a gap
     * below 0.4 would need tens of sd). And rows of one customer agree more than chance: the label variance
     * within customers is well below the total variance.
     */
    @Test
    void customers_labelsDependOnCustomerTraits() {
        double highSum = 0;
        long high = 0;
        double lowSum = 0;
        long low = 0;
        double within = 0;
        double all = 0;
        double all2 = 0;
        long rows = 0;
        for (int u = 0; u < USERS; u++) {
            List<Object[]> rs = SyntheticData.customerRows(u, 11);
            double mean = rs.stream().mapToDouble(r -> (double) r[7]).average().orElseThrow();
            for (Object[] r : rs) {
                double y = (double) r[7];
                within += (y - mean) * (y - mean);
                all += y;
                all2 += y * y;
                rows++;
            }
            double age = (double) rs.get(0)[1];
            double tenure = (double) rs.get(0)[2];
            String segment = (String) rs.get(0)[3];
            double observed = SyntheticData.customerLogit(age, tenure, segment, 0);
            if (observed > 1) {
                highSum += mean;
                high++;
            } else if (observed < -1) {
                lowSum += mean;
                low++;
            }
        }
        assertTrue(high > 1000 && low > 1000, high + " / " + low);
        assertTrue(highSum / high - lowSum / low > 0.4, highSum / high + " vs " + lowSum / low);
        double total = all2 / rows - (all / rows) * (all / rows);
        assertTrue(within / rows < 0.6 * total, "within-customer variance " + within / rows + " of " + total);
    }

    @Test
    void customers_sameSeedSameRows_andSpecDeclaresTheUser() {
        assertArrayEquals(SyntheticData.customerRows(5, 3).get(0), SyntheticData.customerRows(5, 3).get(0));
        assertEquals("c5", SyntheticData.customerRows(5, 3).get(0)[0]);
        FeatureSpec spec = SyntheticData.customersSpec();
        assertEquals(Optional.of(SyntheticData.CUSTOMER_ID), spec.userColumn());
        assertEquals(8, spec.dimension());
        assertEquals(spec, FeatureSpec.fromJson(spec.toJson()));
        for (String c : spec.requiredColumns()) {
            assertTrue(Arrays.asList(SyntheticData.customersSchema().fieldNames()).contains(c), c);
        }
    }

    private static final Pattern ZIP = Pattern.compile("[0-9]{5}");
    private static final Pattern PHONE = Pattern.compile("\\+1-555-[0-9]{7}");
    private static final Pattern CARD = Pattern.compile("4[0-9]{15}");
    private static final Pattern EMAIL = Pattern.compile("[a-z]+\\.[a-z]+[0-9]+@[a-z]+\\.[a-z]+");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

    @Test
    void rawCustomers_schema_personalColumnsThenTransactions() {
        StructType s = SyntheticData.rawCustomersSchema();
        assertArrayEquals(new String[] {"customer_id", "name", "email", "phone", "age", "zip", "signup_date", "card",
            "balance", "tenure", "segment", "amount", "hour", "online", "label"}, s.fieldNames());
        for (String c : List.of("customer_id", "name", "email", "phone", "zip", "signup_date", "card", "segment")) {
            assertEquals(DataTypes.StringType, s.apply(c).dataType(), c);
        }
        assertEquals(DataTypes.IntegerType, s.apply("age").dataType());
        for (String c : List.of("balance", "tenure", "amount", "hour", "online", "label")) {
            assertEquals(DataTypes.DoubleType, s.apply(c).dataType(), c);
        }
        List<Object[]> rows = SyntheticData.rawCustomerRows(5, 3);
        assertEquals(s.size(), rows.get(0).length);
        assertArrayEquals(rows.get(0), SyntheticData.rawCustomerRows(5, 3).get(0));
        assertEquals("C000000005", rows.get(0)[0]);
    }

    /**
     * Over 20,000 customers: each customer's transaction rows (and age) are those of {@link SyntheticData#customers}
     * (so the learning task is the same); personal columns are repeated on every row of a customer and have the
     * declared formats (5-digit ZIP, ISO date in 2000-2024, e-mail derived from the name, phone, 16-digit card with
     * a valid Luhn digit, integer age in [18, 90]); names and e-mails are distinct per customer.
     */
    @Test
    void rawCustomers_sameTransactionsAsCustomers_andPersonalFormats() {
        Set<String> names = new HashSet<>();
        Set<String> emails = new HashSet<>();
        Set<String> domains = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        Set<Integer> years = new HashSet<>();
        for (int u = 0; u < USERS; u++) {
            List<Object[]> raw = SyntheticData.rawCustomerRows(u, 11);
            List<Object[]> base = SyntheticData.customerRows(u, 11);
            assertEquals(base.size(), raw.size());
            assertEquals(base.size(), SyntheticData.rowsOfCustomer(u, 11));
            Object[] first = raw.get(0);
            for (int i = 0; i < raw.size(); i++) {
                Object[] r = raw.get(i);
                Object[] b = base.get(i);
                for (int c = 0; c < 8; c++) {
                    assertEquals(first[c], r[c], "personal column " + c + " of customer " + u);
                }
                assertEquals((double) b[1], ((Integer) r[4]).doubleValue()); // age
                assertArrayEquals(Arrays.copyOfRange(b, 2, 8), Arrays.copyOfRange(r, 9, 15), "customer " + u);
                double balance = (double) r[8];
                assertTrue(balance >= -10000 && balance <= 100000, "balance " + balance);
            }
            String name = (String) first[1];
            String email = (String) first[2];
            assertTrue(name.endsWith(" " + u), name);
            String[] parts = name.split(" ");
            assertTrue(email.startsWith(parts[0].toLowerCase() + "." + parts[1].toLowerCase() + u + "@"), email);
            assertTrue(EMAIL.matcher(email).matches(), email);
            assertTrue(PHONE.matcher((String) first[3]).matches(), (String) first[3]);
            int age = (Integer) first[4];
            assertTrue(age >= 18 && age <= 90, "age " + age);
            String zip = (String) first[5];
            assertTrue(ZIP.matcher(zip).matches(), zip);
            String date = (String) first[6];
            assertTrue(DATE.matcher(date).matches(), date);
            LocalDate d = LocalDate.parse(date);
            assertTrue(!d.isBefore(LocalDate.of(2000, 1, 1)) && !d.isAfter(LocalDate.of(2024, 12, 31)), date);
            String card = (String) first[7];
            assertTrue(CARD.matcher(card).matches(), card);
            assertEquals(card, SyntheticData.luhn(card.substring(0, 15)));
            names.add(name);
            emails.add(email);
            domains.add(email.substring(email.indexOf('@') + 1));
            prefixes.add(zip.substring(0, 3));
            years.add(d.getYear());
        }
        assertEquals(USERS, names.size());
        assertEquals(USERS, emails.size());
        assertEquals(SyntheticData.EMAIL_DOMAINS.size(), domains.size());
        // 120 prefixes, each drawn by a customer with probability 1 - (1 - 1/120)^20000 (all present but with
        // probability ~ 1e-70): between 100 and 1000 ZIP-3 groups, as the generalization to 3 digits is meant to give
        assertEquals(SyntheticData.ZIP_PREFIXES, prefixes.size());
        assertEquals(25, years.size());
        assertEquals(LocalDate.of(2024, 12, 31).toString(), LocalDate.ofEpochDay(SyntheticData.SIGNUP_LAST).toString());
    }

    /**
     * The negative-balance share of rows: each row is negative with probability 0.05 independently; on the rows of
     * 20,000 customers (about 93,000 rows, sd of the share 0.0007) the tolerance 0.005 is over 7 sd.
     */
    @Test
    void rawCustomers_balanceNegativeInAbout5PercentOfRows() {
        long rows = 0;
        long negative = 0;
        for (int u = 0; u < USERS; u++) {
            for (Object[] r : SyntheticData.rawCustomerRows(u, 11)) {
                rows++;
                if ((double) r[8] < 0) {
                    negative++;
                }
            }
        }
        assertTrue(rows > 50_000, rows + " rows");
        assertEquals(0.05, negative / (double) rows, 0.005);
    }

    @Test
    void luhn_checkDigitOfAKnownNumber() {
        assertEquals("4111111111111111", SyntheticData.luhn("411111111111111"));
        assertEquals("79927398713", SyntheticData.luhn("7992739871"));
    }

    /**
     * On Spark: the same rows, in the same order, whether the 700 customers are made in 1, 3 or 7 partitions; the
     * row count is the sum of {@link SyntheticData#rowsOfCustomer}; another seed gives other data.
     */
    @Test
    void rawCustomers_onSpark_sameRowsAcrossPartitionings() {
        SparkSession spark = SparkSession.builder().appName("SyntheticCustomersTest").master("local[2]")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            spark.sparkContext().setLogLevel("ERROR");
            int users = 700;
            List<Row> one = SyntheticData.rawCustomers(spark, users, 9, 1).collectAsList();
            long expected = 0;
            for (int u = 0; u < users; u++) {
                expected += SyntheticData.rowsOfCustomer(u, 9);
            }
            assertEquals(expected, one.size());
            assertEquals(one, SyntheticData.rawCustomers(spark, users, 9, 3).collectAsList());
            assertEquals(one, SyntheticData.rawCustomers(spark, users, 9, 7).collectAsList());
            assertNotEquals(one, SyntheticData.rawCustomers(spark, users, 10, 3).collectAsList());
            assertEquals(SyntheticData.rawCustomersSchema(), SyntheticData.rawCustomers(spark, 3, 9, 2).schema());
            assertEquals(SyntheticData.customers(spark, users, 9, 2).select("label").collectAsList(),
                    SyntheticData.rawCustomers(spark, users, 9, 5).select("label").collectAsList());
        } finally {
            spark.stop();
        }
    }
}
