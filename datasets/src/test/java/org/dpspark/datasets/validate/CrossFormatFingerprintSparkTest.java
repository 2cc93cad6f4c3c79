package org.dpspark.datasets.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.spec.FeatureSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same rows in CSV, Parquet, Arrow, split into several files and re-partitioned, get one fingerprint (so one
 * dataset in the privacy ledger); a copy with one row changed gets another.
 */
class CrossFormatFingerprintSparkTest {
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":0,\"max\":100}]}";
    private static final int N = 1500;
    private static SparkSession spark;

    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().appName("CrossFormatFingerprintSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static double[][] rows() {
        SplittableRandom r = new SplittableRandom(11);
        double[][] rows = new double[N][];
        for (int i = 0; i < N; i++) {
            // values on a 1e-4 grid, so that CSV's text round-trips them exactly
            rows[i] = new double[] {Math.round(r.nextDouble(-1.5, 1.5) * 1e4) / 1e4, r.nextInt(0, 120), r.nextInt(2)};
        }
        return rows;
    }

    private static Path csv(String name, double[][] rows) throws IOException {
        List<String> lines = new ArrayList<>(List.of("label,a,b"));
        for (double[] row : rows) {
            lines.add(String.format(Locale.ROOT, "%d,%s,%d", (int) row[2], Double.toString(row[0]), (int) row[1]));
        }
        Path p = dir.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    private static Path arrow(double[][] rows) throws IOException {
        Path p = dir.resolve("rows.arrow");
        try (BufferAllocator alloc = new RootAllocator();
             Float8Vector a = new Float8Vector("a", alloc);
             Float8Vector b = new Float8Vector("b", alloc);
             IntVector label = new IntVector("label", alloc)) {
            a.allocateNew(N);
            b.allocateNew(N);
            label.allocateNew(N);
            // reversed order: order must not matter
            for (int i = 0; i < N; i++) {
                double[] row = rows[N - 1 - i];
                a.set(i, row[0]);
                b.set(i, row[1]);
                label.set(i, (int) row[2]);
            }
            a.setValueCount(N);
            b.setValueCount(N);
            label.setValueCount(N);
            try (VectorSchemaRoot root = VectorSchemaRoot.of(a, b, label);
                 FileOutputStream out = new FileOutputStream(p.toFile());
                 ArrowFileWriter w = new ArrowFileWriter(root, null, out.getChannel())) {
                w.start();
                w.writeBatch();
                w.end();
            }
        }
        return p;
    }

    private static String fingerprint(Dataset<Row> raw) {
        return DatasetValidator.check(raw, FeatureSpec.fromJson(SPEC)).fingerprint();
    }

    @Test
    void sameRows_csvParquetArrowAndRepartitioned_oneFingerprint() throws IOException {
        double[][] rows = rows();
        Dataset<Row> fromCsv = DataReader.read(spark, csv("rows.csv", rows).toString(), InputFormat.CSV);
        String expected = fingerprint(fromCsv);
        assertTrue(expected.startsWith("rows-v1:") && expected.endsWith(":" + N), expected);

        Path parquet = dir.resolve("rows.parquet");
        fromCsv.drop(DataReader.CORRUPT_RECORD_COLUMN).repartition(3).write().parquet(parquet.toString());
        assertTrue(Files.list(parquet).filter(f -> f.toString().endsWith(".parquet")).count() >= 2,
                "the Parquet copy is split into several files");
        assertEquals(expected, fingerprint(DataReader.read(spark, parquet.toString(), InputFormat.PARQUET)));
        assertEquals(expected, fingerprint(DataReader.read(spark, arrow(rows).toString(), InputFormat.ARROW)));
        assertEquals(expected, fingerprint(fromCsv.repartition(5)));

        // Two CSV files holding halves, in a directory: the same rows.
        Path split = Files.createDirectories(dir.resolve("split"));
        double[][] first = java.util.Arrays.copyOfRange(rows, 0, N / 2);
        double[][] second = java.util.Arrays.copyOfRange(rows, N / 2, N);
        Files.move(csv("p1.csv", second), split.resolve("p1.csv"));
        Files.move(csv("p2.csv", first), split.resolve("p2.csv"));
        assertEquals(expected, fingerprint(DataReader.read(spark, split.toString(), InputFormat.CSV)));

        double[][] changed = rows.clone();
        changed[7] = new double[] {changed[7][0], changed[7][1], 1 - changed[7][2]};
        assertNotEquals(expected, fingerprint(DataReader.read(spark, csv("changed.csv", changed).toString(),
                InputFormat.CSV)));
    }
}
