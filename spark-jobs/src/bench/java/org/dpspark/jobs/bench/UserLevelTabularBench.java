package org.dpspark.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.dpspark.accountant.group.GroupPrivacy;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.users.UserBlocks;
import org.dpspark.jobs.eval.Evaluator;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.run.LedgerTarget;
import org.dpspark.jobs.run.RunSettings;
import org.dpspark.jobs.run.TrainedModel;
import org.dpspark.jobs.run.TrainingData;
import org.dpspark.jobs.run.TrainingRun;
import org.dpspark.jobs.train.StepMode;
import org.dpspark.jobs.train.TrainConfig;

/**
 * Issue 12's tabular acceptance: "user-level models within 3 points of the row-level model at the same epsilon
 * when users have few rows, and far ahead of group privacy when they have many; the curve over k". One JVM, one
 * local[2] SparkSession, every DP model trained through {@link TrainingRun} with {@link LedgerTarget#none} (the
 * code path of dp-train and the MLlib estimators, not a side path).
 *
 * <p>Data: {@link SyntheticData#customers} (heavy-tailed rows per customer, user column {@code customer_id}),
 * public seed 1. A customer is held out for evaluation (all of its rows) when
 * {@code pmod(xxhash64(customer_id, seed), 5) = 0}: about 20% of the customers, chosen by customer, deterministic
 * from the public seed. Accuracy is per row on the held-out customers' rows (exact, not DP).
 *
 * <p>For each k: the training rows are bounded to at most k per customer once ({@link UserBlocks#bound}, a random
 * k-subset per customer); on those same rows:
 * <ul>
 *   <li>(a) user-level DP-SGD, max rows per user k, at the user-level (epsilon, delta);</li>
 *   <li>(b) row-level DP-SGD at the row-level (epsilon / k, delta / (k e^((k-1) epsilon / k))), which group privacy
 *       ({@link GroupPrivacy}) turns into the same (epsilon, delta) for a customer's k rows; "not trainable" with
 *       the plan's reason when the plan refuses it;</li>
 *   <li>(d) row-level DP-SGD at (epsilon, delta) per row (a weaker guarantee for a customer with several rows).</li>
 * </ul>
 * Once: (c) row-level DP-SGD at (epsilon, delta) on all training rows (the "row-level model at the same
 * epsilon", which protects rows, not customers) and a non-private reference (Spark ML's LogisticRegression,
 * L-BFGS, no regularization, on the same encoded features). Then the "few rows" setting: the same generator
 * restricted to customers with at most 2 rows (both for training and evaluation), where user-level (k = 2) is
 * compared with row-level at the same (epsilon, delta).
 *
 * <p>Usage: UserLevelTabularBench OUT_JSON [USERS [KS [REPS]]] (defaults 20000, 1,2,5,10,50,500, 1). The recipe
 * can be overridden for tuning with -Dbench.epochs, -Dbench.batch, -Dbench.lr, -Dbench.clip (user level:
 * bench.user.epochs, bench.user.batch, bench.user.lr, bench.user.clip), -Dbench.sections=curve,few.
 */
public final class UserLevelTabularBench {
    static final long SEED = 1L;
    static final double EPSILON = 1.0;
    static final double DELTA = 1e-5;
    static final int PARTITIONS = 2;

    /** The recipe (logistic regression, plain SGD, constant rate). */
    record Recipe(double epochs, int batch, double lr, double clip) {
        static Recipe of(String prefix, double epochs, int batch, double lr, double clip) {
            return new Recipe(Double.parseDouble(System.getProperty(prefix + "epochs", "" + epochs)),
                    Integer.parseInt(System.getProperty(prefix + "batch", "" + batch)),
                    Double.parseDouble(System.getProperty(prefix + "lr", "" + lr)),
                    Double.parseDouble(System.getProperty(prefix + "clip", "" + clip)));
        }

        TrainConfig.Builder builder() {
            return TrainConfig.builder().epochs(epochs).batchSize(batch).learningRate(lr).clipNorm(clip)
                    .optimizer("sgd").stepMode(StepMode.BARRIER);
        }

        ObjectNode json(ObjectMapper m) {
            ObjectNode n = m.createObjectNode();
            n.put("epochs", epochs).put("batch", batch).put("learning_rate", lr).put("clip", clip).put("optimizer", "sgd");
            return n;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static int jobs;

    private UserLevelTabularBench() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int[] ks = java.util.Arrays.stream((args.length > 2 ? args[2] : "1,2,5,10,50,500").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        java.util.Set<String> sections = java.util.Set.of(System.getProperty("bench.sections", "curve,few").split(","));
        Recipe rowRecipe = Recipe.of("bench.", 10, 256, 1.0, 1.0);
        Recipe userRecipe = Recipe.of("bench.user.", rowRecipe.epochs(), rowRecipe.batch(), rowRecipe.lr(),
                rowRecipe.clip());
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder().appName("dpspark-bench-users-tabular").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "" + PARTITIONS)
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ObjectNode root = JSON.createObjectNode();
        root.put("customers", users).put("seed", SEED).put("epsilon", EPSILON).put("delta", DELTA).put("reps", reps);
        root.set("row_recipe", rowRecipe.json(JSON));
        root.set("user_recipe", userRecipe.json(JSON));
        root.put("model", "logistic regression, d = " + SyntheticData.customersSpec().dimension());
        List<String> table = new ArrayList<>();
        List<String> fewTable = new ArrayList<>();
        try {
            FeatureSpec spec = SyntheticData.customersSpec();
            Dataset<Row> all = SyntheticData.customers(spark, users, SEED, PARTITIONS);
            Column heldOut = functions.pmod(functions.xxhash64(functions.col(SyntheticData.CUSTOMER_ID),
                    functions.lit(SEED)), functions.lit(5L)).equalTo(0);
            Dataset<Row> train = cache(all.filter(functions.not(heldOut)));
            Dataset<Row> eval = cache(all.filter(heldOut));
            long trainUsers = train.select(SyntheticData.CUSTOMER_ID).distinct().count();
            long evalUsers = eval.select(SyntheticData.CUSTOMER_ID).distinct().count();
            root.put("train_customers", trainUsers).put("train_rows", train.count())
                    .put("eval_customers", evalUsers).put("eval_rows", eval.count());
            System.out.printf(Locale.ROOT, "data: %d training customers (%d rows), %d held-out customers (%d rows)%n",
                    trainUsers, train.count(), evalUsers, eval.count());
            ModelSpec model = ModelSpec.binaryLogistic(spec.dimension());
            TrainingData evalData = data(eval, spec, "held-out customers");

            if (sections.contains("curve")) {
                ObjectNode ref = root.putObject("reference");
                ObjectNode rowAll = ref.putObject("row_level_all_rows");
                double rowAllAcc = repeated(rowAll, reps, () -> run(jsc, data(train, spec, "all training rows"), evalData,
                        model, rowRecipe.builder().targetEpsilon(EPSILON).delta(DELTA), "row-all"));
                double np = nonPrivate(spark, jsc, train, eval, spec, model);
                ref.put("non_private_accuracy", np);
                System.out.printf(Locale.ROOT, "reference: row-level at (%s, %s) on all rows %.4f; non-private %.4f%n",
                        num(EPSILON), num(DELTA), rowAllAcc, np);

                ArrayNode curve = root.putArray("curve");
                for (int k : ks) {
                    ObjectNode c = curve.addObject();
                    c.put("k", k);
                    UserBlocks.Bounded b = UserBlocks.bound(train, spec, SyntheticData.CUSTOMER_ID, k,
                            UserBlocks.NullUsers.REFUSE, CsprngStream.newSecretKey(), PARTITIONS);
                    Dataset<Row> kRows = b.toDataFrame(spark).persist(StorageLevel.MEMORY_ONLY());
                    kRows.count();
                    c.put("users", b.users()).put("rows_kept", b.rowsKept()).put("rows_dropped", b.rowsDroppedByBound());
                    TrainingData kData = data(kRows, spec, "training rows bounded to k = " + k);
                    double userAcc = repeated(c.putObject("user_level"), reps, () -> run(jsc, kData, evalData, model,
                            userRecipe.builder().targetEpsilon(EPSILON).delta(DELTA)
                                    .userColumn(SyntheticData.CUSTOMER_ID).maxRowsPerUser(k), "user-k" + k));
                    // The row-level target whose group-privacy conversion to k rows is the user-level (EPSILON, DELTA).
                    double rowEps = EPSILON / k;
                    double rowDelta = DELTA / (k * Math.exp((k - 1) * rowEps));
                    GroupPrivacy g = GroupPrivacy.of(rowEps, rowDelta, k);
                    ObjectNode gj = c.putObject("group_converted");
                    gj.put("row_epsilon", rowEps).put("row_delta", rowDelta).put("group_epsilon", g.epsilon())
                            .put("group_delta", g.delta());
                    double groupAcc = repeated(gj, reps, () -> run(jsc, kData, evalData, model,
                            rowRecipe.builder().targetEpsilon(rowEps).delta(rowDelta), "group-k" + k));
                    double rowAcc = repeated(c.putObject("row_level_same_rows"), reps, () -> run(jsc, kData, evalData,
                            model, rowRecipe.builder().targetEpsilon(EPSILON).delta(DELTA), "row-k" + k));
                    kRows.unpersist();
                    table.add(String.format(Locale.ROOT, "| %d | %d | %d | %s | (%s, %s) | %s | %s | %s |", k, b.users(),
                            b.rowsKept(), acc(userAcc), num(rowEps), num(rowDelta), acc(groupAcc), acc(rowAcc),
                            acc(rowAllAcc)));
                    System.out.println("curve: " + table.get(table.size() - 1));
                }
            }

            if (sections.contains("few")) {
                // "Users with few rows": the customers with at most 2 rows, for training and for evaluation.
                int fewK = 2;
                Dataset<Row> fewIds = all.groupBy(SyntheticData.CUSTOMER_ID).count()
                        .filter(functions.col("count").leq(fewK)).select(SyntheticData.CUSTOMER_ID);
                Dataset<Row> fewTrain = cache(train.join(fewIds, train.col(SyntheticData.CUSTOMER_ID)
                        .equalTo(fewIds.col(SyntheticData.CUSTOMER_ID)), "left_semi"));
                Dataset<Row> fewEval = cache(eval.join(fewIds, eval.col(SyntheticData.CUSTOMER_ID)
                        .equalTo(fewIds.col(SyntheticData.CUSTOMER_ID)), "left_semi"));
                ObjectNode f = root.putObject("few_rows");
                long fu = fewTrain.select(SyntheticData.CUSTOMER_ID).distinct().count();
                f.put("max_rows_per_customer", fewK).put("train_customers", fu).put("train_rows", fewTrain.count())
                        .put("eval_rows", fewEval.count());
                TrainingData fd = data(fewTrain, spec, "customers with <= 2 rows");
                TrainingData fe = data(fewEval, spec, "held-out customers with <= 2 rows");
                double u = repeated(f.putObject("user_level"), reps, () -> run(jsc, fd, fe, model,
                        userRecipe.builder().targetEpsilon(EPSILON).delta(DELTA)
                                .userColumn(SyntheticData.CUSTOMER_ID).maxRowsPerUser(fewK), "few-user"));
                double r = repeated(f.putObject("row_level"), reps, () -> run(jsc, fd, fe, model,
                        rowRecipe.builder().targetEpsilon(EPSILON).delta(DELTA), "few-row"));
                double rowEps = EPSILON / fewK;
                double rowDelta = DELTA / (fewK * Math.exp((fewK - 1) * rowEps));
                ObjectNode gj = f.putObject("group_converted");
                gj.put("row_epsilon", rowEps).put("row_delta", rowDelta);
                double g = repeated(gj, reps, () -> run(jsc, fd, fe, model,
                        rowRecipe.builder().targetEpsilon(rowEps).delta(rowDelta), "few-group"));
                double np = nonPrivate(spark, jsc, fewTrain, fewEval, spec, model);
                f.put("non_private_accuracy", np);
                f.put("user_minus_row_points", 100 * (u - r));
                fewTable.add(String.format(Locale.ROOT, "| customers with <= %d rows | %d | %d | %s | %s | %s (at (%s, %s)) "
                        + "| %s | %+.2f |", fewK, fu, fewTrain.count(), acc(u), acc(r), acc(g), num(rowEps), num(rowDelta),
                        acc(np), 100 * (u - r)));
            }
        } finally {
            spark.stop();
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        double seconds = (System.nanoTime() - t0) / 1e9;
        root.put("loadavg_before", loadBefore).put("loadavg_after", loadAfter).put("cores",
                Runtime.getRuntime().availableProcessors()).put("wall_seconds", seconds);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));

        System.out.println();
        System.out.printf(Locale.ROOT, "User level on SyntheticData.customers (%d customers, seed %d), logistic regression, "
                + "(epsilon, delta) = (%s, %s) per customer; accuracy on held-out customers' rows%n", users, SEED,
                num(EPSILON), num(DELTA));
        System.out.printf(Locale.ROOT, "row recipe %s; user recipe %s; %d repetition(s) (mean)%n", rowRecipe, userRecipe,
                reps);
        if (!table.isEmpty()) {
            System.out.println();
            System.out.println("| k | customers | rows kept | user-level acc (" + num(EPSILON) + ", " + num(DELTA)
                    + ") per customer | row-level target whose group conversion is that | its acc | row-level at ("
                    + num(EPSILON) + ", " + num(DELTA) + ") per row, same rows | row-level at (" + num(EPSILON) + ", "
                    + num(DELTA) + ") per row, all rows |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            table.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "non-private reference (all rows): %s%n",
                    acc(root.path("reference").path("non_private_accuracy").asDouble(Double.NaN)));
        }
        if (!fewTable.isEmpty()) {
            System.out.println();
            System.out.println("| setting | customers | rows | user-level acc (k = 2) | row-level acc at the same (epsilon, "
                    + "delta) | group-converted row-level acc | non-private | user - row (points) |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            fewTable.forEach(System.out::println);
        }
        System.out.printf(Locale.ROOT, "%nwall time %.1f s; load average before: %s; after: %s%n", seconds, loadBefore,
                loadAfter);
    }

    /** One DP run's outcome: accuracy, or NaN with the plan's refusal. */
    interface Run {
        ObjectNode get();
    }

    /** Runs {@code reps} times into {@code into} ("runs": each run's record) and returns the mean accuracy. */
    private static double repeated(ObjectNode into, int reps, Run run) {
        ArrayNode runs = into.putArray("runs");
        double sum = 0;
        int n = 0;
        for (int r = 0; r < reps; r++) {
            ObjectNode one = run.get();
            runs.add(one);
            if (one.has("accuracy")) {
                sum += one.get("accuracy").asDouble();
                n++;
            } else {
                into.put("not_trainable", one.get("not_trainable").asText());
                return Double.NaN;
            }
        }
        double mean = sum / n;
        into.put("accuracy", mean);
        return mean;
    }

    /** One training run through {@link TrainingRun}, no ledger. */
    private static ObjectNode run(JavaSparkContext jsc, TrainingData train, TrainingData eval, ModelSpec model,
            TrainConfig.Builder cfg, String name) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name);
        long t0 = System.nanoTime();
        try {
            TrainConfig config = cfg.build();
            RunSettings settings = new RunSettings(config, LedgerTarget.none("benchmark"), "bench-" + name + "-" + (++jobs),
                    null, PARTITIONS, "bench:users-tabular", List.of());
            TrainedModel m = TrainingRun.preflight(settings, jsc.hadoopConfiguration(),
                    s -> System.err.println("bench notice: " + s)).train(jsc, train, eval, model);
            o.put("accuracy", m.metrics().get("accuracy")).put("auc", m.metrics().get("auc"))
                    .put("units", m.result().rows()).put("steps", m.plan().steps())
                    .put("sampling_rate", m.plan().samplingRate()).put("sigma", m.plan().noiseMultiplier())
                    .put("epsilon", m.plan().epsilon()).put("delta", m.plan().delta())
                    .put("ms_per_step", m.result().millisPerStep());
        } catch (InvalidParameterException e) {
            o.put("not_trainable", e.getMessage());
        }
        o.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
        System.out.println("bench: " + o);
        return o;
    }

    /**
     * A non-private reference: Spark ML's LogisticRegression (L-BFGS, no regularization) on the rows encoded by
     * the same spec, evaluated by the same {@link Evaluator}.
     */
    private static double nonPrivate(SparkSession spark, JavaSparkContext jsc, Dataset<Row> train, Dataset<Row> eval,
            FeatureSpec spec, ModelSpec model) {
        JavaRDD<Row> points = BlockPacker.pack(train, spec).flatMap(b -> {
            List<Row> rows = new ArrayList<>(b.rows());
            for (int i = 0; i < b.rows(); i++) {
                rows.add(RowFactory.create(b.labels()[i], Vectors.dense(java.util.Arrays.copyOfRange(b.features(),
                        i * b.dim(), (i + 1) * b.dim()))));
            }
            return rows.iterator();
        });
        StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", new VectorUDT());
        LogisticRegressionModel lr = new LogisticRegression().setRegParam(0).setMaxIter(200)
                .fit(spark.createDataFrame(points, schema));
        double[] w = lr.coefficients().toArray();
        double[] params = java.util.Arrays.copyOf(w, w.length + 1);
        params[w.length] = lr.intercept();
        JavaRDD<DenseBlock> evalBlocks = BlockPacker.pack(eval, spec);
        return Evaluator.evaluate(jsc, evalBlocks, model.create(), params).get("accuracy");
    }

    private static TrainingData data(Dataset<Row> frame, FeatureSpec spec, String what) {
        return new TrainingData(frame, new TrainingData.SpecEncoding(spec, "synthetic-customers"),
                "synthetic:customers(seed=" + SEED + "): " + what, "synthetic", what);
    }

    private static Dataset<Row> cache(Dataset<Row> d) {
        Dataset<Row> c = d.persist(StorageLevel.MEMORY_ONLY());
        c.count();
        return c;
    }

    private static String acc(double a) {
        return Double.isNaN(a) ? "not trainable" : String.format(Locale.ROOT, "%.4f", a);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
