package org.dpspark.jobs.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;

/**
 * The budget dashboard's data ({@code dp-ledger report}): a dataset's budget, every entry of its log in order with
 * what it charged, the cumulative spend after each entry (the burn-down) and what remains, and the reservations still
 * open. The spend after entry i is the ledger's own replay of entries 1..i ({@link PrivacyLedger#stateHistory}): the
 * composition of everything charged then, converted once at the budget's delta, never a sum of per-job epsilons; the
 * last point is the ledger's current state.
 */
public final class BudgetReport {
    /** The dashboard document's format. */
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BudgetReport() {}

    /**
     * The dashboard document of {@code datasetId}.
     *
     * @throws IllegalArgumentException when the dataset has no entries in the ledger
     */
    public static ObjectNode json(PrivacyLedger ledger, String datasetId, Instant now) {
        List<DatasetState> history = ledger.stateHistory(datasetId);
        if (history.isEmpty()) {
            throw new IllegalArgumentException("dataset '" + datasetId + "' has no entries in the ledger "
                    + ledger.location() + " (dp-ledger show lists its datasets)");
        }
        DatasetState s = history.get(history.size() - 1);
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", FORMAT_VERSION);
        n.put("ledger", ledger.location());
        n.put("dataset_id", s.datasetId());
        n.put("generated_at", now.toString());
        n.put("accountant", s.accountant());
        putBudget(n, s);
        n.put("spent_epsilon", s.spentEpsilon());
        number(n, "delta", s.delta());
        n.put("spent_note", "the composed epsilon of every charged job (committed: its actual events; open: its "
                + "planned events) at the budget's delta, by the ledger's accountant; never a sum of per-job epsilons");

        Map<Long, DatasetState.JobCharge> byReservation = new HashMap<>();
        for (DatasetState.JobCharge c : s.charges()) {
            byReservation.put(c.reservation().seq(), c);
            if (c.settlement() != null) {
                byReservation.put(c.settlement().seq(), c);
            }
        }
        ArrayNode entries = n.putArray("entries");
        for (LedgerEntry e : s.entries()) {
            ObjectNode o = entries.addObject();
            o.put("seq", e.seq());
            o.put("time", e.time().toString());
            o.put("type", e.type().jsonName());
            o.put("job_id", e.jobId());
            DatasetState.JobCharge c = byReservation.get(e.seq());
            if (c != null) {
                o.put("attempt", c.attempt());
            } else {
                o.putNull("attempt");
            }
            switch (e.type()) {
                case BUDGET -> {
                    o.put("epsilon", e.budget().epsilon());
                    o.put("delta", e.budget().delta());
                    o.put("epsilon_meaning", "the budget set");
                }
                case RESERVATION -> {
                    number(o, "epsilon", alone(e.events(), e.delta()));
                    number(o, "delta", e.delta() == null ? Double.NaN : e.delta());
                    o.put("epsilon_meaning", "the planned events alone, at the job's delta (charged while open)");
                }
                case COMMIT -> {
                    number(o, "epsilon", e.epsilon() == null ? Double.NaN : e.epsilon());
                    number(o, "delta", e.delta() == null ? Double.NaN : e.delta());
                    o.put("epsilon_meaning", "the job's own epsilon as it committed it");
                }
                default -> {
                    o.putNull("epsilon");
                    o.putNull("delta");
                    o.put("epsilon_meaning", e.type().jsonName().equals("abort") ? "frees the reservation"
                            : "no charge");
                }
            }
            o.put("status", c == null ? null : c.status().name().toLowerCase(Locale.ROOT));
            o.put("user", e.user());
            o.put("model_path", e.modelPath());
            o.put("note", e.note());
        }

        ArrayNode open = n.putArray("open_reservations");
        for (DatasetState.JobCharge c : s.charges()) {
            if (c.status() == DatasetState.JobStatus.OPEN) {
                ObjectNode o = open.addObject();
                o.put("job_id", c.jobId());
                o.put("attempt", c.attempt());
                o.put("reservation_seq", c.reservation().seq());
                o.put("reserved_at", c.reservation().time().toString());
                number(o, "epsilon_alone", c.epsilon());
            }
        }

        ObjectNode burn = n.putObject("burndown");
        ArrayNode seq = burn.putArray("seq");
        ArrayNode time = burn.putArray("time");
        ArrayNode spent = burn.putArray("spent_epsilon");
        ArrayNode remaining = burn.putArray("remaining_epsilon");
        ArrayNode budget = burn.putArray("budget_epsilon");
        for (int i = 0; i < history.size(); i++) {
            DatasetState h = history.get(i);
            LedgerEntry e = s.entries().get(i);
            seq.add(e.seq());
            time.add(e.time().toString());
            spent.add(h.spentEpsilon());
            if (h.budget().isPresent()) {
                remaining.add(h.remainingEpsilon());
                budget.add(h.budget().get().epsilon());
            } else {
                remaining.addNull();
                budget.addNull();
            }
        }
        burn.put("note", "after each entry: the ledger's replay of the log up to it (composed spend; remaining = "
                + "budget - spent, at least 0; null while no budget is set)");
        return n;
    }

    /** The epsilon of {@code events} alone at {@code delta} (best of RDP and PLD), or NaN without a delta. */
    /**
     * Puts the dataset's budget ({@code budget}: epsilon, delta, privacy_unit) and {@code remaining_epsilon} into
     * {@code n}, both null when no budget is set; returns whether one is. dp-ledger show's JSON uses it too.
     */
    public static boolean putBudget(ObjectNode n, DatasetState s) {
        if (s.budget().isEmpty()) {
            n.putNull("budget");
            n.putNull("remaining_epsilon");
            return false;
        }
        ObjectNode b = n.putObject("budget");
        b.put("epsilon", s.budget().get().epsilon());
        b.put("delta", s.budget().get().delta());
        b.put("privacy_unit", s.budget().get().privacyUnit());
        n.put("remaining_epsilon", s.remainingEpsilon());
        return true;
    }

    private static double alone(List<DpEvent> events, Double delta) {
        if (events.isEmpty() || delta == null || !(delta > 0 && delta < 1)) {
            return Double.NaN;
        }
        return BestAccountant.bound(events, delta).epsilon();
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }
}
