/**
 * Declared feature specifications and the DP-safe row encoding they define.
 *
 * <p>A {@link org.dpspark.datasets.spec.FeatureSpec} fixes, before any private data is read, how every input column
 * becomes a part of the feature vector: numeric columns are clipped to public bounds and scaled to [0, 1] (linearly,
 * by log1p, or by the signed log1p for amounts of either sign); a comparison of a column with a declared constant
 * ({@link org.dpspark.datasets.spec.IndicatorFeature}) gives a 0/1 coordinate; categorical
 * columns are one-hot encoded against a public vocabulary; vector columns (ML vectors, arrays) of a declared size are
 * clipped and scaled element by element, then optionally passed through a fixed public transform (the low-frequency
 * 2-D DCT of an image, {@link org.dpspark.datasets.spec.LowPassDct}, or its scattering features,
 * {@link org.dpspark.datasets.spec.ScatterTransform}). Nothing is fitted on the data, so the encoding itself
 * leaks nothing (fitting a scaler, a vocabulary or quantiles on private data would; see Abadi et al. 2016, section 3,
 * on treating preprocessing as part of the mechanism). Because every numeric or indicator coordinate lies in [0, 1]
 * and every one-hot block has at most one 1, an encoded row's L2 norm is at most
 * {@code sqrt(#numeric + #indicators + #one-hot blocks + sum of squared vector bounds)} (a vector's bound is
 * sqrt(size), or its transform's), counting a column once per feature it
 * feeds ({@link org.dpspark.datasets.spec.FeatureSpec#normBound()}). The label is
 * binary, a class index in [0, K), or a regression value clipped to declared bounds.
 *
 * <p>A spec may declare the privacy unit: {@code "user": {"column": ...}} names the column whose value is the person
 * a row belongs to ({@link org.dpspark.datasets.spec.FeatureSpec#userColumn()}); that column is never encoded. It may
 * also declare the CSV dialect of its inputs ({@link org.dpspark.datasets.spec.CsvFormat}) and an {@code identifiers}
 * section ({@link org.dpspark.datasets.spec.Identifiers}) saying what data preparation drops, pseudonymizes, masks and
 * generalizes.
 *
 * <p>{@link org.dpspark.datasets.spec.RowEncoder} applies a spec to Spark rows; the validator uses the same parsing
 * code, so validation and encoding cannot disagree about what a valid value is.
 */
package org.dpspark.datasets.spec;
