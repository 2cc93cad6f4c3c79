package org.dpspark.core.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.features.FlipSymmetry;
import org.dpspark.core.features.GroupNorm;
import org.dpspark.core.features.Scattering2D;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.model.SoftmaxRegression;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.core.optim.Adam;
import org.dpspark.core.optim.LearningRateSchedule;
import org.dpspark.core.optim.Momentum;
import org.dpspark.core.optim.Optimizer;
import org.dpspark.core.optim.ParameterAverage;
import org.dpspark.core.optim.Sgd;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.sampling.PoissonSampler;
import org.dpspark.core.step.ClippedSumKernel;
import org.dpspark.core.step.DriverUpdate;

/**
 * Single-machine DP-SGD on MNIST with the dp-core pieces only (Poisson sampling, fused clipping, secure noise,
 * optimizer, optional parameter averaging), to explore hyperparameters for the models before the Spark trainer
 * uses them. Not a test; one thread. The noise multiplier is an argument: compute it for (epsilon, delta, q,
 * steps) with the accountant's NoiseCalibration, where q = batch / 60000 and steps = floor(epochs * 60000 /
 * batch), as dp-train counts them. Pixels are scaled to [0, 1] as the built-in "mnist" feature spec does, times
 * xscale (a public constant, so no privacy cost).
 * <pre>
 * java -cp dp-core/target/classes:dp-core/target/test-classes org.dpspark.core.bench.MnistDpSgdExperiment \
 *     dir=../shared/datasets/mnist model=mlp-tanh hidden=256 batch=1024 epochs=40 sigma=1.944907 clip=1 \
 *     opt=momentum lr=0.5 beta=0.9 schedule=cosine ema=0.999 evalEvery=5
 * </pre>
 * Keys (default): dir, model (mlp-tanh; mlp = ReLU, softmax), hidden (256), batch (512), epochs (30), sigma
 * (required), clip (1), opt (momentum; sgd, adam), lr (0.1), beta (0.9, momentum), schedule (constant; cosine:
 * to lrMin over the run), lrMin (1e-6 * lr), ema (0 = none; else the {@link ParameterAverage} decay; D1,D2,... =
 * several averages of one trajectory, for paired comparisons), xscale (1),
 * w1Scale (1: multiplies the MLP's initial first-layer weights), wd (0: decoupled weight decay, params *= 1 - lr_t wd
 * after each step), evalEvery (epochs between test evaluations, 1), features (raw; dct:K = the K x K lowest
 * coefficients of the orthonormal 2-D DCT-II of the scaled pixels, as dp-train's {@code --features dct:K}
 * (datasets' LowPassDct, which dp-core cannot depend on; prototyped here first); pool:2 = 2 x 2 sums / 2, the
 * orthonormal Haar low-pass band, 14 x 14; scatter:J,L = the order-2 scattering transform {@link Scattering2D} of
 * the scaled pixels, Tramer and Boneh's ScatterNet features (ICLR 2021), 81 x 7 x 7 for scatter:2,8), groups
 * (scatter only: {@link GroupNorm} with this many groups and eps 1e-5 after the transform, per example; default
 * channels / 3 when 3 divides the channel count, i.e. 27 for scatter:2,8 as Tramer and Boneh, else 0 = none), norm
 * (scatter only: gn = the group normalization alone, the default; exact, dp:SIGMA,CM,CS, zca, zca:EPS or
 * zcadp:SIGMA,CM,CS,EPS = data normalization instead of it, gn+... after it; see {@link #normalize}), loss (off;
 * on = the DP loss estimate of dp-train's {@code --loss-estimate on}: the gradient keeps 98% of the clip norm), sym
 * (scatter with norm=gn only: off; hflip = left-right-flip-invariant features, {@link FlipSymmetry#reduce} of
 * f(x) and f(flip x), f = scattering then group norm, about half the features; avg = their mean (f(x) + f(flip x)) / 2,
 * invariant at full size; the flipped images' features are a second feature pass), aug (off; hflip = augmentation
 * multiplicity with the flip, De et al. 2022: each example's gradient is the mean of its gradients at f(x) and
 * f(flip x), clipped once; {@link FlipAveragedSoftmax}; model=softmax, norm=gn, no sym), pre (scatter only: off;
 * log:EPS = log(1 + x / EPS), pow:P = x^P, applied to every scattering coefficient x, order 0 included, right after
 * the transform and before groups and norm, train and test alike; see {@link #pointwise}), prescale (scatter only:
 * A1,A2 = the order-1 channels times A1 and the order-2 ones times A2: after the group norm with norm=gn, before
 * the data normalization otherwise; see
 * {@link #prescale}; with it or not, zcadp's CM and CS may be given as qF, the F-quantile of the per-example norms),
 * o2 (scatter only: drop or pool:P = fewer order-2 coordinates after the normalization; see {@link #orderTwo}). The
 * transform is fixed and public: no privacy cost. Scattering features are computed once for train and test, on
 * the common fork-join pool (2 threads on 2 cores). Fashion-MNIST works the same way with dir pointing at its IDX
 * files (same names), e.g. dir=/usr/share/datasets/fashion-mnist.
 * <pre>
 * java -cp dp-core/target/classes:dp-core/target/test-classes:$HOME/.m2/repository/com/github/wendykierp/JTransforms/3.1/JTransforms-3.1.jar:$HOME/.m2/repository/pl/edu/icm/JLargeArrays/1.5/JLargeArrays-1.5.jar:$HOME/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar \
 *     org.dpspark.core.bench.MnistDpSgdExperiment dir=../shared/datasets/mnist model=softmax features=scatter:2,8 \
 *     batch=4096 epochs=10 sigma=3 clip=0.1 opt=momentum lr=4 beta=0.9
 * </pre>
 */
public final class MnistDpSgdExperiment {

    private static final Set<String> KEYS = Set.of("dir", "model", "hidden", "batch", "epochs", "sigma", "clip",
            "opt", "lr", "beta", "schedule", "lrMin", "ema", "xscale", "w1Scale", "wd", "evalEvery",
            "features", "groups", "norm", "threads", "runs", "loss", "sym", "aug", "pre", "prescale", "o2");

    private MnistDpSgdExperiment() {
    }

    static double[][] read(Path dir, String prefix, double scale) throws IOException {
        byte[] im;
        byte[] lb;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz")))) {
            im = in.readAllBytes();
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz")))) {
            lb = in.readAllBytes();
        }
        int n = new DataInputStream(new java.io.ByteArrayInputStream(im, 4, 4)).readInt();
        double[] x = new double[n * 784];
        double[] y = new double[n];
        for (int i = 0; i < n * 784; i++) {
            x[i] = scale * (im[16 + i] & 0xff) / 255.0;
        }
        for (int i = 0; i < n; i++) {
            y[i] = lb[8 + i] & 0xff;
        }
        return new double[][] {x, y};
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 1 || !KEYS.contains(s.substring(0, eq))) {
                throw new IllegalArgumentException("arguments are key=value with keys " + KEYS + ", got " + s);
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        for (String fixed : List.of("dir", "features", "groups", "norm", "xscale", "threads", "runs", "sym", "aug",
                "pre", "prescale")) {
            if (a.getOrDefault(fixed, "").contains("|")) {
                throw new IllegalArgumentException(fixed + " cannot be swept (the data and features load once)");
            }
        }
        Path dir = Path.of(a.getOrDefault("dir", "../shared/datasets/mnist"));
        double xscale = Double.parseDouble(a.getOrDefault("xscale", "1"));
        double[][] train = read(dir, "train", xscale);
        double[][] test = read(dir, "t10k", xscale);
        String features = a.getOrDefault("features", "raw");
        boolean scatterOnly = a.containsKey("sym") || a.containsKey("aug") || a.containsKey("pre");
        if (scatterOnly && !features.startsWith("scatter:")) {
            throw new IllegalArgumentException("sym, aug and pre are for features=scatter:J,L");
        }
        DoubleUnaryOperator pre = pointwise(a.getOrDefault("pre", "off"));
        boolean aug = switch (a.getOrDefault("aug", "off")) {
            case "off" -> false;
            case "hflip" -> true;
            default -> throw new IllegalArgumentException("aug must be off or hflip");
        };
        if (aug && (!a.getOrDefault("sym", "off").equals("off") || !a.getOrDefault("model", "").equals("softmax"))) {
            throw new IllegalArgumentException("aug=hflip is for model=softmax without sym");
        }
        int d = 784;
        if (features.startsWith("dct:")) {
            int k = Integer.parseInt(features.substring(4));
            train[0] = lowPassDct(train[0], k);
            test[0] = lowPassDct(test[0], k);
            d = k * k;
        } else if (features.equals("pool:2")) {
            train[0] = pool2(train[0]);
            test[0] = pool2(test[0]);
            d = 196;
        } else if (features.startsWith("scatter:")) {
            String[] jl = features.substring(8).split(",");
            if (jl.length != 2) {
                throw new IllegalArgumentException("features=scatter:J,L, got " + features);
            }
            Scattering2D scat = new Scattering2D(28, 28, Integer.parseInt(jl[0]), Integer.parseInt(jl[1]));
            int channels = scat.channels();
            int groups = Integer.parseInt(a.getOrDefault("groups",
                    String.valueOf(channels % 3 == 0 ? channels / 3 : 0)));
            String norm = a.getOrDefault("norm", "gn");
            if (!norm.startsWith("gn")) {
                groups = 0;
            }
            long t0 = System.nanoTime();
            train[0] = scatter(scat, train[0], pre, groups);
            test[0] = scatter(scat, test[0], pre, groups);
            if (a.containsKey("prescale")) {
                prescale(train[0], test[0], scat, a.get("prescale"));
            }
            if (!norm.equals("gn")) {
                normalize(train[0], test[0], scat.channels(), scat.outputHeight() * scat.outputWidth(),
                        norm.startsWith("gn+") ? norm.substring(3) : norm);
            }
            d = scat.outputSize();
            if (a.containsKey("o2")) {
                train[0] = orderTwo(train[0], scat, a.get("o2"));
                test[0] = orderTwo(test[0], scat, a.get("o2"));
                d = test[0].length / test[1].length;
                System.out.printf("o2=%s: %d features%n", a.get("o2"), d);
            }
            String sym = a.getOrDefault("sym", "off");
            if (!sym.equals("off")) {
                if (!norm.equals("gn")) {
                    throw new IllegalArgumentException("sym is implemented with norm=gn only");
                }
                FlipSymmetry fs = new FlipSymmetry(scat);
                boolean reduce = switch (sym) {
                    case "hflip" -> true;
                    case "avg" -> false;
                    default -> throw new IllegalArgumentException("sym must be off, hflip or avg, got " + sym);
                };
                double[] trainFlip = scatter(scat, flipAll(read(dir, "train", xscale)[0]), pre, groups);
                train[0] = symmetric(fs, train[0], trainFlip, reduce);
                trainFlip = null;
                double[] testFlip = scatter(scat, flipAll(read(dir, "t10k", xscale)[0]), pre, groups);
                test[0] = symmetric(fs, test[0], testFlip, reduce);
                d = reduce ? fs.reducedSize() : fs.inputSize();
                System.out.printf("sym=%s: %s, %d features%n", sym, fs, d);
            }
            if (aug) {
                if (!norm.equals("gn")) {
                    throw new IllegalArgumentException("aug is implemented with norm=gn only");
                }
                double[] trainFlip = scatter(scat, flipAll(read(dir, "train", xscale)[0]), pre, groups);
                int n = train[1].length;
                double[] both = new double[2 * n * d];
                for (int e = 0; e < n; e++) { // row e: [f(x_e), f(flip x_e)]
                    System.arraycopy(train[0], e * d, both, 2 * e * d, d);
                    System.arraycopy(trainFlip, e * d, both, (2 * e + 1) * d, d);
                }
                train[0] = both;
                System.out.printf("aug=hflip: training rows [f(x), f(flip x)] of %d features%n", 2 * d);
            }
            System.out.printf("scattering J=%d L=%d: %d channels of %d x %d, groups %d, normBound %.4f; %d images in"
                    + " %.1f s%n", scat.j(), scat.l(), channels, scat.outputHeight(), scat.outputWidth(), groups,
                    scat.normBound(), train[1].length + test[1].length, (System.nanoTime() - t0) / 1e9);
        } else if (!features.equals("raw")) {
            throw new IllegalArgumentException("features must be raw, dct:K, pool:2 or scatter:J,L");
        } else if (a.containsKey("groups")) {
            throw new IllegalArgumentException("groups is for features=scatter:J,L");
        }
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        double[][][] parts = split(train, aug ? 2 * d : d, threads);
        int runs = Integer.parseInt(a.getOrDefault("runs", "1"));
        // every combination of the swept values (key=v1|v2|...), each run `runs` times
        List<Map<String, String>> configs = new ArrayList<>();
        configs.add(new LinkedHashMap<>(a));
        for (Map.Entry<String, String> e : a.entrySet()) {
            if (!e.getValue().contains("|")) {
                continue;
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : configs) {
                for (String v : e.getValue().split("\\|")) {
                    Map<String, String> m = new LinkedHashMap<>(c);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            configs = next;
        }
        for (Map<String, String> c : configs) {
            for (int r = 0; r < runs; r++) {
                train(c, parts, train[1].length, test, d);
            }
        }
    }

    /** The training rows cut into {@code k} contiguous parts, each sampled and summed by its own thread. */
    static double[][][] split(double[][] train, int d, int k) {
        int n = train[1].length;
        double[][][] out = new double[k][][];
        for (int i = 0; i < k; i++) {
            int from = (int) ((long) n * i / k);
            int to = (int) ((long) n * (i + 1) / k);
            out[i] = new double[][] {java.util.Arrays.copyOfRange(train[0], from * d, to * d),
                java.util.Arrays.copyOfRange(train[1], from, to)};
        }
        return out;
    }

    /** One DP-SGD run of configuration {@code a} (no list values left) on the parts; prints the test accuracy. */
    static void train(Map<String, String> a, double[][][] parts, int n, double[][] test, int dim) {
        String modelName = a.getOrDefault("model", "mlp-tanh");
        int hidden = Integer.parseInt(a.getOrDefault("hidden", "256"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "512"));
        double epochs = Double.parseDouble(a.getOrDefault("epochs", "30"));
        if (!a.containsKey("sigma")) {
            throw new IllegalArgumentException("sigma=... is required (NoiseCalibration for q and steps)");
        }
        double sigma = Double.parseDouble(a.get("sigma"));
        double clipNorm = Double.parseDouble(a.getOrDefault("clip", "1"));
        double lr = Double.parseDouble(a.getOrDefault("lr", "0.1"));
        double beta = Double.parseDouble(a.getOrDefault("beta", "0.9"));
        double lrMin = Double.parseDouble(a.getOrDefault("lrMin", String.valueOf(1e-6 * lr)));
        // ema=D1,D2,...: several averages of the one trajectory, for paired comparisons of the decays
        // D:W = decay D with warm-up constant W (ParameterAverage; default 10)
        String[] emaSpecs = java.util.Arrays.stream(a.getOrDefault("ema", "0").split(","))
                .filter(d -> Double.parseDouble(d.split(":")[0]) > 0).toArray(String[]::new);
        double w1Scale = Double.parseDouble(a.getOrDefault("w1Scale", "1"));
        double weightDecay = Double.parseDouble(a.getOrDefault("wd", "0"));
        double evalEvery = Double.parseDouble(a.getOrDefault("evalEvery", "1"));
        double q = batch / (double) n;
        long steps = (long) Math.floor(epochs * n / batch); // as dp-train: T = floor(E N / B)
        boolean aug = a.getOrDefault("aug", "off").equals("hflip");
        DpModel model = switch (modelName) {
            case "mlp" -> new Mlp(dim, new int[] {hidden}, Mlp.Activation.RELU, 10);
            case "mlp-tanh" -> new Mlp(dim, new int[] {hidden}, Mlp.Activation.TANH, 10);
            case "softmax" -> aug ? new FlipAveragedSoftmax(dim, 10) : new SoftmaxRegression(dim, 10);
            default -> throw new IllegalArgumentException("model must be mlp, mlp-tanh or softmax, got " + modelName);
        };
        // augmentation multiplicity trains on [f(x), f(flip x)] rows; the test rows are f(x), for the base model
        DpModel evalModel = model instanceof FlipAveragedSoftmax fa ? fa.base() : model;
        LearningRateSchedule schedule = switch (a.getOrDefault("schedule", "constant")) {
            case "constant" -> LearningRateSchedule.constant(lr);
            case "cosine" -> LearningRateSchedule.cosine(lr, lrMin, steps);
            default -> throw new IllegalArgumentException("schedule must be constant or cosine");
        };
        Optimizer opt = switch (a.getOrDefault("opt", "momentum")) {
            case "momentum" -> new Momentum(schedule, beta);
            case "adam" -> Adam.withDefaults(lr);
            case "sgd" -> new Sgd(lr);
            default -> throw new IllegalArgumentException("opt must be sgd, momentum or adam");
        };
        ParameterAverage[] emas = new ParameterAverage[emaSpecs.length];
        for (int i = 0; i < emas.length; i++) {
            String[] dw = emaSpecs[i].split(":");
            emas[i] = new ParameterAverage(Double.parseDouble(dw[0]),
                    dw.length > 1 ? Double.parseDouble(dw[1]) : ParameterAverage.DEFAULT_WARMUP);
        }
        System.out.printf("config %s; q %.6f, steps %d, noise std on the mean gradient %.3g%n", a, q, steps,
                sigma * clipNorm / (q * n));

        ClipBudget clip = switch (a.getOrDefault("loss", "off")) {
            case "off" -> ClipBudget.withoutLossTracking(clipNorm);
            case "on" -> ClipBudget.withDefaultLossTracking(clipNorm); // as dp-train --loss-estimate on
            default -> throw new IllegalArgumentException("loss must be on or off");
        };
        DriverUpdate update = new DriverUpdate(model, clip, sigma, q * n, SecureGaussianNoise.create(), opt);
        PoissonSampler sampler = new PoissonSampler(q);
        CsprngStream[] rngs = new CsprngStream[parts.length];
        for (int i = 0; i < rngs.length; i++) {
            rngs[i] = CsprngStream.fromSecureRandom();
        }
        double[] params = model.initialParams(rngs[0]);
        if (model instanceof Mlp) {
            for (int i = 0; i < dim * hidden; i++) { // W_1 comes first in the Mlp layout
                params[i] *= w1Scale;
            }
        }
        long start = System.nanoTime();
        long evalSteps = Math.max(1, Math.round(evalEvery / q));
        double[][] sums = new double[parts.length][model.numParams() + 1];
        for (long t = 1; t <= steps; t++) {
            final double[] current = params;
            IntStream.range(0, parts.length).parallel().forEach(i -> {
                java.util.Arrays.fill(sums[i], 0.0);
                ClippedSumKernel.accumulate(model, current, parts[i][0], parts[i][1], parts[i][1].length, sampler,
                        rngs[i], clip, sums[i]);
            });
            for (int i = 1; i < sums.length; i++) {
                for (int j = 0; j < sums[0].length; j++) {
                    sums[0][j] += sums[i][j];
                }
            }
            update.apply(params, sums[0]);
            if (weightDecay > 0) {
                // decoupled weight decay (Loshchilov and Hutter, ICLR 2019): data-independent, no privacy cost
                double shrink = 1.0 - schedule.rate(t - 1) * weightDecay;
                for (int i = 0; i < params.length; i++) {
                    params[i] *= shrink;
                }
            }
            for (ParameterAverage ema : emas) {
                ema.update(params);
            }
            if (t % evalSteps == 0 || t == steps) {
                System.out.printf("step %d/%d (epoch %.1f): test accuracy %.4f%s, %.0f s%n", t, steps, t * q,
                        accuracy(evalModel, params, test, dim), emaAccuracies(emaSpecs, emas, evalModel, test, dim),
                        (System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf("final %s: test accuracy %.4f%s%n", a, accuracy(evalModel, params, test, dim),
                emaAccuracies(emaSpecs, emas, evalModel, test, dim));
    }

    private static String emaAccuracies(String[] decays, ParameterAverage[] emas, DpModel model, double[][] test,
            int dim) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < emas.length; i++) {
            s.append(String.format(emas.length == 1 ? ", ema %3$.4f" : ", ema %2$s %3$.4f", i, decays[i],
                    accuracy(model, emas[i].average(), test, dim)));
        }
        return s.toString();
    }

    /**
     * Prototype: the 2-D DCT-II (orthonormal) of each 28 x 28 image, keeping the k x k lowest frequencies,
     * row-major in (u, v): X[u][v] = sum_{i,j} c_u c_v x[i][j] cos(pi (2i+1) u / 56) cos(pi (2j+1) v / 56),
     * c_0 = sqrt(1/28), c_u = sqrt(2/28) (Ahmed, Natarajan, Rao 1974).
     */
    static double[] lowPassDct(double[] x, int k) {
        int s = 28;
        double[][] c = new double[k][s];
        for (int u = 0; u < k; u++) {
            double cu = u == 0 ? Math.sqrt(1.0 / s) : Math.sqrt(2.0 / s);
            for (int i = 0; i < s; i++) {
                c[u][i] = cu * Math.cos(Math.PI * (2 * i + 1) * u / (2.0 * s));
            }
        }
        int n = x.length / 784;
        double[] out = new double[n * k * k];
        double[] tmp = new double[k * s];
        for (int e = 0; e < n; e++) {
            int base = e * 784;
            java.util.Arrays.fill(tmp, 0);
            for (int u = 0; u < k; u++) { // tmp[u][j] = sum_i c[u][i] x[i][j]
                for (int i = 0; i < s; i++) {
                    double w = c[u][i];
                    for (int j = 0; j < s; j++) {
                        tmp[u * s + j] += w * x[base + i * s + j];
                    }
                }
            }
            for (int u = 0; u < k; u++) {
                for (int v = 0; v < k; v++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) {
                        acc += tmp[u * s + j] * c[v][j];
                    }
                    out[e * k * k + u * k + v] = acc;
                }
            }
        }
        return out;
    }

    /**
     * The fixed pointwise map of key pre: off (null), log:EPS = log(1 + x / EPS) (Oyallon and Mallat's
     * log-scattering), pow:P = x^P. Scattering coefficients are low-passed moduli, but not quite >= 0 (presumably
     * because the low-pass at levels r > 0 has frequencies cut, as in Kymatio): on Fashion-MNIST about 0.2% of the
     * order-1 and 0.1% of the order-2 coefficients are negative, down to -2.6e-4; they are taken as 0 first.
     * Data-independent: no privacy cost.
     */
    static DoubleUnaryOperator pointwise(String pre) {
        if (pre.equals("off")) {
            return null;
        }
        double v = pre.startsWith("log:") || pre.startsWith("pow:") ? Double.parseDouble(pre.substring(4)) : 0;
        if (!(v > 0)) {
            throw new IllegalArgumentException("pre must be off, log:EPS or pow:P with EPS, P > 0, got " + pre);
        }
        return pre.startsWith("log:") ? x -> Math.log1p(Math.max(x, 0) / v) : x -> Math.pow(Math.max(x, 0), v);
    }

    /**
     * Scattering features of every 28 x 28 image, then the pointwise map pre (if not null), then GroupNorm (eps
     * 1e-5) if groups > 0; in parallel.
     */
    static double[] scatter(Scattering2D s, double[] x, DoubleUnaryOperator pre, int groups) {
        int n = x.length / 784;
        int d = s.outputSize();
        double[] out = new double[n * d];
        int spatial = s.outputHeight() * s.outputWidth();
        IntStream.range(0, n).parallel().forEach(e -> {
            s.apply(x, e * 784, out, e * d);
            if (pre != null) {
                for (int i = e * d; i < (e + 1) * d; i++) {
                    out[i] = pre.applyAsDouble(out[i]);
                }
            }
            if (groups > 0) {
                GroupNorm.apply(out, e * d, s.channels(), spatial, groups, 1e-5);
            }
        });
        return out;
    }

    /**
     * Fewer order-2 coordinates, after the normalization (a fixed map, no privacy cost): {@code drop} removes the
     * order-2 channels, {@code pool:P} sums each order-2 channel over P x P spatial windows (divided by P, so an
     * orthonormal map of the window's mean direction), keeping orders 0 and 1 whole.
     */
    static double[] orderTwo(double[] x, Scattering2D scat, String spec) {
        int h = scat.outputHeight();
        int w = scat.outputWidth();
        int spatial = h * w;
        int channels = scat.channels();
        int first2 = 1 + scat.j() * scat.l();
        int p = spec.equals("drop") ? 0 : Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
        int ph = p == 0 ? 0 : (h + p - 1) / p;
        int pw = p == 0 ? 0 : (w + p - 1) / p;
        int d = channels * spatial;
        int dOut = first2 * spatial + (channels - first2) * ph * pw;
        int n = x.length / d;
        double[] out = new double[n * dOut];
        IntStream.range(0, n).parallel().forEach(e -> {
            System.arraycopy(x, e * d, out, e * dOut, first2 * spatial);
            int o = e * dOut + first2 * spatial;
            for (int c = first2; c < channels && p > 0; c++) {
                int base = e * d + c * spatial;
                for (int bi = 0; bi < ph; bi++) {
                    for (int bj = 0; bj < pw; bj++) {
                        double sum = 0;
                        for (int i = bi * p; i < Math.min(h, bi * p + p); i++) {
                            for (int j = bj * p; j < Math.min(w, bj * p + p); j++) {
                                sum += x[base + i * w + j];
                            }
                        }
                        out[o++] = sum / p;
                    }
                }
            }
        });
        return out;
    }

    /** Every 28 x 28 image of x mirrored left-right. */
    static double[] flipAll(double[] x) {
        double[] out = new double[x.length];
        for (int e = 0; e < x.length / 784; e++) {
            FlipSymmetry.flipImage(x, e * 784, 28, 28, out, e * 784);
        }
        return out;
    }

    /**
     * Flip-symmetric features from f(x) and f(flip x) (both scattering then group norm, per example): reduce =
     * the P-orbit coordinates of their mean ({@link FlipSymmetry#reduce}, about half the features), else the mean
     * itself (invariant, full size). A fixed, data-independent map: no privacy cost.
     */
    static double[] symmetric(FlipSymmetry fs, double[] f, double[] fFlip, boolean reduce) {
        int d = fs.inputSize();
        int n = f.length / d;
        int out = reduce ? fs.reducedSize() : d;
        double[] y = new double[n * out];
        IntStream.range(0, n).parallel().forEach(e -> {
            if (reduce) {
                fs.reduce(f, e * d, fFlip, e * d, y, e * out);
            } else {
                fs.symmetrize(f, e * d, fFlip, e * d, y, e * out);
            }
        });
        return y;
    }

    /**
     * Data normalization of the scattering channels with dp-core's {@link ChannelNormalization}, as dp-train's
     * {@code --normalize}: {@code exact} / {@code zca} (standardization / whitening from statistics without noise, eps
     * 1e-5; {@code zca:EPS}), or private: {@code dp:SIGMA,CM,CS} (standardization) and {@code zcadp:SIGMA,CM,CS,EPS}
     * (whitening), the contributions clipped to CM and CS.
     */
    static void normalize(double[] train, double[] test, int channels, int spatial, String norm) {
        boolean whiten = norm.startsWith("zca");
        boolean exact = norm.equals("exact") || norm.equals("zca") || norm.startsWith("zca:");
        String[] p = exact ? new String[0] : norm.substring(norm.indexOf(':') + 1).split(",");
        double sigma = exact ? 1 : Double.parseDouble(p[0]);
        double[][] norms = !exact && (p[1].startsWith("q") || p[2].startsWith("q"))
                ? exampleNorms(train, channels, spatial) : null;
        double cm = exact ? Double.MAX_VALUE : bound(p[1], norms == null ? null : norms[0]);
        double cs = exact ? Double.MAX_VALUE : bound(p[2], norms == null ? null : norms[1]);
        if (norms != null) {
            System.out.printf("bounds from quantiles: CM %s = %.4g, CS %s = %.4g%n", p[1], cm, p[2], cs);
        }
        double eps = norm.startsWith("zca:") ? Double.parseDouble(norm.substring(4))
                : norm.startsWith("zcadp:") ? Double.parseDouble(p[3]) : 1e-5;
        Noise noise = exact ? new Noise() {
            @Override
            public void addTo(double[] v, double std) {
            }

            @Override
            public double sample(double std) {
                return 0;
            }
        } : SecureGaussianNoise.create();
        int d = channels * spatial;
        int n = train.length / d;
        double[] sums = new double[whiten ? ChannelNormalization.momentsLength(channels) : 2 * channels];
        for (int e = 0; e < n; e++) {
            if (whiten) {
                ChannelNormalization.contributeMoments(train, e * d, channels, spatial, cm, cs, sums);
            } else {
                ChannelNormalization.contribute(train, e * d, channels, spatial, cm, cs, sums);
            }
        }
        ChannelNormalization.ChannelMap map = whiten
                ? ChannelNormalization.releaseWhitening(sums, n, sigma, cm, cs, eps, noise)
                : ChannelNormalization.release(sums, n, sigma, cm, cs, noise);
        System.out.printf("data normalization %s: %s%n", norm, map);
        for (double[] x : new double[][] {train, test}) {
            IntStream.range(0, x.length / d).parallel().forEach(e -> map.apply(x, e * d, spatial));
        }
    }

    /**
     * prescale=A1,A2: multiplies the order-1 channels by A1 and the order-2 channels by A2 (order 0 unchanged), train
     * and test alike, before the data normalization: a fixed diagonal map, no privacy cost. Whitening is equivariant
     * to it up to a rotation (and eps), but the released second moments' noise is not: it lifts the small order-2
     * directions above the noise floor. Prints the quantiles of the per-example mean and moment norms (what the
     * bounds CM and CS clip) after the scaling, on every 10th training example.
     */
    static void prescale(double[] train, double[] test, Scattering2D scat, String spec) {
        String[] p = spec.split(",");
        double a1 = Double.parseDouble(p[0]);
        double a2 = Double.parseDouble(p[1]);
        int channels = scat.channels();
        int spatial = scat.outputHeight() * scat.outputWidth();
        int first2 = 1 + scat.j() * scat.l();
        int d = channels * spatial;
        for (double[] x : new double[][] {train, test}) {
            IntStream.range(0, x.length / d).parallel().forEach(e -> {
                for (int c = 1; c < channels; c++) {
                    double f = c < first2 ? a1 : a2;
                    for (int q = 0; q < spatial; q++) {
                        x[e * d + c * spatial + q] *= f;
                    }
                }
            });
        }
        double[][] norms = exampleNorms(train, channels, spatial);
        double[] meanNorm = norms[0];
        double[] momentNorm = norms[1];
        int m = meanNorm.length;
        System.out.printf("prescale %s: per-example mean norm p50 %.4g p90 %.4g p99 %.4g max %.4g; moment norm p50 %.4g"
                + " p90 %.4g p99 %.4g max %.4g%n", spec, meanNorm[m / 2], meanNorm[m * 9 / 10], meanNorm[m * 99 / 100],
                meanNorm[m - 1], momentNorm[m / 2], momentNorm[m * 9 / 10], momentNorm[m * 99 / 100], momentNorm[m - 1]);
    }

    /** Sorted per-example channel-mean norms and second-moment-triangle norms, on every 10th training example. */
    static double[][] exampleNorms(double[] train, int channels, int spatial) {
        int d = channels * spatial;
        int n = train.length / d;
        int m = (n + 9) / 10;
        double[] meanNorm = new double[m];
        double[] momentNorm = new double[m];
        IntStream.range(0, m).parallel().forEach(i -> {
            int e = 10 * i;
            double[] mu = new double[channels];
            double[] tri = new double[channels * (channels + 1) / 2];
            for (int q = 0; q < spatial; q++) {
                int k = 0;
                for (int c = 0; c < channels; c++) {
                    double v = train[e * d + c * spatial + q];
                    mu[c] += v / spatial;
                    for (int b = 0; b <= c; b++) {
                        tri[k++] += v * train[e * d + b * spatial + q] / spatial;
                    }
                }
            }
            double mm = 0;
            for (double v : mu) {
                mm += v * v;
            }
            double tt = 0;
            for (double v : tri) {
                tt += v * v;
            }
            meanNorm[i] = Math.sqrt(mm);
            momentNorm[i] = Math.sqrt(tt);
        });
        Arrays.sort(meanNorm);
        Arrays.sort(momentNorm);
        return new double[][] {meanNorm, momentNorm};
    }

    /** A bound given as a number, or as qF: the F-quantile of the sorted norms (a public-benchmark hyperparameter). */
    static double bound(String spec, double[] sortedNorms) {
        if (spec.startsWith("q")) {
            double f = Double.parseDouble(spec.substring(1));
            return sortedNorms[Math.min(sortedNorms.length - 1, (int) (f * sortedNorms.length))];
        }
        return Double.parseDouble(spec);
    }

    /** Prototype: 2 x 2 pooling, 28 x 28 to 14 x 14, scaled by 2 (the orthonormal Haar low-pass band). */
    static double[] pool2(double[] x) {
        int n = x.length / 784;
        double[] out = new double[n * 196];
        for (int e = 0; e < n; e++) {
            for (int i = 0; i < 14; i++) {
                for (int j = 0; j < 14; j++) {
                    int b = e * 784 + 2 * i * 28 + 2 * j;
                    out[e * 196 + i * 14 + j] = (x[b] + x[b + 1] + x[b + 28] + x[b + 29]) / 2; // orthonormal Haar low-pass
                }
            }
        }
        return out;
    }

    static double accuracy(DpModel m, double[] params, double[][] data, int dim) {
        double[] p = new double[10];
        double[] scratch = new double[m.scratchSize()];
        int correct = 0;
        int n = data[1].length;
        for (int i = 0; i < n; i++) {
            m.predict(params, data[0], i * dim, p, scratch);
            int best = 0;
            for (int k = 1; k < 10; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            correct += best == (int) data[1][i] ? 1 : 0;
        }
        return correct / (double) n;
    }
}
