/**
 * User-level privacy units: contribution bounding (at most k rows per user, chosen by a keyed CSPRNG), co-location
 * of each user's rows in one partition by a keyed hash of the id, and packing into {@link
 * org.dpspark.datasets.DenseBlock}s with user boundaries. Depends on {@code datasets}, {@code datasets.spec},
 * {@code datasets.validate} and dp-core's CSPRNG; nothing in {@code datasets} depends on it.
 */
package org.dpspark.datasets.users;
