package org.dpspark.core.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.model.SoftmaxRegression;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.core.optim.Adam;
import org.dpspark.core.optim.Momentum;
import org.dpspark.core.optim.Optimizer;
import org.dpspark.core.optim.Sgd;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.sampling.PoissonSampler;
import org.dpspark.core.step.ClippedSumKernel;
import org.dpspark.core.step.DriverUpdate;

/**
 * Single-machine DP-SGD on MNIST with the dp-core pieces only (Poisson sampling, fused clipping, secure noise,
 * optimizer), to explore hyperparameters for the models before the Spark trainer uses them. Not a test. The
 * noise multiplier is an argument: compute it for (epsilon, delta, q, steps) with the accountant's
 * NoiseCalibration. Pixels are scaled to [0, 1] as the built-in "mnist" feature spec does.
 * <pre>
 * java -cp dp-core/target/classes:dp-core/target/test-classes org.dpspark.core.bench.MnistDpSgdExperiment \
 *     ../shared/datasets/mnist mlp 256 512 30 1.3127 1.0 momentum 0.5
 * </pre>
 * args: mnistDir model(softmax|mlp|mlp-tanh) hidden batch epochs sigma clipNorm optimizer(sgd|momentum|adam) lr
 */
public final class MnistDpSgdExperiment {

    private MnistDpSgdExperiment() {
    }

    static double[][] read(Path dir, String prefix) throws IOException {
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
            x[i] = (im[16 + i] & 0xff) / 255.0;
        }
        for (int i = 0; i < n; i++) {
            y[i] = lb[8 + i] & 0xff;
        }
        return new double[][] {x, y};
    }

    public static void main(String[] a) throws IOException {
        Path dir = Path.of(a[0]);
        int hidden = Integer.parseInt(a[2]);
        int batch = Integer.parseInt(a[3]);
        double epochs = Double.parseDouble(a[4]);
        double sigma = Double.parseDouble(a[5]);
        double clipNorm = Double.parseDouble(a[6]);
        double lr = Double.parseDouble(a[8]);
        double[][] train = read(dir, "train");
        double[][] test = read(dir, "t10k");
        int n = train[1].length;
        DpModel model = a[1].startsWith("mlp") ? new Mlp(784, new int[] {hidden},
                a[1].equals("mlp-tanh") ? Mlp.Activation.TANH : Mlp.Activation.RELU, 10)
                : new SoftmaxRegression(784, 10);
        Optimizer opt = switch (a[7]) {
            case "momentum" -> new Momentum(lr, 0.9);
            case "adam" -> Adam.withDefaults(lr);
            default -> new Sgd(lr);
        };
        double q = batch / (double) n;
        long steps = (long) Math.ceil(epochs / q);
        ClipBudget clip = ClipBudget.withoutLossTracking(clipNorm);
        DriverUpdate update = new DriverUpdate(model, clip, sigma, q * n, SecureGaussianNoise.create(), opt);
        PoissonSampler sampler = new PoissonSampler(q);
        CsprngStream rng = CsprngStream.fromSecureRandom();
        double[] params = model.initialParams(rng);
        long start = System.nanoTime();
        long perEpoch = Math.round(1 / q);
        for (long t = 1; t <= steps; t++) {
            double[] sum = new double[model.numParams() + 1];
            ClippedSumKernel.accumulate(model, params, train[0], train[1], n, sampler, rng, clip, sum);
            update.apply(params, sum);
            if (t % perEpoch == 0 || t == steps) {
                System.out.printf("step %d/%d (epoch %.1f): test accuracy %.4f, %.0f s%n", t, steps, t * q,
                        accuracy(model, params, test), (System.nanoTime() - start) / 1e9);
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
