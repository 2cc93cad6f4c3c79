package org.dpspark.jobs.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ProvenanceJsonTest {

    @Test
    void everyRecord_roundTripsExactly() {
        ModelProvenance p = ProvenanceFixtures.provenance(20, ProvenanceFixtures.receipt());
        for (Object r : new Object[] {p, p.claim(), p.data(), p.trainer(), p.ledger()}) {
            String json = ProvenanceJson.toJson(r);
            assertEquals(r, ProvenanceJson.fromJson(json, r.getClass(), "x"), json);
        }
    }

    @Test
    void doubles_roundTripBitExact() {
        PrivacyClaim c = ProvenanceFixtures.claim();
        PrivacyClaim back = ProvenanceJson.fromJson(ProvenanceJson.toJson(c), PrivacyClaim.class, "claim");
        assertEquals(Double.doubleToRawLongBits(0.1 + 0.2), Double.doubleToRawLongBits(back.epsilon()));
        assertEquals(Double.doubleToRawLongBits(Math.nextUp(1.7855)),
                Double.doubleToRawLongBits(back.rdpEpsilon()));
    }

    @Test
    void nonFiniteEpsilon_roundTrips() {
        PrivacyClaim c = new PrivacyClaim(Double.POSITIVE_INFINITY, 1e-5, "rdp", null, null, "row",
                "add/remove one row", "poisson", 0.01, 0.0, 1.0, 10, false, null, false);
        assertEquals(c, ProvenanceJson.fromJson(ProvenanceJson.toJson(c), PrivacyClaim.class, "claim"));
    }

    @Test
    void noLedger_roundTripsWithItsReason() {
        ModelProvenance p = ProvenanceFixtures.provenance(3, LedgerReceipt.none("no ledger: explicit opt-out"));
        ModelProvenance back = ProvenanceJson.fromJson(ProvenanceJson.toJson(p), ModelProvenance.class, "p");
        assertEquals(p, back);
        assertFalse(back.ledger().isRecorded());
        assertEquals("no ledger: explicit opt-out", back.ledger().reason());
    }

    @Test
    void unknownFields_areIgnored() {
        ObjectNode n = ProvenanceJson.toTree(ProvenanceFixtures.provenance(3, ProvenanceFixtures.receipt()));
        n.put("added_by_a_newer_writer", 1);
        ((ObjectNode) n.get("claim")).putObject("also_new").put("x", true);
        assertEquals(ProvenanceFixtures.provenance(3, ProvenanceFixtures.receipt()),
                ProvenanceJson.fromTree(n, ModelProvenance.class, "provenance"));
    }

    @Test
    void missingRequiredField_isRefusedNamingIt() {
        ObjectNode n = ProvenanceJson.toTree(ProvenanceFixtures.provenance(3, ProvenanceFixtures.receipt()));
        ((ObjectNode) n.get("claim")).remove("epsilon");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProvenanceJson.fromTree(n, ModelProvenance.class, "provenance"));
        assertEquals("provenance.claim.epsilon: missing", e.getMessage());
    }

    @Test
    void illTypedField_isRefusedNamingIt() {
        ObjectNode n = ProvenanceJson.toTree(ProvenanceFixtures.provenance(3, ProvenanceFixtures.receipt()));
        ((ObjectNode) n.get("data")).put("rows", "many");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProvenanceJson.fromTree(n, ModelProvenance.class, "provenance"));
        assertEquals("provenance.data.rows: must be an integer", e.getMessage());
    }

    @Test
    void absentNullableField_readsAsNull() {
        ObjectNode n = ProvenanceJson.toTree(ProvenanceFixtures.claim());
        n.remove("target_epsilon");
        n.remove("rdp_epsilon");
        PrivacyClaim c = ProvenanceJson.fromTree(n, PrivacyClaim.class, "claim");
        assertNull(c.targetEpsilon());
        assertNull(c.rdpEpsilon());
    }

    @Test
    void recordedReceiptWithoutCommitSeq_isRefused() {
        ObjectNode n = ProvenanceJson.toTree(ProvenanceFixtures.receipt());
        n.remove("commit_seq");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProvenanceJson.fromTree(n, LedgerReceipt.class, "ledger"));
        assertEquals("ledger.commit_seq: missing", e.getMessage());
    }

    @Test
    void receiptNotRecorded_carriesOnlyItsReason() {
        assertThrows(IllegalArgumentException.class, () -> LedgerReceipt.none(" "));
        assertThrows(IllegalArgumentException.class, () -> new LedgerReceipt(false, "x", null, "ds", null, null, null,
                null, null, null, null, null, null));
        assertTrue(ProvenanceFixtures.receipt().isRecorded());
    }

    @Test
    void writtenJson_hasNoSeedField() {
        String json = ProvenanceJson.toJson(ProvenanceFixtures.provenance(3, ProvenanceFixtures.receipt()));
        assertFalse(json.toLowerCase(java.util.Locale.ROOT).contains("seed"), json);
    }
}
