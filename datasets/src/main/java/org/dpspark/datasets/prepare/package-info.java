/**
 * Building blocks of {@code dp-prepare} (issue 15): pseudonymization, masking and generalization of identifiers
 * before training, and a k-anonymity check over quasi-identifiers.
 *
 * <p>None of these is a differential-privacy mechanism. Pseudonymization ({@link
 * org.dpspark.datasets.prepare.Pseudonymizer}, a keyed HMAC) hides identifiers from whoever does not hold the key
 * but keeps rows linkable; masking ({@link org.dpspark.datasets.prepare.Masking}) and generalization ({@link
 * org.dpspark.datasets.prepare.Generalization}, declared public hierarchies, nothing fitted on the data) coarsen
 * values; {@link org.dpspark.datasets.prepare.KAnonymity} measures equivalence classes (Sweeney 2002). The DP
 * guarantee still comes only from training; these reduce what the prepared data set itself exposes.
 *
 * <p>{@link org.dpspark.datasets.prepare.Preparation} applies a feature spec's identifiers section to a Spark
 * table (one cached pass, checks, exact k-anonymity statistics and suppression); {@link
 * org.dpspark.datasets.prepare.PseudonymKey} loads the pseudonym key from a file, an environment variable or a
 * Hadoop credential provider, never from the command line.
 *
 * <p>Error messages never contain a key or a value being protected: they name the parameter or the hierarchy.
 * The building blocks are plain Java (no Spark), so they can run inside any Spark function.
 */
package org.dpspark.datasets.prepare;
