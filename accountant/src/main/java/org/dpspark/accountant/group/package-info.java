/**
 * Group privacy: what a row-level (epsilon, delta) guarantee implies for k rows at once, such as one user's rows
 * ({@link org.dpspark.accountant.group.GroupPrivacy}; Dwork and Roth 2014, Vadhan 2017).
 */
package org.dpspark.accountant.group;
