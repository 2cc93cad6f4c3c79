package org.dpspark.jobs.ml;

import java.util.Arrays;
import org.dpspark.core.params.Checks;
import scala.Function1;

/**
 * MLlib Param validators that apply dpspark's one set of rules ({@link Checks}): a bad value is refused when it is
 * set, with the rule's own message naming the Param (MLlib's {@code ParamValidators.gt(0.0)} would let +Infinity
 * through, and its message names no rule).
 */
final class ParamRules {
    private ParamRules() {}

    static Function1<Object, Object> positive(String name) {
        return v -> {
            Checks.positive(name, (Double) v);
            return true;
        };
    }

    static Function1<Object, Object> nonNegative(String name) {
        return v -> {
            Checks.nonNegative(name, (Double) v);
            return true;
        };
    }

    static Function1<Object, Object> finite(String name) {
        return v -> {
            if (!Double.isFinite((Double) v)) {
                throw org.dpspark.core.params.InvalidParameterException.of(name, "must be a finite number, got " + v);
            }
            return true;
        };
    }

    static Function1<Object, Object> openUnit(String name) {
        return v -> {
            Checks.openInterval(name, (Double) v, 0, 1);
            return true;
        };
    }

    static Function1<Object, Object> halfOpenUnit(String name) {
        return v -> {
            Checks.halfOpen(name, (Double) v, 0, 1);
            return true;
        };
    }

    static Function1<Object, Object> atLeast(String name, long min) {
        return v -> {
            Checks.atLeast(name, ((Number) v).longValue(), min);
            return true;
        };
    }

    static Function1<String, Object> oneOf(String name, String[] allowed) {
        return v -> {
            Checks.oneOf(name, v, Arrays.asList(allowed));
            return true;
        };
    }
}
