package org.dpspark.jobs.train;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.Precision;
import org.dpspark.datasets.ReadCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training blocks as a run keeps them ({@link TrainConfig#precision()}, {@link TrainConfig#blockStorage()}):
 *
 * <ul>
 *   <li>memory, float64: the packed blocks, persisted MEMORY_AND_DISK (as before these options existed);
 *   <li>memory, float32: each packed block converted to floats in the packing task, persisted MEMORY_AND_DISK;
 *   <li>disk: each partition's packed block written ONCE to an owner-only file (0600, in a 0700 directory) under
 *       its executor's Spark local directories ({@code spark.local.dir}; Spark's block-manager directories, which
 *       Spark deletes when the executor stops), kept in an executor-wide registry (labels and user boundaries in
 *       memory, 8 bytes a row), the features read at the sampled rows only. The RDD the steps run on holds those
 *       labels-only blocks (persisted, so tasks stay on the executor that has the files); an executor without the
 *       partition's file (a recomputed partition, another executor) writes it again from the input. The files are
 *       deleted when the run ends or fails ({@link #close()}: on the driver, then by a job on the executors), and
 *       at JVM exit.
 * </ul>
 *
 * <p>Privacy: a block file holds raw encoded features, like Spark's own spill files; it never leaves the executor's
 * local directories and is never logged. Counters ({@link Counters}) carry byte counts only.
 */
final class StoredBlocks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoredBlocks.class);

    /** Executor-wide: the on-disk blocks of each (run, partition), under key {@code runId/partition}. */
    private static final Map<String, List<DenseBlock>> REGISTRY = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (String key : List.copyOf(REGISTRY.keySet())) {
                deleteKey(key);
            }
        }, "dpspark-block-files-cleanup"));
    }

    private final JavaSparkContext jsc;
    private final JavaRDD<DenseBlock> blocks;
    private final JavaRDD<DenseBlock> persisted;
    private final String runId;
    private final BlockStorage storage;
    private final Precision precision;
    private final Counters counters;

    private StoredBlocks(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, JavaRDD<DenseBlock> persisted, String runId,
            BlockStorage storage, Precision precision, Counters counters) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.persisted = persisted;
        this.runId = runId;
        this.storage = storage;
        this.precision = precision;
        this.counters = counters;
    }

    /**
     * The run's blocks from the packed ones (lazy: the caller's "pack blocks" job materializes them). Blocks the
     * caller persisted at float64 in memory are used as they are.
     */
    static StoredBlocks store(JavaSparkContext jsc, JavaRDD<DenseBlock> packed, Precision precision,
            BlockStorage storage) {
        Counters counters = new Counters(jsc);
        if (storage == BlockStorage.DISK) {
            String runId = UUID.randomUUID().toString();
            JavaRDD<DenseBlock> onDisk = packed.mapPartitionsWithIndex(new Spill(runId, precision), true);
            onDisk.persist(StorageLevel.MEMORY_AND_DISK());
            return new StoredBlocks(jsc, onDisk, onDisk, runId, storage, precision, counters);
        }
        if (precision == Precision.FLOAT32) {
            JavaRDD<DenseBlock> floats = packed.map(b -> b.withPrecision(Precision.FLOAT32));
            floats.persist(StorageLevel.MEMORY_AND_DISK());
            return new StoredBlocks(jsc, floats, floats, null, storage, precision, counters);
        }
        boolean persistHere = packed.getStorageLevel().equals(StorageLevel.NONE());
        if (persistHere) {
            packed.persist(StorageLevel.MEMORY_AND_DISK());
        }
        return new StoredBlocks(jsc, packed, persistHere ? packed : null, null, storage, precision, counters);
    }

    /** The blocks the steps run on. */
    JavaRDD<DenseBlock> blocks() {
        return blocks;
    }

    Counters counters() {
        return counters;
    }

    BlockStorage storage() {
        return storage;
    }

    Precision precision() {
        return precision;
    }

    /** Releases the blocks: unpersists what this object persisted and deletes the run's block files. */
    @Override
    public void close() {
        if (persisted != null) {
            persisted.unpersist(false);
        }
        if (runId == null) {
            return;
        }
        // The driver's JVM first (the executor itself in local mode), then every executor, best effort: Spark
        // deletes its local directories, and these files with them, when an executor stops anyway.
        int deleted = deleteRun(runId);
        try {
            JobLabel.describe(jsc, "delete the block files");
            int tasks = Math.max(jsc.defaultParallelism(), blocks.getNumPartitions());
            List<Integer> slots = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                slots.add(i);
            }
            String id = runId;
            deleted += jsc.parallelize(slots, tasks).map(i -> deleteRun(id)).fold(0, Integer::sum);
        } catch (RuntimeException e) {
            LOG.warn("block files: the cleanup job failed ({}); the executors delete their local directories when "
                    + "they stop", e.getClass().getName());
        } finally {
            jsc.setJobDescription(null);
        }
        LOG.debug("block files: {} deleted", deleted);
    }

    /** Deletes the block files of run {@code runId} on this JVM; returns how many were deleted. */
    static int deleteRun(String runId) {
        int n = 0;
        String prefix = runId + "/";
        for (String key : List.copyOf(REGISTRY.keySet())) {
            if (key.startsWith(prefix)) {
                n += deleteKey(key);
            }
        }
        for (Path dir : runDirs(runId)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f); // a file a failed task left behind
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                LOG.warn("block files: cannot delete the directory {}: {}", dir, e.getMessage());
            }
        }
        return n;
    }

    /** The on-disk blocks registered on this JVM, all runs (tests: none is left after a run). */
    static int registeredBlocks() {
        return REGISTRY.values().stream().mapToInt(List::size).sum();
    }

    /** The block-file directories in this JVM's Spark local directories (tests: none is left after a run). */
    static List<Path> blockDirs() {
        List<Path> out = new ArrayList<>();
        for (Path d : localDirs()) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.getFileName().toString().startsWith("dpspark-blocks-")).forEach(out::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    private static int deleteKey(String key) {
        List<DenseBlock> blocks = REGISTRY.remove(key);
        int n = 0;
        if (blocks != null) {
            for (DenseBlock b : blocks) {
                try {
                    n += b.file().delete() ? 1 : 0;
                } catch (RuntimeException e) {
                    LOG.warn("block files: cannot delete a block file: {}", e.getMessage());
                }
            }
        }
        return n;
    }

    /** This executor's local directories (Spark's block-manager directories), or java.io.tmpdir without Spark. */
    private static List<Path> localDirs() {
        List<Path> out = new ArrayList<>();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (File f : env.blockManager().diskBlockManager().localDirs()) {
                out.add(f.toPath());
            }
        }
        if (out.isEmpty()) {
            out.add(Paths.get(System.getProperty("java.io.tmpdir")));
        }
        return out;
    }

    private static List<Path> runDirs(String runId) {
        List<Path> out = new ArrayList<>();
        for (Path d : localDirs()) {
            Path dir = d.resolve("dpspark-blocks-" + runId);
            if (Files.isDirectory(dir)) {
                out.add(dir);
            }
        }
        return out;
    }

    /**
     * Writes each block of a partition to this executor's local disk once per run (a later call, from a retried
     * barrier stage or a recomputed cache, finds them in the registry and reads nothing from its input).
     */
    static final class Spill implements Function2<Integer, Iterator<DenseBlock>, Iterator<DenseBlock>> {
        private static final long serialVersionUID = 1L;
        private final String runId;
        private final Precision precision;

        Spill(String runId, Precision precision) {
            this.runId = runId;
            this.precision = precision;
        }

        @Override
        public Iterator<DenseBlock> call(Integer partition, Iterator<DenseBlock> it) {
            String key = runId + "/" + partition;
            List<DenseBlock> known = REGISTRY.get(key);
            if (known != null) {
                if (known.stream().allMatch(b -> b.file().exists())) {
                    return known.iterator();
                }
                REGISTRY.remove(key, known); // its files are gone: written again below
            }
            List<Path> dirs = localDirs();
            Path dir = dirs.get(Math.floorMod(partition, dirs.size())).resolve("dpspark-blocks-" + runId);
            List<DenseBlock> out = new ArrayList<>();
            try {
                int i = 0;
                while (it.hasNext()) {
                    DenseBlock b = it.next();
                    String name = "p" + partition + "-b" + (i++) + "-" + UUID.randomUUID() + ".bin";
                    out.add(b.toDisk(dir, name, precision));
                }
            } catch (RuntimeException | Error e) {
                for (DenseBlock b : out) {
                    b.file().delete();
                }
                throw e;
            }
            List<DenseBlock> previous = REGISTRY.putIfAbsent(key, out);
            if (previous != null) {
                // a concurrent attempt registered the partition first: use its files, drop ours
                for (DenseBlock b : out) {
                    b.file().delete();
                }
                return previous.iterator();
            }
            return out.iterator();
        }
    }

    /**
     * What the steps read, summed over the tasks by unnamed accumulators (not shown in Spark's UI): the sampled
     * rows' bytes, the bytes read, the positional reads of block files. Counts only, never a value.
     */
    static final class Counters implements Serializable {
        private static final long serialVersionUID = 1L;
        private final LongAccumulator sampledBytes = new LongAccumulator();
        private final LongAccumulator bytesRead = new LongAccumulator();
        private final LongAccumulator reads = new LongAccumulator();

        Counters(JavaSparkContext jsc) {
            jsc.sc().register(sampledBytes);
            jsc.sc().register(bytesRead);
            jsc.sc().register(reads);
        }

        /** Adds one task's step (executor side). */
        void add(ReadCounter c) {
            sampledBytes.add(c.sampledBytes());
            bytesRead.add(c.bytesRead());
            reads.add(c.reads());
        }

        long sampledBytes() {
            return sampledBytes.value();
        }

        long bytesRead() {
            return bytesRead.value();
        }

        long reads() {
            return reads.value();
        }
    }
}
