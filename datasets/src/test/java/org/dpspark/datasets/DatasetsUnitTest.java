package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.dpspark.datasets.spec.RowEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests of the datasets package that need no Spark session. */
class DatasetsUnitTest {

    @Test
    void inputFormat_parse_caseInsensitiveWithFeatherAlias() {
        assertEquals(InputFormat.CSV, InputFormat.parse("csv"));
        assertEquals(InputFormat.PARQUET, InputFormat.parse(" Parquet "));
        assertEquals(InputFormat.ARROW, InputFormat.parse("ARROW"));
        assertEquals(InputFormat.ARROW, InputFormat.parse("feather"));
        assertEquals(InputFormat.ADULT, InputFormat.parse("Adult"));
        assertEquals(InputFormat.MNIST, InputFormat.parse("mnist"));
        assertEquals(InputFormat.LIBSVM, InputFormat.parse("LibSVM"));
    }

    @Test
    void inputFormat_parseUnknown_listsAllowedValues() {
        for (String bad : new String[] {"json", "", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputFormat.parse(bad));
            for (String allowed : List.of("csv", "parquet", "arrow", "adult", "mnist", "libsvm")) {
                assertTrue(e.getMessage().contains(allowed), e.getMessage());
            }
        }
    }

    @Test
    void denseBlock_accessors_returnTheArraysThemselves() {
        double[] x = {1, 2, 3, 4, 5, 6};
        double[] y = {0, 1};
        DenseBlock b = new DenseBlock(2, 3, x, y);
        assertSame(x, b.features());
        assertSame(y, b.labels());
        assertEquals(2, b.rows());
        assertEquals(3, b.dim());
        assertEquals("DenseBlock[rows=2, dim=3]", b.toString());
        assertEquals(0, new DenseBlock(0, 3, new double[0], new double[0]).rows());
    }

    @Test
    void denseBlock_inconsistentShapes_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new DenseBlock(2, 3, new double[5], new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new DenseBlock(2, 3, new double[6], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new DenseBlock(-1, 3, new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> new DenseBlock(0, 0, new double[0], new double[0]));
    }

    /** Packing more rows than the initial capacity exercises the geometric growth and the final trim. */
    @Test
    void packRows_manyRows_growsAndTrimsInOrder() {
        var spec = SyntheticData.spec(2);
        var encoder = new RowEncoder(spec, SyntheticData.schema(2));
        int n = 2500;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(-1.0 + 2.0 * i / n, 1.0 - 2.0 * i / n, (double) (i % 2)));
        }
        DenseBlock b = BlockPacker.packRows(rows.iterator(), encoder, 2);
        assertEquals(n, b.rows());
        assertEquals(2 * n, b.features().length);
        assertEquals(n, b.labels().length);
        for (int i = 0; i < n; i++) {
            assertEquals((double) i / n, b.features()[2 * i], 1e-12);
            assertEquals(1.0 - (double) i / n, b.features()[2 * i + 1], 1e-12);
            assertEquals(i % 2, b.labels()[i]);
        }
        DenseBlock empty = BlockPacker.packRows(List.<Row>of().iterator(), encoder, 2);
        assertEquals(0, empty.rows());
        assertEquals(0, empty.features().length);
    }

    @Test
    void syntheticData_weightsAndRowRanges_asDocumented() {
        for (int d : new int[] {1, 2, 7, 50}) {
            double[] w = SyntheticData.trueWeights(d);
            double var = 0;
            for (double v : w) {
                var += v * v / 3.0;
            }
            assertEquals(SyntheticData.SIGNAL * SyntheticData.SIGNAL, var, 1e-9);
        }
        long rows = 1003;
        long total = 0;
        for (int p = 0; p < 7; p++) {
            long len = SyntheticData.rowStart(rows, p + 1, 7) - SyntheticData.rowStart(rows, p, 7);
            assertTrue(len == 143 || len == 144, "partition " + p + " has " + len);
            total += len;
        }
        assertEquals(rows, total);
        assertNotEquals(SyntheticData.partitionSeed(1, 0), SyntheticData.partitionSeed(1, 1));
        assertNotEquals(SyntheticData.partitionSeed(1, 0), SyntheticData.partitionSeed(2, 0));
    }

    private static void write(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void fingerprint_sameContent_sameValueAndChangedByte_different(@TempDir Path tmp) throws IOException {
        Configuration conf = new Configuration();
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        for (Path dir : List.of(a, b)) {
            write(dir.resolve("part-00000.csv"), "x,y\n1,2\n");
            write(dir.resolve("sub/part-00001.csv"), "x,y\n3,4\n");
        }
        // Hidden and underscore files (Spark's markers and checksums) are not data.
        write(b.resolve("_SUCCESS"), "");
        write(b.resolve(".part-00000.csv.crc"), "junk");
        write(b.resolve("_temporary/0/part-9.csv"), "junk");
        String fa = InputFingerprint.of(conf, a.toString());
        assertTrue(Pattern.matches("sha256:[0-9a-f]{64}", fa), fa);
        assertEquals(fa, InputFingerprint.of(conf, a.toString()));
        assertEquals(fa, InputFingerprint.of(null, b.toUri().toString()));

        write(b.resolve("sub/part-00001.csv"), "x,y\n3,5\n"); // one byte changed
        assertNotEquals(fa, InputFingerprint.of(conf, b.toString()));
        write(b.resolve("sub/part-00001.csv"), "x,y\n3,4\n");
        assertEquals(fa, InputFingerprint.of(conf, b.toString()));
        Files.move(b.resolve("sub/part-00001.csv"), b.resolve("sub/part-00002.csv")); // renamed
        assertNotEquals(fa, InputFingerprint.of(conf, b.toString()));

        Path single = a.resolve("part-00000.csv");
        String fs = InputFingerprint.of(conf, single.toString());
        assertNotEquals(fa, fs);
        assertEquals(fs, InputFingerprint.of(conf, single.toString()));
    }

    @Test
    void fingerprint_missingOrEmptyPath_rejected(@TempDir Path tmp) throws IOException {
        assertThrows(IllegalArgumentException.class,
                () -> InputFingerprint.of(null, tmp.resolve("none").toString()));
        Files.createDirectories(tmp.resolve("empty"));
        write(tmp.resolve("empty/_SUCCESS"), "");
        assertThrows(IllegalArgumentException.class,
                () -> InputFingerprint.of(null, tmp.resolve("empty").toString()));
    }

    @Test
    void byteString_sparkSizes_parsed() {
        assertEquals(128L << 20, ArrowSource.byteString("128m", 1));
        assertEquals(134217728L, ArrowSource.byteString("134217728b", 1));
        assertEquals(134217728L, ArrowSource.byteString("134217728", 1));
        assertEquals(1L << 30, ArrowSource.byteString("1g", 1));
        assertEquals(64L << 10, ArrowSource.byteString("64KB", 1));
        assertEquals(7, ArrowSource.byteString("lots", 7));
    }
}
