package org.dpspark.datasets.users;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.RowEncoder;
import org.junit.jupiter.api.Test;

/** Packing one partition by user, without Spark. */
class UserPackingTest {

    @Test
    void packUsers_groupsRunsOfEqualIds_andRefusesASplitUser() {
        FeatureSpec spec = new FeatureSpec("t", List.of(NumericFeature.scale("x", 0, 10)), LabelSpec.numeric("y"));
        StructType schema = new StructType().add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType)
                .add("u", DataTypes.StringType);
        RowEncoder enc = new RowEncoder(spec, schema);
        List<Row> rows = new ArrayList<>();
        String[] ids = {"a", "a", "b", "c", "c", "c"};
        for (int i = 0; i < ids.length; i++) {
            rows.add(RowFactory.create((double) i, 1.0, ids[i]));
        }
        DenseBlock b = UserBlocks.packUsers(rows.iterator(), enc, 1, 2);
        assertArrayEquals(new int[] {0, 2, 3, 6}, b.userStarts());
        assertEquals(0.5, b.features()[5], 1e-12);
        assertArrayEquals(new int[] {0}, UserBlocks.packUsers(List.<Row>of().iterator(), enc, 1, 2).userStarts());
        rows.add(RowFactory.create(1.0, 1.0, "a"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> UserBlocks.packUsers(rows.iterator(), enc, 1, 2));
        assertFalse(e.getMessage().contains("'a'"));
    }
}
