package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.dpspark.datasets.spec.FeatureSpec;
import org.junit.jupiter.api.Test;

/**
 * The synthetic customers-and-transactions table ({@link SyntheticData#customers}), checked without Spark on its
 * per-customer generator. The data is deterministic from the seed; the tolerances below are nevertheless derived
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
}
