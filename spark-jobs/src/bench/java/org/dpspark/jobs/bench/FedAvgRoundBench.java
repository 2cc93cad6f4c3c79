package org.dpspark.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.sampling.PoissonSampler;
import org.dpspark.core.user.FedAvgClient;
import org.dpspark.core.user.LocalTraining;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.FederatedSplit;
import org.dpspark.datasets.MnistReader;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.users.UserBlocks;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.train.DpTrainer;
import org.dpspark.jobs.train.StepMode;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;
import scala.Tuple2;

/**
 * Issue 12's speed acceptance: "a DP-FedAvg round costs at most the local epochs' arithmetic plus one barrier step".
 * Three measurements, side by side in one JVM on the same data, repetitions interleaved (the order rotates), with
 * no timing inside production code (executor timings would reveal how many users a partition sampled):
 * <ol>
 *   <li>X, the round: DP-FedAvg through the real trainer ({@link DpTrainer}, barrier mode, local[2]),
 *       {@link TrainResult#millisPerStep()} over ROUNDS rounds;</li>
 *   <li>Y, the local arithmetic alone: {@link FedAvgClient#accumulate} in the driver JVM, no Spark, on the same
 *       packed user blocks, for the expected sample (round(q N_p) users of partition p's block, with q = 1 over
 *       them), partition by partition: the critical path is the slower partition (they run in parallel), the total
 *       their sum. Also with a real Poisson sample at rate q (the mean over rounds of the slower partition), since
 *       a round waits for the larger of two Poisson counts; and both partitions' expected samples on two driver
 *       threads at once (the wall time the machine's free cores actually give two parallel tasks);</li>
 *   <li>Z, one barrier step with negligible executor work for the same model: row-level DP-SGD on the same images
 *       with an expected batch of 1 row, through the same trainer: the protocol (parameters out, sums back), the
 *       driver's noise (one Gaussian per parameter) and the optimizer.</li>
 * </ol>
 * Data: MNIST's 60,000 training images split IID into 1,000 users of 60 (the public split of
 * {@code --federated-split iid:1000}, seed 0), {@code --features dct:10} (d = 100), MLP 100-256-10 tanh; or, when
 * MNIST_DIR has no MNIST, synthetic data of the same shape (1,000 users x 60 rows, d = 100, 2 classes). DP-FedAvg as
 * in docs/benchmarks.md: q = 0.1 (B = 100 users), 1 local epoch, local lr 0.1, local batch 20, C = 0.3, sigma 4.12,
 * server SGD lr 1.
 *
 * <p>Usage: FedAvgRoundBench OUT_JSON MNIST_DIR [REPS [ROUNDS]] (defaults 5, 30).
 */
public final class FedAvgRoundBench {
    static final int USERS = 1000;
    static final int ROWS_PER_USER = 60;
    static final int EXPECTED_USERS = 100;
    static final LocalTraining LOCAL = new LocalTraining(1, 0.1, 20);
    static final double CLIP = 0.3;
    static final double SIGMA = 4.12;
    private static final Map<String, List<Double>> SAMPLES = new LinkedHashMap<>();

    private FedAvgRoundBench() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String mnistDir = args[1];
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int barrierSteps = Math.max(100, 5 * rounds);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        SparkSession spark = SparkSession.builder().appName("dpspark-bench-fedavg-round").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        List<String> loads = new ArrayList<>();
        try {
            String images = mnistDir + "/train-images-idx3-ubyte.gz";
            boolean mnist = Files.exists(Path.of(images));
            Dataset<Row> frame;
            FeatureSpec spec;
            ModelSpec modelSpec;
            if (mnist) {
                frame = MnistReader.read(spark, images, 2, FederatedSplit.iid(60_000, USERS, 0L));
                spec = FeatureSpec.mnist().withFeatureTransform("dct:10");
                modelSpec = ModelSpec.mlp(spec.dimension(), new int[] {256}, "tanh", 10);
                root.put("data", "MNIST train, --federated-split iid:" + USERS + " (seed 0), --features dct:10");
            } else {
                frame = syntheticUsers(spark);
                spec = SyntheticData.spec(100);
                modelSpec = ModelSpec.mlp(100, new int[] {256}, "tanh", 2);
                root.put("data", "synthetic (MNIST not found in " + mnistDir + "): " + USERS + " users x "
                        + ROWS_PER_USER + " rows, d = 100, 2 classes");
            }
            frame = frame.persist(StorageLevel.MEMORY_ONLY());
            UserBlocks.Bounded bounded = UserBlocks.bound(frame, spec, FederatedSplit.USER, ROWS_PER_USER,
                    UserBlocks.NullUsers.REFUSE, CsprngStream.newSecretKey(), 2);
            JavaRDD<DenseBlock> userBlocks = cache(UserBlocks.pack(bounded, spec));
            JavaRDD<DenseBlock> rowBlocks = cache(BlockPacker.pack(frame, spec));
            long users = bounded.users();
            long rows = rowBlocks.map(DenseBlock::rows).fold(0, Integer::sum);
            DpModel model = modelSpec.create();
            root.put("model", modelSpec.toString()).put("params", model.numParams()).put("users", users)
                    .put("rows", rows);

            TrainConfig fedCfg = TrainConfig.builder().userColumn(FederatedSplit.USER).maxRowsPerUser(ROWS_PER_USER)
                    .algorithm("fedavg").localTraining(LOCAL).batchSize(EXPECTED_USERS).steps((long) rounds)
                    .noiseMultiplier(SIGMA).clipNorm(CLIP).learningRate(1.0).optimizer("sgd")
                    .stepMode(StepMode.BARRIER).build();
            TrainConfig stepCfg = TrainConfig.builder().batchSize(1).steps((long) barrierSteps).noiseMultiplier(SIGMA)
                    .clipNorm(CLIP).learningRate(1.0).optimizer("sgd").stepMode(StepMode.BARRIER).build();
            double q = fedCfg.plan(users).samplingRate();
            root.put("q", q).put("rounds_per_rep", rounds).put("barrier_steps_per_rep", barrierSteps).put("reps", reps);

            // The packed user blocks, by partition, as the executors hold them (one block per partition).
            List<Tuple2<Integer, DenseBlock>> parts = userBlocks.mapPartitionsWithIndex((p, it) -> {
                List<Tuple2<Integer, DenseBlock>> l = new ArrayList<>();
                it.forEachRemaining(b -> l.add(new Tuple2<>(p, b)));
                return l.iterator();
            }, false).collect();
            StringBuilder layout = new StringBuilder();
            for (Tuple2<Integer, DenseBlock> t : parts) {
                layout.append(layout.length() == 0 ? "" : ", ").append("partition ").append(t._1()).append(": ")
                        .append(t._2().users()).append(" users, ").append(t._2().rows()).append(" rows (expected sample ")
                        .append(Math.round(q * t._2().users())).append(" users)");
            }
            root.put("layout", layout.toString());
            System.out.println("layout: " + layout);
            LocalArithmetic local = new LocalArithmetic(model, parts, q, fedCfg);

            // Warm-up (not recorded): JIT of the trainer, the kernel and the barrier protocol.
            DpTrainer.train(jsc, userBlocks, users, model, withSteps(fedCfg, Math.min(10, rounds)),
                    withSteps(fedCfg, Math.min(10, rounds)).plan(users));
            local.measure(5, 1_000_000L);
            DpTrainer.train(jsc, rowBlocks, rows, model, withSteps(stepCfg, 50), withSteps(stepCfg, 50).plan(rows));

            for (int r = 0; r < reps; r++) {
                loads.add(Files.readString(Path.of("/proc/loadavg")).trim());
                double x = 0;
                double z = 0;
                double[] y = null;
                for (int i = 0; i < 3; i++) {
                    switch ((r + i) % 3) {
                        case 0 -> {
                            TrainResult res = DpTrainer.train(jsc, userBlocks, users, model, fedCfg, fedCfg.plan(users));
                            x = res.millisPerStep();
                        }
                        case 1 -> y = local.measure(rounds, 1000L * (r + 1));
                        default -> {
                            TrainResult res = DpTrainer.train(jsc, rowBlocks, rows, model, stepCfg, stepCfg.plan(rows));
                            z = res.millisPerStep();
                        }
                    }
                }
                record("round_ms", x);
                record("local_critical_path_ms", y[0]);
                record("local_total_ms", y[1]);
                record("local_poisson_critical_path_ms", y[2]);
                record("local_concurrent_ms", y[3]);
                record("barrier_step_ms", z);
                record("ratio_round_over_local_plus_step", x / (y[0] + z));
                record("ratio_with_poisson_critical_path", x / (y[2] + z));
                record("ratio_with_concurrent_local", x / (y[3] + z));
            }
        } finally {
            spark.stop();
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        root.put("loadavg_before", loadBefore).put("loadavg_after", loadAfter)
                .put("cores", Runtime.getRuntime().availableProcessors());
        loads.forEach(root.withArray("loadavg_per_rep")::add);
        ObjectNode s = root.putObject("samples");
        SAMPLES.forEach((k, v) -> v.forEach(s.withArray(k)::add));
        ObjectNode med = root.putObject("medians");
        SAMPLES.forEach((k, v) -> med.put(k, median(v)));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));

        System.out.println();
        System.out.println("DP-FedAvg round vs its parts: " + root.get("data").asText() + "; " + root.get("model").asText()
                + " (" + root.get("params").asInt() + " parameters); q = " + root.get("q").asDouble() + " of "
                + root.get("users").asLong() + " users; local epochs 1, local batch 20; barrier mode, local[2]");
        System.out.println();
        System.out.println("| measure | median ms | min | max | samples |");
        System.out.println("|---|---|---|---|---|");
        String[][] names = {
            {"round_ms", "X: DP-FedAvg round (trainer, ms/round)"},
            {"local_critical_path_ms", "Y: local arithmetic, expected sample, slower partition"},
            {"local_total_ms", "local arithmetic, expected sample, both partitions"},
            {"local_poisson_critical_path_ms", "Y': local arithmetic, Poisson sample, slower partition (mean)"},
            {"local_concurrent_ms", "Y'': local arithmetic, expected sample, both partitions on 2 driver threads (wall)"},
            {"barrier_step_ms", "Z: barrier step, 1-row batch (trainer, ms/step)"},
            {"ratio_round_over_local_plus_step", "X / (Y + Z)"},
            {"ratio_with_poisson_critical_path", "X / (Y' + Z)"},
            {"ratio_with_concurrent_local", "X / (Y'' + Z)"}};
        for (String[] n : names) {
            double[] v = SAMPLES.get(n[0]).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %s |%n", n[1], median(SAMPLES.get(n[0])), v[0],
                    v[v.length - 1], SAMPLES.get(n[0]).stream().map(d -> String.format(Locale.ROOT, "%.2f", d)).toList());
        }
        System.out.println();
        System.out.println("load average before: " + loadBefore + "; per repetition: " + loads + "; after: " + loadAfter);
    }

    /**
     * FedAvgClient.accumulate in this JVM, without Spark, on the blocks the executors hold: per round, per
     * partition, the expected sample (the block's first round(q N_p) users, in the block's keyed-hash order; the
     * sampler at rate 1 over them), then a Poisson sample at rate q over the whole block.
     */
    static final class LocalArithmetic {
        private final DpModel model;
        private final List<Tuple2<Integer, DenseBlock>> parts;
        private final double q;
        private final ClipBudget clip;
        private final LocalTraining local;
        private final double[] params;
        private final byte[] key = CsprngStream.newSecretKey();

        LocalArithmetic(DpModel model, List<Tuple2<Integer, DenseBlock>> parts, double q, TrainConfig cfg) {
            this.model = model;
            this.parts = parts;
            this.q = q;
            // as DpTrainer builds it
            this.clip = cfg.dpLossTracking() ? ClipBudget.withDefaultLossTracking(cfg.clipNorm())
                    : new ClipBudget(cfg.clipNorm(), 0.0, 1.0);
            this.local = cfg.localTraining();
            this.params = model.initialParams(CsprngStream.fromSecureRandom());
        }

        /**
         * Medians over {@code rounds} rounds: {critical path, total, Poisson critical path (mean), both partitions'
         * expected samples run concurrently on two driver threads (wall)} in ms.
         */
        double[] measure(int rounds, long firstRound) {
            List<Double> concurrent = new ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parts.size());
            try {
                for (int r = 0; r < rounds; r++) {
                    long round = firstRound + r;
                    List<java.util.concurrent.Callable<Void>> work = new ArrayList<>();
                    for (Tuple2<Integer, DenseBlock> t : parts) {
                        work.add(() -> {
                            expectedSample(t, round);
                            return null;
                        });
                    }
                    long t0 = System.nanoTime();
                    for (java.util.concurrent.Future<Void> f : pool.invokeAll(work)) {
                        f.get();
                    }
                    concurrent.add((System.nanoTime() - t0) / 1e6);
                }
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            } finally {
                pool.shutdown();
            }
            List<Double> critical = new ArrayList<>();
            List<Double> total = new ArrayList<>();
            double poissonSum = 0;
            for (int r = 0; r < rounds; r++) {
                long round = firstRound + r;
                double max = 0;
                double sum = 0;
                double pmax = 0;
                for (Tuple2<Integer, DenseBlock> t : parts) {
                    DenseBlock b = t._2();
                    long t0 = System.nanoTime();
                    expectedSample(t, round);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    max = Math.max(max, ms);
                    sum += ms;
                    double[] acc = new double[model.numParams() + 1];
                    t0 = System.nanoTime();
                    FedAvgClient.accumulate(model, params, b.features(), b.labels(), b.userStarts(), b.users(),
                            new PoissonSampler(q), CsprngStream.derive(key, -round, t._1(), 0), clip, local, acc);
                    pmax = Math.max(pmax, (System.nanoTime() - t0) / 1e6);
                }
                critical.add(max);
                total.add(sum);
                poissonSum += pmax;
            }
            return new double[] {median(critical), median(total), poissonSum / rounds, median(concurrent)};
        }

        /** The block's first round(q N_p) users (the expected sample), each one's local training and clipped update. */
        private void expectedSample(Tuple2<Integer, DenseBlock> t, long round) {
            DenseBlock b = t._2();
            int expected = (int) Math.round(q * b.users());
            double[] acc = new double[model.numParams() + 1];
            FedAvgClient.accumulate(model, params, b.features(), b.labels(), b.userStarts(), expected,
                    new PoissonSampler(1.0), CsprngStream.derive(key, round, t._1(), 0), clip, local, acc);
        }
    }

    private static TrainConfig withSteps(TrainConfig c, int steps) {
        TrainConfig.Builder b = TrainConfig.builder().batchSize(c.batchSize()).steps((long) steps)
                .noiseMultiplier(c.noiseMultiplier().getAsDouble()).clipNorm(c.clipNorm())
                .learningRate(c.learningRate()).optimizer(c.optimizer()).stepMode(c.stepMode());
        if (c.userColumn().isPresent()) {
            b.userColumn(c.userColumn().get()).maxRowsPerUser(c.maxRowsPerUser()).algorithm(c.algorithm())
                    .localTraining(c.localTraining());
        }
        return b.build();
    }

    /** 1,000 users x 60 rows of SyntheticData.logistic (d = 100), user = row index mod 1,000 (public). */
    private static Dataset<Row> syntheticUsers(SparkSession spark) {
        Dataset<Row> x = SyntheticData.logistic(spark, (long) USERS * ROWS_PER_USER, 100, 7L, 2);
        JavaRDD<Row> withUser = x.javaRDD().zipWithIndex().map(t -> {
            Object[] v = new Object[t._1().size() + 1];
            for (int i = 0; i < t._1().size(); i++) {
                v[i] = t._1().get(i);
            }
            v[v.length - 1] = (int) (t._2() % USERS);
            return RowFactory.create(v);
        });
        return spark.createDataFrame(withUser, SyntheticData.schema(100).add(FederatedSplit.USER, DataTypes.IntegerType,
                false));
    }

    private static <T> JavaRDD<T> cache(JavaRDD<T> rdd) {
        rdd.persist(StorageLevel.MEMORY_ONLY());
        rdd.count();
        return rdd;
    }

    private static void record(String key, double value) {
        SAMPLES.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        System.out.printf(Locale.ROOT, "bench: %s = %.4f%n", key, value);
    }

    static double median(List<Double> v) {
        double[] x = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }
}
