package org.dpspark.jobs.provenance;

import java.time.Instant;

/** Provenance values for tests, with doubles whose shortest text is long (to catch any loss of bits). */
public final class ProvenanceFixtures {
    private ProvenanceFixtures() {}

    public static PrivacyClaim claim() {
        return new PrivacyClaim(0.1 + 0.2, 1e-5, "pld", Math.nextUp(1.7855), 0.9999158596123883, "row",
                "add/remove one row", "poisson", 256.0 / 60000, 0.7777530239705032, 1.0, 234, true, 1.0, false);
    }

    public static ModelProvenance provenance(int dimension, LedgerReceipt receipt) {
        DataProvenance data = new DataProvenance("/data/train.csv", "csv", "sha256:abc123", 60000, "my-spec",
                dimension);
        TrainerProvenance trainer = new TrainerProvenance(TrainerProvenance.DP_SGD, "momentum", 0.9, "cosine", 2.5,
                256, 0.05, "barrier", true, null, null, null, "float32", 0.99);
        return new ModelProvenance("job-42", "0.1.0-SNAPSHOT", Instant.parse("2026-12-06T00:00:00.123456789Z"),
                claim(), data, trainer, receipt);
    }

    public static LedgerReceipt receipt() {
        return LedgerReceipt.recorded("file:/tmp/ledger", "ds-1", 7L, false, 8L, "min(rdp,pld)", 1.25, 1e-5, 4.0,
                1e-5, 2.75);
    }
}
