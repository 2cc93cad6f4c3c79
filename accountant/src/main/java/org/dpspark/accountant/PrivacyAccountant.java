package org.dpspark.accountant;

/**
 * Tracks the privacy loss of a sequence of {@link DpEvent}s and reports an (epsilon, delta)-DP guarantee.
 *
 * <p>Implementations report an upper bound on the true epsilon: a reported value is always a valid
 * guarantee, possibly a loose one. Implementations are stateful and need not be thread-safe unless they
 * say so.
 */
public interface PrivacyAccountant {

    /** The accounting method; its {@link AccountantName#jsonName()} is recorded in the ledger. */
    AccountantName name();

    /** Adds {@code event} to the composed history. */
    void compose(DpEvent event);

    /**
     * The smallest epsilon this accountant can certify for the composed history at {@code delta}.
     *
     * @param delta with 0 &lt; delta &lt; 1
     * @return epsilon &gt;= 0, possibly {@code +Infinity} when no finite guarantee is available
     * @throws IllegalArgumentException if delta is not in (0, 1)
     */
    double epsilon(double delta);
}
