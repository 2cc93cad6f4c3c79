package org.dpspark.datasets.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.MnistReader;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.validate.DatasetValidator;
import org.junit.jupiter.api.Test;

/**
 * Wall-clock of reading, validating and packing MNIST's 60,000 training images on local Spark. A benchmark, not a
 * test: it asserts nothing and runs only when asked for:
 * <pre>
 * mvn -B -pl datasets test -Dtest=MnistReadBenchmark -Ddpspark.bench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class MnistReadBenchmark {

    @Test
    void readValidatePack() {
        assumeTrue(Boolean.getBoolean("dpspark.bench"), "benchmark: run with -Ddpspark.bench=true");
        Path images = Path.of(System.getProperty("dpspark.shared.dir", "../../shared"), "datasets", "mnist",
                "train-images-idx3-ubyte.gz");
        assumeTrue(Files.isRegularFile(images), "MNIST absent");
        SparkSession spark = SparkSession.builder().appName("MnistReadBenchmark").master("local[2]")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            FeatureSpec spec = FeatureSpec.mnist();
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                Dataset<Row> df = MnistReader.read(spark, images.toString(), 2);
                long t1 = System.nanoTime();
                long n = DatasetValidator.validate(df, spec);
                long t2 = System.nanoTime();
                JavaRDD<DenseBlock> blocks = BlockPacker.pack(df, spec);
                long packed = blocks.map(DenseBlock::rows).fold(0, Integer::sum);
                long t3 = System.nanoTime();
                System.out.printf("MNIST train: header check %.2f s, validate %d rows %.2f s, pack %d rows %.2f s%n",
                        (t1 - t0) / 1e9, n, (t2 - t1) / 1e9, packed, (t3 - t2) / 1e9);
            }
        } finally {
            spark.stop();
        }
    }
}
