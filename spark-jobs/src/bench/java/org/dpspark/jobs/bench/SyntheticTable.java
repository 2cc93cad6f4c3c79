package org.dpspark.jobs.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.SparkSession;
import org.dpspark.datasets.SyntheticData;

/**
 * Writes a synthetic logistic table (public by construction: {@link SyntheticData#logistic}) as Parquet for the
 * out-of-core benchmark (submit-scripts/bench/storage.sh): {@code DIR/data} with FILES files, and the feature spec
 * {@code DIR/spec.json}. Prints the partitions Spark reads the data back as.
 *
 * <p>Usage: {@code SyntheticTable DIR ROWS FEATURES FILES SEED}.
 */
public final class SyntheticTable {
    private SyntheticTable() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: SyntheticTable DIR ROWS FEATURES FILES SEED");
            System.exit(2);
        }
        Path dir = Paths.get(args[0]);
        long rows = Long.parseLong(args[1]);
        int features = Integer.parseInt(args[2]);
        int files = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("synthetic-table")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            Files.createDirectories(dir);
            SyntheticData.logistic(spark, rows, features, seed, files).write().parquet(dir.resolve("data").toString());
            Files.writeString(dir.resolve("spec.json"), SyntheticData.spec(features).toJson(), StandardCharsets.UTF_8);
            int parts = spark.read().parquet(dir.resolve("data").toString()).rdd().getNumPartitions();
            System.out.println("partitions " + parts);
        } finally {
            spark.stop();
        }
    }
}
