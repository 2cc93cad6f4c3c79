/**
 * Reading training data into Spark and packing it for DP-SGD.
 *
 * <p>Flow (once per job, in the driver; see ARCHITECTURE.md "One DP-SGD step"):
 * {@link org.dpspark.datasets.DataReader#read} returns the raw columns (nothing encoded or fitted);
 * {@link org.dpspark.datasets.validate.DatasetValidator#validate} checks them against a declared
 * {@link org.dpspark.datasets.spec.FeatureSpec} in one Spark pass and counts N;
 * {@link org.dpspark.datasets.BlockPacker#pack} encodes each partition into one {@link org.dpspark.datasets.DenseBlock}
 * (the trainer caches these). {@link org.dpspark.datasets.InputFingerprint} hashes the input files for the privacy
 * ledger and model provenance; {@link org.dpspark.datasets.SyntheticData} provides data for demos and tests.
 * {@link org.dpspark.datasets.MnistReader} reads MNIST's IDX files (raw or gzip) into a vector column;
 * LibSVM text goes through Spark's "libsvm" source ({@link org.dpspark.datasets.DataReader#readLibsvm}).
 *
 * <p>Privacy units: a {@link org.dpspark.datasets.DenseBlock} is row level (each row a unit) or grouped by user
 * ({@link org.dpspark.datasets.DenseBlock#userStarts()}); the package {@code org.dpspark.datasets.users} bounds and
 * co-locates each user's rows before packing. {@link org.dpspark.datasets.FederatedSplit} assigns MNIST's images to
 * federated users (McMahan et al. 2017), and {@link org.dpspark.datasets.SyntheticData#customers} generates a
 * per-user table.
 *
 * <p>Nothing here logs data values; error messages name columns, problems, counts and row numbers only.
 */
package org.dpspark.datasets;
