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
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.optimization.GradientDescent;
import org.apache.spark.mllib.optimization.LogisticGradient;
import org.apache.spark.mllib.optimization.SimpleUpdater;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.jobs.train.DpTrainer;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.StepMode;
import org.dpspark.jobs.train.SteadyState;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;
import scala.Tuple2;

/**
 * Issue 6's end-to-end measurements, side by side in one JVM and one local[2] SparkSession, repetitions
 * interleaved so that the machine's load hits every variant alike:
 * <ol>
 *   <li>Adult, logistic regression, 15 epochs at expected batch 256 (1907 steps), sigma 1.6016 (Opacus' eps = 1):
 *       the training loop's ms/step in job and barrier mode, as dp-train reports it (the steps alone) and with the
 *       step runner's start-up added, and the barrier runner's steady-state ms/step;</li>
 *   <li>scaling with N: synthetic d = 50, 50,000 vs 500,000 rows, expected batch 256, cached, steady-state
 *       barrier ms/step;</li>
 *   <li>memory: the cached blocks' size (Spark's storage info) over rows x d x 8 bytes;</li>
 *   <li>versus MLlib: GradientDescent.runMiniBatchSGD (non-private, logistic gradient, simple updater) against our
 *       DP-SGD training loop (barrier mode, start-up included) for the same 200 steps and sampling fraction on
 *       Adult.</li>
 * </ol>
 * Usage: EndToEndBench ADULT_DIR REPS OUT_JSON [SECTIONS]. SECTIONS is a comma-separated subset of
 * {@code adult,mllib,scaling} (default: all). Prints a summary; writes every sample to OUT_JSON.
 */
public final class EndToEndBench {
    private static final Map<String, List<Double>> SAMPLES = new LinkedHashMap<>();

    private EndToEndBench() {}

    public static void main(String[] args) throws Exception {
        String adultDir = args[0];
        int reps = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        java.util.Set<String> sections = java.util.Set.of((args.length > 3 ? args[3] : "adult,mllib,scaling").split(","));
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        SparkSession spark = SparkSession.builder().appName("dpspark-bench").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try {
            if (sections.contains("adult") || sections.contains("mllib")) {
                adultAndMllib(spark, jsc, adultDir, reps, sections);
            }

            // Scaling with N at a fixed expected batch, cached (synthetic, d = 50).
            if (sections.contains("scaling")) {
                scaling(spark, jsc, reps);
            }
        } finally {
            spark.stop();
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("loadavg_before", loadBefore);
        root.put("loadavg_after", loadAfter);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        ObjectNode s = root.putObject("samples");
        SAMPLES.forEach((k, v) -> v.forEach(s.withArray(k)::add));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        System.out.println("load average before: " + loadBefore + "; after: " + loadAfter);
        System.out.printf("%-36s %10s %10s %10s %s%n", "measure", "median", "min", "max", "n");
        SAMPLES.forEach((k, v) -> {
            double[] x = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
            System.out.printf(Locale.ROOT, "%-36s %10.4f %10.4f %10.4f %d%n", k, med, x[0], x[x.length - 1], x.length);
        });
    }

    private static void adultAndMllib(SparkSession spark, JavaSparkContext jsc, String adultDir, int reps,
            java.util.Set<String> sections) {
        // Adult, packed as dp-train packs it (2 partitions on local[2]).
        FeatureSpec adultSpec = FeatureSpec.adult();
        Dataset<Row> raw = DataReader.read(spark, adultDir + "/adult.data", InputFormat.ADULT);
        long n = DatasetValidator.validate(raw, adultSpec);
        JavaRDD<DenseBlock> adult = cache(BlockPacker.pack(raw.repartition(2), adultSpec));
        int d = adultSpec.dimension();
        record("memory.adult.ratio", memoryRatio(jsc, adult, n, d));

        BinaryLogisticRegression model = new BinaryLogisticRegression(d);
        for (int r = 0; r < (sections.contains("adult") ? reps : 0); r++) {
            for (StepMode mode : new StepMode[] {StepMode.JOB, StepMode.BARRIER}) {
                TrainConfig c = TrainConfig.builder().epochs(15).batchSize(256).noiseMultiplier(1.6016).stepMode(mode).build();
                TrainResult res = DpTrainer.train(jsc, adult, n, model, c, c.plan(n));
                String m = mode.name().toLowerCase(Locale.ROOT);
                record("adult.loop_ms_per_step." + m, res.millisPerStep()); // the steps alone, as the report says
                record("adult.loop_with_startup_ms_per_step." + m,
                        1000.0 * (res.trainingSeconds() + res.startupSeconds()) / res.plan().steps());
            }
            SteadyState.Timing t = SteadyState.measure(jsc, adult, model, StepMode.BARRIER, 256.0 / n, 256.0, 100, 1907);
            record("adult.steady_ms_per_step.barrier", t.millisPerStep());
            record("adult.barrier_startup_ms", t.startupMillis());
        }

        if (!sections.contains("mllib")) {
            adult.unpersist(true);
            return;
        }
        // Versus MLlib: the same 200 steps and sampling fraction on the same rows.
        int steps = 200;
        double fraction = 256.0 / n;
        JavaRDD<Tuple2<Object, Vector>> points = adult.flatMap(b -> {
            List<Tuple2<Object, Vector>> rows = new ArrayList<>(b.rows());
            for (int i = 0; i < b.rows(); i++) {
                double[] x = Arrays.copyOfRange(b.features(), i * b.dim(), (i + 1) * b.dim());
                double[] xi = Arrays.copyOf(x, x.length + 1);
                xi[x.length] = 1.0; // intercept column
                rows.add(new Tuple2<>(b.labels()[i], Vectors.dense(xi)));
            }
            return rows.iterator();
        });
        points = cache(points);
        TrainConfig dpc = TrainConfig.builder().epochs((steps + 0.5) * 256.0 / n).batchSize(256).noiseMultiplier(1.6016)
                .stepMode(StepMode.BARRIER).build();
        if (dpc.plan(n).steps() != steps) {
            throw new IllegalStateException("step count mismatch");
        }
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            GradientDescent.runMiniBatchSGD(points.rdd(), new LogisticGradient(), new SimpleUpdater(), 1.0, steps, 0.0,
                    fraction, Vectors.zeros(d + 1), 0.0);
            double mllib = (System.nanoTime() - t0) / 1e9;
            TrainResult ours = DpTrainer.train(jsc, adult, n, model, dpc, dpc.plan(n));
            record("mllib.seconds", mllib);
            double oursSeconds = ours.trainingSeconds() + ours.startupSeconds(); // MLlib's time includes its start-up
            record("ours_vs_mllib.seconds", oursSeconds);
            record("ours_over_mllib.ratio", oursSeconds / mllib);
        }
        points.unpersist(true);
        adult.unpersist(true);
    }

    private static void scaling(SparkSession spark, JavaSparkContext jsc, int reps) {
        int sd = 50;
        FeatureSpec synth = SyntheticData.spec(sd);
        long n1 = 50_000;
        long n10 = 500_000;
        JavaRDD<DenseBlock> small = cache(BlockPacker.pack(SyntheticData.logistic(spark, n1, sd, 3L, 2), synth));
        JavaRDD<DenseBlock> large = cache(BlockPacker.pack(SyntheticData.logistic(spark, n10, sd, 4L, 2), synth));
        record("memory.synthetic10x.ratio", memoryRatio(jsc, large, n10, sd));
        BinaryLogisticRegression sm = new BinaryLogisticRegression(sd);
        for (int r = 0; r < reps; r++) {
            // Alternate which size goes first, so that a drift in the machine's load does not favour one of them.
            double a;
            double b;
            if (r % 2 == 0) {
                a = SteadyState.measure(jsc, small, sm, StepMode.BARRIER, 256.0 / n1, 256.0, 100, 1000).millisPerStep();
                b = SteadyState.measure(jsc, large, sm, StepMode.BARRIER, 256.0 / n10, 256.0, 100, 1000).millisPerStep();
            } else {
                b = SteadyState.measure(jsc, large, sm, StepMode.BARRIER, 256.0 / n10, 256.0, 100, 1000).millisPerStep();
                a = SteadyState.measure(jsc, small, sm, StepMode.BARRIER, 256.0 / n1, 256.0, 100, 1000).millisPerStep();
            }
            record("scaling.ms_per_step.1x", a);
            record("scaling.ms_per_step.10x", b);
            record("scaling.ratio_10x_over_1x", b / a);
        }
    }

    private static <T> JavaRDD<T> cache(JavaRDD<T> rdd) {
        rdd.cache();
        rdd.count();
        return rdd;
    }

    private static double memoryRatio(JavaSparkContext jsc, JavaRDD<?> rdd, long rows, int d) {
        for (RDDInfo info : jsc.sc().getRDDStorageInfo()) {
            if (info.id() == rdd.id()) {
                return (info.memSize() + info.diskSize()) / (rows * (double) d * 8.0);
            }
        }
        throw new IllegalStateException("RDD " + rdd.id() + " is not cached");
    }

    private static void record(String key, double value) {
        SAMPLES.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        System.out.printf(Locale.ROOT, "bench: %s = %.4f%n", key, value);
    }
}
