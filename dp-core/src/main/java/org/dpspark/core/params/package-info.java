/**
 * Parameter validation, in one place for every entry point: {@link org.dpspark.core.params.Checks} holds the rules
 * (NaN and infinities always fail), and {@link org.dpspark.core.params.InvalidParameterException} names the
 * parameter canonically so that each caller can render it in its own vocabulary (a flag, an MLlib Param).
 */
package org.dpspark.core.params;
