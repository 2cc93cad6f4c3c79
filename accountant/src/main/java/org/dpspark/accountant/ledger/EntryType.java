package org.dpspark.accountant.ledger;

import java.util.Locale;

/** The kinds of ledger entry; their JSON name is the lower-case constant name. */
public enum EntryType {
    /** The data owner sets (or changes) the dataset's budget; the latest budget entry is in force. */
    BUDGET,
    /** A job's planned DP events, written before its first step; charged until aborted. */
    RESERVATION,
    /** A job's actual DP events (at most the reserved ones), its epsilon and the model's path. */
    COMMIT,
    /** Frees a reservation; only when nothing was published. */
    ABORT,
    /**
     * The data owner registers locations (paths, tables) and/or input fingerprints as this dataset's: any job
     * reading them is charged to it. Format version 2.
     */
    REGISTER;

    /** The name in the JSON entry. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a JSON name; {@code null} when unknown. */
    static EntryType fromJson(String s) {
        for (EntryType t : values()) {
            if (t.jsonName().equals(s)) {
                return t;
            }
        }
        return null;
    }
}
