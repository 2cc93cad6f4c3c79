/**
 * Secure aggregation with distributed noise: the math of each party's encoding and of the aggregator's decoding
 * for the distributed discrete Gaussian mechanism (Kairouz, Liu and Steinke, ICML 2021, "The distributed discrete
 * Gaussian mechanism for federated learning with secure aggregation"), with pairwise masks that cancel in the sum
 * (Bonawitz et al., CCS 2017). {@link org.dpspark.core.secagg.DdgParams} fixes the encoding's parameters (scale,
 * bits, noise share) from public quantities; nothing here knows about Spark or the network.
 */
package org.dpspark.core.secagg;
