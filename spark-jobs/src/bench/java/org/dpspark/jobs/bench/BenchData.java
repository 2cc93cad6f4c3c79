package org.dpspark.jobs.bench;

import java.util.SplittableRandom;

/**
 * Synthetic benchmark inputs for logistic regression kernels (benchmark data only: a SplittableRandom, seeded
 * so that runs compare like with like; nothing here is private data or DP noise).
 */
final class BenchData {

    private BenchData() {}

    /** d weights and a bias, uniform in [-0.1, 0.1). */
    static double[] parameters(int d, SplittableRandom r) {
        double[] params = new double[d + 1];
        for (int j = 0; j <= d; j++) {
            params[j] = r.nextDouble(-0.1, 0.1);
        }
        return params;
    }

    /** rows x d features, row-major, uniform in [0, 1). */
    static double[] features(int rows, int d, SplittableRandom r) {
        double[] features = new double[rows * d];
        for (int i = 0; i < features.length; i++) {
            features[i] = r.nextDouble();
        }
        return features;
    }

    /** rows labels, each 0 or 1 with probability 1/2. */
    static double[] labels(int rows, SplittableRandom r) {
        double[] labels = new double[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextBoolean() ? 1.0 : 0.0;
        }
        return labels;
    }
}
