package org.dpspark.accountant;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The accountants of dpspark, by the name recorded in ledger entries, reports and JSON outputs.
 *
 * <p>The JSON names are a persisted format: ledger files on disk hold them, so {@link #jsonName()} never changes.
 */
public enum AccountantName {
    /**
     * Renyi DP of the subsampled Gaussian (Mironov 2017; Mironov, Talwar, Zhang 2019; conversion Balle et al. 2020),
     * and of the subsampled distributed discrete Gaussian (Kairouz, Liu and Steinke 2021; Zhu and Wang 2019).
     */
    RDP("rdp"),
    /** Privacy loss distributions, pessimistic discretization (Koskela et al. 2020; Doroshenko et al. 2022). */
    PLD("pld"),
    /** The smaller of the RDP and PLD bounds of the same history, naming the one claimed. */
    BEST("min(rdp,pld)");

    private final String jsonName;

    AccountantName(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name in ledger entries and JSON: {@code "rdp"}, {@code "pld"} or {@code "min(rdp,pld)"}. */
    public String jsonName() {
        return jsonName;
    }

    /**
     * The accountant named {@code name}: its {@link #jsonName()}, case-insensitive.
     *
     * @throws IllegalArgumentException naming the accepted names, if {@code name} is none of them
     */
    public static AccountantName parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (AccountantName a : values()) {
                if (a.jsonName.equals(n)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("unknown accountant '" + name + "'; the accountants are "
                + Arrays.stream(values()).map(a -> "'" + a.jsonName + "'").collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
