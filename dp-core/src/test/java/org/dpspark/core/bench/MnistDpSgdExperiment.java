package org.dpspark.core.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.model.SoftmaxRegression;
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
 * to lrMin over the run), lrMin (1e-6 * lr), ema (0 = none; else the {@link ParameterAverage} decay), xscale (1),
 * w1Scale (1: multiplies the MLP's initial first-layer weights), wd (0: decoupled weight decay, params *= 1 - lr_t wd
 * after each step), evalEvery (epochs between test evaluations, 1).
 */
public final class MnistDpSgdExperiment {

    private static final Set<String> KEYS = Set.of("dir", "model", "hidden", "batch", "epochs", "sigma", "clip",
            "opt", "lr", "beta", "schedule", "lrMin", "ema", "xscale", "w1Scale", "wd", "evalEvery");

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
        Path dir = Path.of(a.getOrDefault("dir", "../shared/datasets/mnist"));
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
        double emaDecay = Double.parseDouble(a.getOrDefault("ema", "0"));
        double xscale = Double.parseDouble(a.getOrDefault("xscale", "1"));
        double w1Scale = Double.parseDouble(a.getOrDefault("w1Scale", "1"));
        double weightDecay = Double.parseDouble(a.getOrDefault("wd", "0"));
        double evalEvery = Double.parseDouble(a.getOrDefault("evalEvery", "1"));

        double[][] train = read(dir, "train", xscale);
        double[][] test = read(dir, "t10k", xscale);
        int n = train[1].length;
        double q = batch / (double) n;
        long steps = (long) Math.floor(epochs * n / batch); // as dp-train: T = floor(E N / B)
        DpModel model = switch (modelName) {
            case "mlp" -> new Mlp(784, new int[] {hidden}, Mlp.Activation.RELU, 10);
            case "mlp-tanh" -> new Mlp(784, new int[] {hidden}, Mlp.Activation.TANH, 10);
            case "softmax" -> new SoftmaxRegression(784, 10);
            default -> throw new IllegalArgumentException("model must be mlp, mlp-tanh or softmax, got " + modelName);
        };
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
        ParameterAverage ema = emaDecay > 0 ? new ParameterAverage(emaDecay) : null;
        System.out.printf("config %s; q %.6f, steps %d, noise std on the mean gradient %.3g%n", a, q, steps,
                sigma * clipNorm / (q * n));

        ClipBudget clip = ClipBudget.withoutLossTracking(clipNorm);
        DriverUpdate update = new DriverUpdate(model, clip, sigma, q * n, SecureGaussianNoise.create(), opt);
        PoissonSampler sampler = new PoissonSampler(q);
        CsprngStream rng = CsprngStream.fromSecureRandom();
        double[] params = model.initialParams(rng);
        if (model instanceof Mlp) {
            for (int i = 0; i < 784 * hidden; i++) { // W_1 comes first in the Mlp layout
                params[i] *= w1Scale;
            }
        }
        long start = System.nanoTime();
        long evalSteps = Math.max(1, Math.round(evalEvery / q));
        for (long t = 1; t <= steps; t++) {
            double[] sum = new double[model.numParams() + 1];
            ClippedSumKernel.accumulate(model, params, train[0], train[1], n, sampler, rng, clip, sum);
            update.apply(params, sum);
            if (weightDecay > 0) {
                // decoupled weight decay (Loshchilov and Hutter, ICLR 2019): data-independent, no privacy cost
                double shrink = 1.0 - schedule.rate(t - 1) * weightDecay;
                for (int i = 0; i < params.length; i++) {
                    params[i] *= shrink;
                }
            }
            if (ema != null) {
                ema.update(params);
            }
            if (t % evalSteps == 0 || t == steps) {
                System.out.printf("step %d/%d (epoch %.1f): test accuracy %.4f%s, %.0f s%n", t, steps, t * q,
                        accuracy(model, params, test),
                        ema == null ? "" : String.format(", ema %.4f", accuracy(model, ema.average(), test)),
                        (System.nanoTime() - start) / 1e9);
            }
        }
    }

    static double accuracy(DpModel m, double[] params, double[][] data) {
        double[] p = new double[10];
        double[] scratch = new double[m.scratchSize()];
        int correct = 0;
        int n = data[1].length;
        for (int i = 0; i < n; i++) {
            m.predict(params, data[0], i * 784, p, scratch);
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
