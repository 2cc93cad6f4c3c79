/**
 * Additively homomorphic encryption for encrypted aggregation (issue 13): {@link org.dpspark.core.he.Paillier}
 * (Paillier 1999 with {@code g = N + 1}, CRT decryption) on the JDK's {@link java.math.BigInteger}, and {@link
 * org.dpspark.core.he.PackedEncoding}, which packs many signed integer coordinates into one plaintext so that the
 * product of the parties' ciphertexts decrypts to the coordinate-wise sums. Plain Java, no Spark; nothing here
 * logs or prints keys, plaintexts or random values.
 */
package org.dpspark.core.he;
