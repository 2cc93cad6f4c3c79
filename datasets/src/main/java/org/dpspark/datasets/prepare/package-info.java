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
 * <p>Error messages never contain a key or a value being protected: they name the parameter or the hierarchy.
 * The classes are plain Java (no Spark), so they can run inside any Spark function.
 */
package org.dpspark.datasets.prepare;
