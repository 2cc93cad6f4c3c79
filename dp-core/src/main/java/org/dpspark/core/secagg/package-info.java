/**
 * Secure aggregation with distributed noise: the math of each party's encoding and of the aggregator's decoding
 * for the distributed discrete Gaussian mechanism (Kairouz, Liu and Steinke, ICML 2021, "The distributed discrete
 * Gaussian mechanism for federated learning with secure aggregation"), with pairwise masks that cancel in the sum
 * (Bonawitz et al., CCS 2017). {@link org.dpspark.core.secagg.DdgParams} fixes the encoding's parameters (scale,
 * bits, noise share) from public quantities; {@link org.dpspark.core.secagg.DdgCodec} encodes a party's sum
 * ({@link org.dpspark.core.secagg.RandomizedHadamard}, {@link org.dpspark.core.secagg.StochasticRounding},
 * {@link org.dpspark.core.secagg.DiscreteGaussian}, the exact sampler of Canonne, Kamath and Steinke, NeurIPS 2020)
 * and decodes the total; {@link org.dpspark.core.secagg.PairwiseMasks} and
 * {@link org.dpspark.core.secagg.ModularSum} mask and add the shares modulo 2^bits. Nothing here knows about Spark
 * or the network.
 */
package org.dpspark.core.secagg;
