package org.dpspark.datasets.spec;

import java.io.Serializable;

/**
 * One input column's contribution to the feature vector.
 *
 * <p>Implementations validate themselves on construction; error messages name the column.
 */
public sealed interface FeatureColumn extends Serializable permits NumericFeature, OneHotFeature, VectorFeature,
        IndicatorFeature {

    /** The input column this feature is read from (exact, case-sensitive name). */
    String column();

    /** How many coordinates of the feature vector this feature occupies. */
    int width();
}
