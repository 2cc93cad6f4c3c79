package org.dpspark.jobs.train;

import java.util.Locale;

/**
 * The {@code --block-storage} of a run: where the training blocks' features live during the steps. The privacy
 * guarantee and, for a fixed insecure test seed, the trained model are the same either way (a step gathers the same
 * doubles).
 */
public enum BlockStorage {
    /** Cached by Spark (MEMORY_AND_DISK), whole blocks in the executors' memory. */
    MEMORY("memory"),
    /**
     * Each partition's block written once to an owner-only file in its executor's local directories, read at the
     * sampled rows only (positional reads); only the labels stay in memory. See {@link StoredBlocks}.
     */
    DISK("disk");

    private final String jsonName;

    BlockStorage(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The flag's and the report's name. */
    public String jsonName() {
        return jsonName;
    }

    /** Parses {@code memory} or {@code disk} (any case). */
    public static BlockStorage parse(String s) {
        if (s != null) {
            for (BlockStorage b : values()) {
                if (b.jsonName.equals(s.strip().toLowerCase(Locale.ROOT))) {
                    return b;
                }
            }
        }
        throw new IllegalArgumentException("must be memory or disk, got '" + s + "'");
    }
}
