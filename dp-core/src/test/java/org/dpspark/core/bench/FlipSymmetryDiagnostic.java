package org.dpspark.core.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.dpspark.core.features.FlipSymmetry;
import org.dpspark.core.features.GroupNorm;
import org.dpspark.core.features.Scattering2D;

/**
 * How far the flip's feature permutation P is from exact on real images: over the first n training images of dir,
 * ||f(flip x) - P f(x)|| / ||f(x)|| and the share of ||sym(x)||^2 that {@link FlipSymmetry#reduce} keeps, with f
 * the scattering (J = 2, L = 8) alone and followed by the group norm (27 groups). Not a test.
 * <pre>java -cp ... org.dpspark.core.bench.FlipSymmetryDiagnostic /usr/share/datasets/fashion-mnist 2000</pre>
 */
public final class FlipSymmetryDiagnostic {

    private FlipSymmetryDiagnostic() {
    }

    public static void main(String[] args) throws IOException {
        double[] x = MnistDpSgdExperiment.read(Path.of(args[0]), "train", 1)[0];
        int n = Integer.parseInt(args[1]);
        Scattering2D s = new Scattering2D(28, 28, 2, 8);
        FlipSymmetry fs = new FlipSymmetry(s);
        int[] p = fs.permutation();
        int d = s.outputSize();
        for (boolean gn : new boolean[] {false, true}) {
            double relErr = 0;
            double kept = 0;
            double[] f = new double[d];
            double[] ff = new double[d];
            double[] xf = new double[784];
            double[] r = new double[fs.reducedSize()];
            for (int e = 0; e < n; e++) {
                FlipSymmetry.flipImage(x, e * 784, 28, 28, xf, 0);
                s.apply(x, e * 784, f, 0);
                s.apply(xf, 0, ff, 0);
                if (gn) {
                    GroupNorm.apply(f, 0, 81, 49, 27, 1e-5);
                    GroupNorm.apply(ff, 0, 81, 49, 27, 1e-5);
                }
                double err = 0;
                double nf = 0;
                double sym = 0;
                for (int i = 0; i < d; i++) {
                    double diff = ff[p[i]] - f[i];
                    err += diff * diff;
                    nf += f[i] * f[i];
                    double m = 0.5 * (f[i] + ff[i]);
                    sym += m * m;
                }
                fs.reduce(f, 0, ff, 0, r, 0);
                double red = 0;
                for (double v : r) {
                    red += v * v;
                }
                relErr += Math.sqrt(err / nf);
                kept += red / sym;
            }
            System.out.printf("group norm %s: mean ||f(flip x) - P f(x)|| / ||f(x)|| %.4f; mean share of ||sym||^2"
                    + " kept by the reduction %.4f (%d images)%n", gn, relErr / n, kept / n, n);
        }
    }
}
