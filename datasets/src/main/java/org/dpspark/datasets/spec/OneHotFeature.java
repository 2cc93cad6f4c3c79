package org.dpspark.datasets.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A categorical column one-hot encoded against a public vocabulary (width = vocabulary size).
 *
 * <p>The (trimmed) value equal to {@code vocabulary[i]} sets coordinate {@code i} of the block to 1; a missing value
 * or any token outside the vocabulary gives an all-zero block. The vocabulary is declared, never collected from
 * the data (collecting it would reveal rare categories).
 *
 * @param column     the input column (non-blank)
 * @param vocabulary non-empty, no duplicates, entries non-blank and without surrounding whitespace; kept in order
 */
public record OneHotFeature(String column, List<String> vocabulary) implements FeatureColumn {

    public OneHotFeature {
        FeatureSpec.requireColumnName(column, "feature");
        if (vocabulary == null || vocabulary.isEmpty()) {
            throw new IllegalArgumentException("feature '" + column + "': vocabulary must be non-empty");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            String token = vocabulary.get(i);
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("feature '" + column + "': vocabulary entry " + i
                        + " must be non-blank");
            }
            if (!token.equals(token.strip())) {
                throw new IllegalArgumentException("feature '" + column + "': vocabulary entry " + i + " '" + token
                        + "' must not have leading or trailing whitespace (values are trimmed before lookup)");
            }
            if (!seen.add(token)) {
                throw new IllegalArgumentException("feature '" + column + "': vocabulary has duplicate entry '"
                        + token + "'");
            }
        }
        vocabulary = List.copyOf(vocabulary);
    }

    @Override
    public int width() {
        return vocabulary.size();
    }
}
