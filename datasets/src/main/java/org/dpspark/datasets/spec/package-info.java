/**
 * Declared feature specifications and the DP-safe row encoding they define.
 *
 * <p>A {@link org.dpspark.datasets.spec.FeatureSpec} fixes, before any private data is read, how every input column
 * becomes a part of the feature vector: numeric columns are clipped to public bounds and scaled to [0, 1]; categorical
 * columns are one-hot encoded against a public vocabulary; vector columns (ML vectors, arrays) of a declared size are
 * clipped and scaled element by element, then optionally passed through a fixed public transform (the low-frequency
 * 2-D DCT of an image, {@link org.dpspark.datasets.spec.LowPassDct}). Nothing is fitted on the data, so the encoding itself
 * leaks nothing (fitting a scaler, a vocabulary or quantiles on private data would; see Abadi et al. 2016, section 3,
 * on treating preprocessing as part of the mechanism). Because every numeric coordinate lies in [0, 1] and every
 * one-hot block has at most one 1, an encoded row's L2 norm is at most {@code sqrt(#numeric + #one-hot blocks + sum of vector sizes)}. The label is
 * binary, a class index in [0, K), or a regression value clipped to declared bounds.
 *
 * <p>A spec may declare the privacy unit: {@code "user": {"column": ...}} names the column whose value is the person
 * a row belongs to ({@link org.dpspark.datasets.spec.FeatureSpec#userColumn()}); that column is never encoded.
 *
 * <p>{@link org.dpspark.datasets.spec.RowEncoder} applies a spec to Spark rows; the validator uses the same parsing
 * code, so validation and encoding cannot disagree about what a valid value is.
 */
package org.dpspark.datasets.spec;
