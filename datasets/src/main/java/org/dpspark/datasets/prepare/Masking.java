package org.dpspark.datasets.prepare;

import org.dpspark.core.params.InvalidParameterException;

/**
 * Character masking of identifiers (e.g. card numbers, e-mail addresses), counted in Unicode code points so a
 * surrogate pair (an emoji, a supplementary CJK character) is one character and is never split in half.
 *
 * <p>Masking is a display-level reduction, not anonymization: the kept characters may still identify a person
 * together with other columns (see {@link KAnonymity}).
 */
public final class Masking {
    private Masking() {
    }

    /**
     * Replaces all but the last {@code k} characters (code points) of {@code value} by {@code mask}.
     *
     * <p>A value of at most {@code k} characters becomes all mask characters (same length): keeping it whole
     * would reveal short values entirely (a 4-digit PIN under {@code k = 4}). The output length in code points
     * equals the input's, so the length itself is not hidden. Null in, null out.
     *
     * @throws InvalidParameterException naming {@code maskKeepLast} if {@code k < 0}
     */
    public static String keepLast(String value, int k, char mask) {
        if (k < 0) {
            throw InvalidParameterException.of("maskKeepLast", "must be >= 0, got " + k);
        }
        if (Character.isSurrogate(mask)) {
            throw InvalidParameterException.of("maskCharacter", "must not be a lone surrogate");
        }
        if (value == null) {
            return null;
        }
        int n = value.codePointCount(0, value.length());
        if (n <= k) {
            return String.valueOf(mask).repeat(n);
        }
        int keepFrom = value.offsetByCodePoints(0, n - k);
        StringBuilder out = new StringBuilder(n - k + (value.length() - keepFrom));
        for (int i = 0; i < n - k; i++) {
            out.append(mask);
        }
        return out.append(value, keepFrom, value.length()).toString();
    }

    /**
     * Masks the local part of an e-mail address except its first character, keeping the domain:
     * {@code alice@example.org -> a****@example.org}. The local part keeps its length in code points; the
     * split is at the last {@code '@'} (a quoted local part may contain '@', RFC 5321 section 4.1.2).
     *
     * <p>A value without '@', or with an empty local part, is not an address: it is masked entirely
     * ({@code keepLast(value, 0, '*')}) rather than passed through, so a malformed column never leaks.
     * Null in, null out.
     */
    public static String email(String value) {
        if (value == null) {
            return null;
        }
        int at = value.lastIndexOf('@');
        if (at <= 0) {
            return keepLast(value, 0, '*');
        }
        int firstEnd = value.offsetByCodePoints(0, 1);
        int rest = value.codePointCount(firstEnd, at);
        StringBuilder out = new StringBuilder(firstEnd + rest + (value.length() - at));
        out.append(value, 0, firstEnd);
        for (int i = 0; i < rest; i++) {
            out.append('*');
        }
        return out.append(value, at, value.length()).toString();
    }
}
