/**
 * Random sources. {@link org.dpspark.core.random.CsprngStream} is the only source production code uses: a
 * cryptographically secure AES-256-CTR keystream, either freshly keyed from {@link java.security.SecureRandom}
 * (noise) or derived deterministically from a secret job key and a context such as (step, partition)
 * (Poisson sampling, so that a retried task draws the same sample). {@link
 * org.dpspark.core.random.InsecureTestRandomness} is the single, explicitly insecure, seeded path, for tests.
 * {@link org.dpspark.core.random.UniformBigInteger} draws uniform big integers below a bound from any source
 * (Paillier's encryption randomness).
 */
package org.dpspark.core.random;
