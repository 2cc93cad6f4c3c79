/**
 * Poisson subsampling, the batch selection that the privacy accountant assumes (Abadi et al. 2016; Mironov,
 * Talwar, Zhang 2019): each example enters each step's batch independently with probability q.
 */
package org.dpspark.core.sampling;
