package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.dpspark.core.step.RowSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Float32 blocks and blocks on disk ({@link BlockFile}): what a step gathers, and what it reads. */
class BlockStorageTest {

    private static final int ROWS = 300;
    private static final int DIM = 7;

    private static DenseBlock block(long seed) {
        Random r = new Random(seed);
        double[] x = new double[ROWS * DIM];
        double[] y = new double[ROWS];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() * 3;
        }
        for (int i = 0; i < ROWS; i++) {
            y[i] = r.nextInt(2);
        }
        return new DenseBlock(ROWS, DIM, x, y);
    }

    /** Sorted distinct rows: every third row, then a run of consecutive rows, then the last row. */
    private static int[] sample() {
        int[] idx = new int[ROWS];
        int n = 0;
        for (int r = 0; r < 150; r += 3) {
            idx[n++] = r;
        }
        for (int r = 200; r < 240; r++) {
            idx[n++] = r;
        }
        idx[n++] = ROWS - 1;
        return java.util.Arrays.copyOf(idx, n);
    }

    private static double[] gather(RowSource s, int[] idx) {
        double[] out = new double[idx.length * s.dim()];
        s.gather(idx, idx.length, out);
        return out;
    }

    private static double[] expected(DenseBlock b, int[] idx, boolean toFloat) {
        double[] out = new double[idx.length * DIM];
        for (int k = 0; k < idx.length; k++) {
            for (int j = 0; j < DIM; j++) {
                double v = b.features()[idx[k] * DIM + j];
                out[k * DIM + j] = toFloat ? (double) (float) v : v;
            }
        }
        return out;
    }

    @Test
    void float32_roundTrip_gathersTheNearestFloatsAsDoubles_andHalvesTheBytes() {
        DenseBlock b = block(1);
        DenseBlock f = b.withPrecision(Precision.FLOAT32);
        assertEquals(Precision.FLOAT32, f.precision());
        assertSame(b.labels(), f.labels());
        assertEquals(b.featureBytes() / 2, f.featureBytes());
        assertEquals((long) ROWS * DIM * 4, f.featureBytesInMemory());
        int[] idx = sample();
        assertArrayEquals(expected(b, idx, true), gather(f.rowSource(), idx));
        // the kernel may then compute the forward products in float32; never for float64 rows
        assertTrue(f.rowSource().floatValues());
        assertFalse(b.rowSource().floatValues());
        // back to float64: the floats widened exactly
        DenseBlock back = f.withPrecision(Precision.FLOAT64);
        assertArrayEquals(expected(b, idx, true), gather(back.rowSource(), idx));
        assertSame(b, b.withPrecision(Precision.FLOAT64));
        IllegalStateException e = assertThrows(IllegalStateException.class, f::features);
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
        assertEquals("DenseBlock[rows=300, dim=7, float32]", f.toString());
        assertArrayEquals(expected(b, allRows(), true), f.featuresAsDoubles());
    }

    @Test
    void float64_rowSource_isTheArrayItself_andCountsSampledBytes() {
        DenseBlock b = block(2);
        int[] idx = sample();
        ReadCounter c = new ReadCounter();
        assertArrayEquals(expected(b, idx, false), gather(b.rowSource(c), idx));
        assertEquals((long) idx.length * DIM * 8, c.sampledBytes());
        assertEquals(c.sampledBytes(), c.bytesRead());
        assertEquals(0, c.reads());
        assertSame(b.features(), b.featuresAsDoubles());
    }

    @Test
    void disk_returnsExactlyTheInMemoryRows_readingOnlyTheSampledOnes(@TempDir Path tmp) {
        DenseBlock b = block(3);
        int[] idx = sample();
        for (Precision p : Precision.values()) {
            DenseBlock d = b.toDisk(tmp.resolve("run"), "p0-" + p.jsonName(), p);
            assertTrue(d.onDisk());
            assertEquals(0, d.featureBytesInMemory());
            assertEquals((long) ROWS * DIM * p.bytes(), d.featureBytes());
            assertSame(b.labels(), d.labels());
            ReadCounter c = new ReadCounter();
            assertArrayEquals(expected(b, idx, p == Precision.FLOAT32), gather(d.rowSource(c), idx));
            assertEquals(p == Precision.FLOAT32, d.rowSource().floatValues());
            long rowBytes = (long) DIM * p.bytes();
            assertEquals(idx.length * rowBytes, c.sampledBytes());
            assertEquals(idx.length * rowBytes, c.bytesRead(), "reads the sampled rows and nothing else");
            // one positional read per run of consecutive rows: 50 single rows, one run of 40, the last row
            assertEquals(50 + 1 + 1, c.reads());
            assertThrows(IllegalStateException.class, d::features);
            assertTrue(d.file().delete(), "the file is deleted");
            assertFalse(d.file().exists());
            assertFalse(d.file().delete(), "a second delete finds nothing");
        }
    }

    @Test
    void disk_fileIsOwnerOnly_serializesItsPathOnly_andFailsClearlyWhenGone(@TempDir Path tmp) throws Exception {
        DenseBlock d = block(4).toDisk(tmp.resolve("run"), "p1", Precision.FLOAT64);
        Path file = Path.of(d.file().path());
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        }
        byte[] bytes = serialize(d);
        assertTrue(bytes.length < ROWS * 8 + 4096, "labels and the path, not the features: " + bytes.length);
        DenseBlock copy = deserialize(bytes);
        int[] idx = sample();
        assertArrayEquals(gather(d.rowSource(), idx), gather(copy.rowSource(), idx));
        copy.file().delete();
        DenseBlock gone = deserialize(bytes); // e.g. shipped to an executor that does not have the file
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gather(gone.rowSource(), idx));
        assertTrue(e.getMessage().contains("not on this executor"), e.getMessage());
    }

    @Test
    void disk_failedWrite_leavesNoFile(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        DenseBlock b = block(5);
        b.toDisk(dir, "taken", Precision.FLOAT64);
        long before;
        try (var s = Files.list(dir)) {
            before = s.count();
        }
        assertThrows(RuntimeException.class, () -> b.toDisk(dir, "taken", Precision.FLOAT64)); // CREATE_NEW
        try (var s = Files.list(dir)) {
            assertEquals(before, s.count());
        }
        // an empty block has an empty file, and gathers nothing
        DenseBlock empty = new DenseBlock(0, DIM, new double[0], new double[0]).toDisk(dir, "empty", Precision.FLOAT32);
        assertEquals(0, gather(empty.rowSource(), new int[0]).length);
        assertTrue(empty.file().delete());
    }

    @Test
    void float32_training_givesAModelCloseToFloat64() {
        // A logistic model, 200 noiseless steps of (clipped-sum / expected batch) on the same Poisson samples: the
        // float32 block's model differs from the float64 one's by the features' rounding only.
        Random r = new Random(6);
        int rows = 2000;
        int dim = 10;
        double[] w = new double[dim];
        for (int j = 0; j < dim; j++) {
            w[j] = r.nextGaussian();
        }
        double[] x = new double[rows * dim];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double z = 0;
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] = r.nextDouble() * 2 - 1;
                z += w[j] * x[i * dim + j];
            }
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
        }
        DenseBlock b64 = new DenseBlock(rows, dim, x, y);
        DenseBlock b32 = b64.withPrecision(Precision.FLOAT32);
        double[] p64 = train(b64);
        double[] p32 = train(b32);
        double norm = 0;
        double diff = 0;
        for (int j = 0; j < p64.length; j++) {
            norm += p64[j] * p64[j];
            diff += (p64[j] - p32[j]) * (p64[j] - p32[j]);
        }
        assertTrue(norm > 0.1, "the model learned something: " + norm);
        assertTrue(Math.sqrt(diff) < 1e-5 * Math.sqrt(norm), "relative difference " + Math.sqrt(diff / norm));
    }

    private static double[] train(DenseBlock b) {
        org.dpspark.core.model.DpModel model = new org.dpspark.core.model.BinaryLogisticRegression(b.dim());
        double[] params = new double[model.numParams()];
        double q = 0.05;
        org.dpspark.core.sampling.PoissonSampler sampler = new org.dpspark.core.sampling.PoissonSampler(q);
        org.dpspark.core.clip.ClipBudget clip = new org.dpspark.core.clip.ClipBudget(1.0, 0.0, 1.0);
        byte[] key = org.dpspark.core.random.InsecureTestRandomness.seededSecretKey(7);
        for (int t = 0; t < 200; t++) {
            double[] sum = new double[model.numParams() + 1];
            org.dpspark.core.step.ClippedSumKernel.accumulate(model, params, b.rowSource(), b.labels(), sampler,
                    org.dpspark.core.random.CsprngStream.derive(key, t), clip, sum);
            for (int j = 0; j < params.length; j++) {
                params[j] -= 1.0 * sum[j] / (q * b.rows());
            }
        }
        return params;
    }

    private static int[] allRows() {
        int[] all = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            all[i] = i;
        }
        return all;
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bos)) {
            out.writeObject(o);
        }
        return bos.toByteArray();
    }

    private static DenseBlock deserialize(byte[] b) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return (DenseBlock) in.readObject();
        }
    }
}
