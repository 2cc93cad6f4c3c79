package org.dpspark.accountant.ledger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;

/**
 * A dataset's log replayed: the budget in force, every job's reservation and how it was settled, and the
 * cumulative privacy loss.
 *
 * <p>Cumulative loss: the DP events of every reservation that is not aborted are composed (a committed job with
 * its commit's actual events, an open one with its planned events) on one accountant and converted once, at the
 * budget's delta. With the RDP accountant the RDP curves add order by order (Mironov 2017, Prop. 1) and the sum is
 * converted by Balle et al. 2020, Thm 21; epsilons are never added. Without a budget the conversion uses the
 * smallest delta of the charged jobs. Jobs of secure aggregation charge distributed discrete Gaussian events
 * ({@link DpEvent#isDiscrete()}); only the RDP accountant bounds them, so a history that mixes them with Gaussian
 * events composes on RDP (the default best-of accountant's PLD part reports +Infinity for it and RDP is claimed).
 *
 * <p>Attempts: charges are keyed by (job id, attempt). A retry under the same job id while an earlier attempt is
 * open gets its own reservation (attempt 2, 3, ...); every attempt that is not aborted is charged.
 *
 * <p>Registrations: the locations and fingerprints of the dataset's register entries, in log order, without
 * duplicates.
 */
public final class DatasetState {

    /** Where a job's reservation stands. */
    public enum JobStatus {
        /** Reserved, not settled: charged with its planned events (a running or a crashed job). */
        OPEN,
        /** Committed: charged with its actual events. */
        COMMITTED,
        /** Aborted: not charged. */
        ABORTED
    }

    /**
     * One reservation of a job and its settlement.
     *
     * @param jobId       the job
     * @param status      open, committed or aborted
     * @param reservation the reservation entry
     * @param settlement  the commit or abort entry, null while open
     * <p>Its {@link #epsilon()} is composed on first use and kept: a replay needs only the dataset's total, and with
     * the PLD accountant each job's own epsilon costs tens of milliseconds, which every reservation would otherwise
     * pay once per job in the log.
     */
    public static final class JobCharge {
        private final String jobId;
        private final JobStatus status;
        private final LedgerEntry reservation;
        private final LedgerEntry settlement;
        private final List<DpEvent> charged;
        private final Supplier<PrivacyAccountant> accountant;
        private final double delta;
        private double epsilon = Double.NaN;

        JobCharge(String jobId, JobStatus status, LedgerEntry reservation, LedgerEntry settlement,
                List<DpEvent> charged, Supplier<PrivacyAccountant> accountant, double delta) {
            this.jobId = jobId;
            this.status = status;
            this.reservation = reservation;
            this.settlement = settlement;
            this.charged = List.copyOf(charged);
            this.accountant = accountant;
            this.delta = delta;
        }

        /** The job. */
        public String jobId() {
            return jobId;
        }

        /** The attempt number of this reservation within its job id (1, 2, ...). */
        public int attempt() {
            return reservation.attemptNumber();
        }

        /** Open, committed or aborted. */
        public JobStatus status() {
            return status;
        }

        /** The reservation entry. */
        public LedgerEntry reservation() {
            return reservation;
        }

        /** The commit or abort entry, null while open. */
        public LedgerEntry settlement() {
            return settlement;
        }

        /** The events charged: the commit's (committed), the reservation's (open), none (aborted). */
        public List<DpEvent> charged() {
            return charged;
        }

        /** This job's charged events alone, at the state's conversion delta (0 when aborted). */
        public synchronized double epsilon() {
            if (Double.isNaN(epsilon)) {
                epsilon = DatasetState.epsilon(accountant, charged, delta);
            }
            return epsilon;
        }

        @Override
        public String toString() {
            return "JobCharge[" + jobId + "#" + attempt() + ", " + status + ", " + charged + "]";
        }
    }

    private final String datasetId;
    private final List<LedgerEntry> entries;
    private final Budget budget;
    private final List<JobCharge> charges;
    private final double delta;
    private final double spentEpsilon;
    private final String accountant;
    private final List<String> locations;
    private final List<String> fingerprints;

    private DatasetState(String datasetId, List<LedgerEntry> entries, Budget budget, List<JobCharge> charges,
            double delta, double spentEpsilon, String accountant, List<String> locations, List<String> fingerprints) {
        this.locations = locations;
        this.fingerprints = fingerprints;
        this.datasetId = datasetId;
        this.entries = entries;
        this.budget = budget;
        this.charges = charges;
        this.delta = delta;
        this.spentEpsilon = spentEpsilon;
        this.accountant = accountant;
    }

    /**
     * Replays {@code entries} (seq 1..n, in order).
     *
     * @throws LedgerCorruptException when the history contradicts itself (a commit or abort of a reservation that
     *     is not open, or a commit that exceeds its reservation)
     */
    public static DatasetState of(String datasetId, List<LedgerEntry> entries, Supplier<PrivacyAccountant> accountant) {
        Budget budget = null;
        Map<Long, LedgerEntry> reservations = new LinkedHashMap<>();
        Map<Long, LedgerEntry> settlements = new HashMap<>();
        java.util.LinkedHashSet<String> locations = new java.util.LinkedHashSet<>();
        java.util.LinkedHashSet<String> fingerprints = new java.util.LinkedHashSet<>();
        for (LedgerEntry e : entries) {
            switch (e.type()) {
                case BUDGET -> budget = e.budget();
                case REGISTER -> {
                    locations.addAll(e.locations());
                    fingerprints.addAll(e.fingerprints());
                }
                case RESERVATION -> reservations.put(e.seq(), e);
                case COMMIT, ABORT -> {
                    LedgerEntry r = reservations.get(e.reservationSeq());
                    if (r == null || !r.jobId().equals(e.jobId()) || settlements.containsKey(r.seq())) {
                        throw new LedgerCorruptException("corrupt ledger: dataset '" + datasetId + "' entry "
                                + EntryStore.fileName(e.seq()) + " settles reservation " + e.reservationSeq()
                                + " of job '" + e.jobId() + "', which is not an open reservation of that job");
                    }
                    if (e.type() == EntryType.COMMIT && !withinReservation(e.events(), r.events())) {
                        throw new LedgerCorruptException("corrupt ledger: dataset '" + datasetId + "' entry "
                                + EntryStore.fileName(e.seq()) + " commits more than its reservation " + r.seq());
                    }
                    settlements.put(r.seq(), e);
                }
                default -> throw new IllegalStateException("unknown entry type " + e.type());
            }
        }
        double delta;
        if (budget != null) {
            delta = budget.delta();
        } else {
            delta = Double.NaN;
            for (LedgerEntry r : reservations.values()) {
                LedgerEntry s = settlements.get(r.seq());
                if (s == null || s.type() == EntryType.COMMIT) {
                    delta = Double.isNaN(delta) ? r.delta() : Math.min(delta, r.delta());
                }
            }
        }
        List<JobCharge> charges = new ArrayList<>();
        List<DpEvent> all = new ArrayList<>();
        for (LedgerEntry r : reservations.values()) {
            LedgerEntry s = settlements.get(r.seq());
            JobStatus status = s == null ? JobStatus.OPEN
                    : s.type() == EntryType.COMMIT ? JobStatus.COMMITTED : JobStatus.ABORTED;
            List<DpEvent> charged = switch (status) {
                case OPEN -> r.events();
                case COMMITTED -> s.events();
                case ABORTED -> List.of();
            };
            all.addAll(charged);
            charges.add(new JobCharge(r.jobId(), status, r, s, charged, accountant, delta));
        }
        PrivacyAccountant acc = accountant.get();
        String name = acc.name().jsonName();
        return new DatasetState(datasetId, List.copyOf(entries), budget, List.copyOf(charges), delta,
                epsilon(accountant, all, delta), name, List.copyOf(locations), List.copyOf(fingerprints));
    }

    /**
     * Composes {@code events} on a fresh accountant and converts at {@code delta}; 0 for no events (or when no
     * delta is known, which happens only when nothing is charged).
     */
    static double epsilon(Supplier<PrivacyAccountant> accountant, Collection<DpEvent> events, double delta) {
        if (events.isEmpty() || Double.isNaN(delta)) {
            return 0.0;
        }
        PrivacyAccountant acc = accountant.get();
        for (DpEvent e : events) {
            acc.compose(e);
        }
        return acc.epsilon(delta);
    }

    /**
     * Whether {@code actual} spends no more than {@code reserved}: for every mechanism (q, sigma, and for a
     * distributed discrete Gaussian its tau and dimension: {@link DpEvent#sameMechanism}) the actual steps are at
     * most the reserved steps of the same mechanism. Each step's privacy loss depends only on its mechanism, and
     * fewer compositions of the same mechanism never cost more, under any accountant. A Gaussian and a discrete
     * event never match each other. A hyperparameter search ({@link DpEvent#isSelection()}) is one indivisible
     * event: an actual one is within the reservation only when an equal reserved search is left for it, one for one
     * (it never draws on reserved Gaussian steps, nor they on it).
     */
    static boolean withinReservation(List<DpEvent> actual, List<DpEvent> reserved) {
        Map<DpEvent, Long> left = new HashMap<>();
        Map<DpEvent, Integer> searchesLeft = new HashMap<>();
        for (DpEvent r : reserved) {
            if (r.isSelection()) {
                searchesLeft.merge(r, 1, Integer::sum);
            } else {
                left.merge(mechanism(r), r.steps(), Long::sum);
            }
        }
        for (DpEvent a : actual) {
            if (a.isSelection()) {
                Integer n = searchesLeft.get(a);
                if (n == null || n < 1) {
                    return false;
                }
                searchesLeft.put(a, n - 1);
                continue;
            }
            DpEvent key = mechanism(a);
            Long l = left.get(key);
            if (l == null || l < a.steps()) {
                return false;
            }
            left.put(key, l - a.steps());
        }
        return true;
    }

    /**
     * The event's mechanism as a map key: the event at one step (record equality: q, sigma, discrete part); never
     * called for a selection event.
     */
    private static DpEvent mechanism(DpEvent e) {
        return e.withSteps(1);
    }

    public String datasetId() {
        return datasetId;
    }

    /** The log, seq 1..n. */
    public List<LedgerEntry> entries() {
        return entries;
    }

    /** The sequence number the next entry will take. */
    public long nextSeq() {
        return entries.size() + 1L;
    }

    /** The budget in force (the latest budget entry), if the data owner set one. */
    public Optional<Budget> budget() {
        return Optional.ofNullable(budget);
    }

    /** Every reservation in log order, with its settlement. */
    public List<JobCharge> charges() {
        return charges;
    }

    /** Every attempt of the job, in log order (attempt 1 first). */
    public List<JobCharge> attempts(String jobId) {
        List<JobCharge> found = new ArrayList<>();
        for (JobCharge c : charges) {
            if (c.jobId().equals(jobId)) {
                found.add(c);
            }
        }
        return found;
    }

    /** The job's committed attempt, if it has committed (at most one attempt of a job ever commits). */
    public Optional<JobCharge> committed(String jobId) {
        return attempts(jobId).stream().filter(c -> c.status() == JobStatus.COMMITTED).findFirst();
    }

    /** The attempt {@code attempt} of the job, if it exists. */
    public Optional<JobCharge> attempt(String jobId, int attempt) {
        return attempts(jobId).stream().filter(c -> c.attempt() == attempt).findFirst();
    }

    /** The locations registered to the dataset (normalized, {@link DatasetLocations}), in log order. */
    public List<String> registeredLocations() {
        return locations;
    }

    /** The input fingerprints registered to the dataset by its owner, in log order. */
    public List<String> registeredFingerprints() {
        return fingerprints;
    }

    /** Whether the dataset has a register entry. */
    public boolean registered() {
        return entries.stream().anyMatch(e -> e.type() == EntryType.REGISTER);
    }

    /** The input fingerprints the dataset's reservations recorded, in log order, without duplicates. */
    public List<String> recordedFingerprints() {
        java.util.LinkedHashSet<String> fps = new java.util.LinkedHashSet<>();
        for (JobCharge c : charges) {
            if (c.reservation().inputFingerprint() != null) {
                fps.add(c.reservation().inputFingerprint());
            }
        }
        return List.copyOf(fps);
    }

    /** The job's latest reservation (its latest attempt), if it has one. */
    public Optional<JobCharge> latest(String jobId) {
        JobCharge found = null;
        for (JobCharge c : charges) {
            if (c.jobId().equals(jobId)) {
                found = c;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The events charged to the dataset: every non-aborted reservation's. */
    public List<DpEvent> chargedEvents() {
        List<DpEvent> all = new ArrayList<>();
        for (JobCharge c : charges) {
            all.addAll(c.charged());
        }
        return all;
    }

    /** The delta at which epsilons are stated: the budget's, else the smallest charged job's (NaN if none). */
    public double delta() {
        return delta;
    }

    /** The composed epsilon of everything charged, at {@link #delta()}. */
    public double spentEpsilon() {
        return spentEpsilon;
    }

    /** Budget epsilon minus spent, at least 0; +Infinity when no budget is set. */
    public double remainingEpsilon() {
        return budget == null ? Double.POSITIVE_INFINITY : Math.max(0.0, budget.epsilon() - spentEpsilon);
    }

    /** The accountant that composed the spend, e.g. "rdp". */
    public String accountant() {
        return accountant;
    }
}
