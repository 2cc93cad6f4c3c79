/**
 * The privacy of a hyperparameter search: private selection with a random number of repetitions (Papernot and
 * Steinke, ICLR 2022, "Hyperparameter tuning with Renyi differential privacy", arXiv 2110.03620). A search runs K
 * trials, K drawn from a {@link org.dpspark.accountant.TrialCount}, each trial a DP mechanism returning a score
 * and a model, and outputs the best; {@link org.dpspark.accountant.tuning.RandomRepetition} bounds its Renyi DP from
 * one trial's RDP curve.
 */
package org.dpspark.accountant.tuning;
