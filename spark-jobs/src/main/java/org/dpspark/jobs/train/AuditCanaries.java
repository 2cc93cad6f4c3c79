package org.dpspark.jobs.train;

import java.io.Serializable;

/**
 * What a one-run privacy audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one (1) training run")
 * adds to a run's steps.
 *
 * <p>White-box Dirac canaries: canary i lives on parameter coordinate {@code firstCoordinate + i} of a padded model
 * ({@code org.dpspark.core.audit.CanaryPaddedModel}); partition p holds the included canaries
 * {@code idsByPartition[p]}. Each is Poisson-sampled at the examples' rate and clipped like an example, with raw
 * norm {@code rawNorm} before clipping, and joins its partition's sum before any noise or masking.
 *
 * <p>Black-box canaries are rows added to the blocks; {@code extraUnits} counts them (secret to everyone but the
 * auditor; the plan's q and qN stay those of the real rows).
 *
 * @param firstCoordinate the first canary coordinate (the inner model's numParams), or -1 without white-box canaries
 * @param idsByPartition the included white-box canaries of each partition, or null without them
 * @param rawNorm the white-box canaries' norm before clipping (larger than the clip norm, so clipping shows)
 * @param extraUnits the black-box canary rows added to the blocks (0 without them)
 */
public record AuditCanaries(int firstCoordinate, int[][] idsByPartition, double rawNorm, long extraUnits)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Nothing added. */
    public static final AuditCanaries NONE = new AuditCanaries(-1, null, 1.0, 0);

    @Override
    public String toString() {
        return "AuditCanaries[whiteBox=" + (idsByPartition != null) + ", extraUnits=<secret>]";
    }
}
