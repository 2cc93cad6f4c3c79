package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.RowEncoder;
import org.junit.jupiter.api.Test;

/** The user-level pieces that need no Spark session: block grouping, the spec's user column, packing by user. */
class UserLevelUnitTest {

    /** A spec as committed in spark-jobs' model-format v1 (before the user column existed), shortened. */
    private static final String V1_SPEC = "{\"format_version\": 1, \"name\": \"synthetic-logistic-2\", \"label\":"
            + " {\"column\": \"label\", \"strip_trailing_dot\": false}, \"features\": [{\"column\": \"x0\","
            + " \"encoding\": \"scale\", \"min\": -1.0, \"max\": 1.0}, {\"column\": \"x1\", \"encoding\": \"scale\","
            + " \"min\": -1.0, \"max\": 1.0}]}";

    @Test
    void denseBlock_withoutUserStarts_eachRowIsAUnit() {
        DenseBlock b = new DenseBlock(3, 1, new double[3], new double[3]);
        assertEquals(3, b.users());
        assertNull(b.userStarts());
        assertFalse(b.isUserLevel());
        assertEquals(2, b.userStart(2));
        assertEquals(3, b.userEnd(2));
        assertEquals("DenseBlock[rows=3, dim=1]", b.toString());
    }

    @Test
    void denseBlock_withUserStarts_usersOwnContiguousRanges() {
        int[] starts = {0, 2, 3, 6};
        DenseBlock b = new DenseBlock(6, 2, new double[12], new double[6], starts);
        assertEquals(3, b.users());
        assertSame(starts, b.userStarts());
        assertEquals(3, b.userStart(2));
        assertEquals(6, b.userEnd(2));
        assertEquals("DenseBlock[rows=6, dim=2, users=3]", b.toString());
        assertEquals(0, new DenseBlock(0, 1, new double[0], new double[0], new int[] {0}).users());
    }

    @Test
    void denseBlock_badUserStarts_rejected() {
        for (int[] bad : new int[][] {{}, {1, 3}, {0, 2}, {0, 2, 2, 3}, {0, 3, 2, 3}, {0, 4}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DenseBlock(3, 1, new double[3], new double[3], bad));
            assertTrue(e.getMessage().contains("userStarts"), e.getMessage());
        }
    }

    @Test
    void featureSpec_userColumn_roundTripsThroughJson() {
        FeatureSpec row = FeatureSpec.fromJson(V1_SPEC);
        assertEquals(Optional.empty(), row.userColumn());
        assertFalse(row.toJson().contains("user"), row.toJson());
        FeatureSpec user = row.withUserColumn("customer_id");
        assertEquals(Optional.of("customer_id"), user.userColumn());
        assertTrue(user.toJson().contains("\"user\":{\"column\":\"customer_id\"}"), user.toJson());
        assertEquals(user, FeatureSpec.fromJson(user.toJson()));
        assertEquals(row, user.withUserColumn(null));
        assertEquals(Optional.of("customer_id"), user.withLabelColumn("y").userColumn());
        assertEquals(List.of("x0", "x1", "label"), user.requiredColumns());
    }

    @Test
    void featureSpec_oldAndBuiltinSpecs_stillReadAsRowLevel() {
        for (FeatureSpec s : List.of(FeatureSpec.fromJson(V1_SPEC), FeatureSpec.adult(), FeatureSpec.mnist(),
                SyntheticData.spec(3))) {
            assertEquals(Optional.empty(), s.userColumn());
            FeatureSpec back = FeatureSpec.fromJson(s.toJson());
            assertEquals(s, back);
            assertTrue(s.toJson().contains("\"format_version\":1"));
        }
    }

    @Test
    void featureSpec_userColumnAlsoFeatureOrLabel_refusedNamingIt() {
        FeatureSpec s = FeatureSpec.fromJson(V1_SPEC);
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> s.withUserColumn("x1"));
        assertEquals("user column 'x1': the privacy-unit column cannot also be a feature", f.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> s.withUserColumn("label"));
        assertEquals("user column 'label': the privacy-unit column cannot also be the label", l.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.withUserColumn(" "));
        String json = V1_SPEC.replace("\"features\":", "\"user\": {\"column\": \"x0\"}, \"features\":");
        IllegalArgumentException j = assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fromJson(json));
        assertTrue(j.getMessage().contains("'x0'"), j.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fromJson(
                V1_SPEC.replace("\"features\":", "\"user\": {\"col\": \"u\"}, \"features\":")));
        assertTrue(k.getMessage().contains("unknown key \"col\""), k.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fromJson(
                V1_SPEC.replace("\"features\":", "\"user\": \"u\", \"features\":")));
    }
}
