package org.dpspark.core.noise;

/**
 * Additive Gaussian noise. Implementations reject a std that is NaN, infinite or negative; std == 0 adds nothing.
 */
public interface Noise {

    /** adds independent N(0, std^2) to every coordinate of v */
    void addTo(double[] v, double std);

    /** Returns one draw from N(0, std^2). */
    double sample(double std);
}
