package org.dpspark.accountant.ledger;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;

/**
 * The durable privacy ledger: per dataset, the budget set by its data owner and an append-only log of versioned
 * JSON entries (reservation, commit, abort, budget) on any Hadoop file system ({@link EntryStore} for the layout and
 * the atomic publish), so that the cumulative privacy loss of all jobs that ever touched the dataset is known and
 * capped.
 *
 * <p><b>Admission.</b> {@link #reserve} reads the log up to seq n, replays it ({@link DatasetState}), composes the
 * job's planned events with everything charged and, if the result is within the budget, creates entry n+1
 * atomically; if another writer created n+1 first, it re-reads and decides again. Every decision is thus made on
 * the complete prefix of one linear history, and concurrent jobs never overdraw a budget.
 *
 * <p><b>Exactly once.</b> A job id that has committed is never charged again: reserving it again throws
 * {@link LedgerConflictException}. A retry of a job whose reservation is still open (same job id, same planned
 * events, same input fingerprint) adopts that reservation instead of charging twice. A crashed job's reservation
 * stays charged until {@link #resolveCommit} or {@link #resolveAbort} settles it.
 *
 * <p><b>Composition</b> goes through {@link PrivacyAccountant}: by default {@link BestAccountant}, the smaller of the
 * RDP and PLD epsilons of all the dataset's events composed together (heterogeneous composition: jobs with
 * different q, sigma and steps), the rule a single job's report uses to claim its guarantee. Another accountant
 * (e.g. {@link RdpAccountant} alone) can be plugged in with {@link Builder#accountant}.
 *
 * <p>Thread-safe; instances may be shared. Nothing here sees data, gradients or seeds.
 */
public final class PrivacyLedger {

    /** Attempts of one append before giving up (each failed attempt means another writer appended). */
    static final int MAX_ATTEMPTS = 10_000;

    private final EntryStore store;
    private final Supplier<PrivacyAccountant> accountant;
    private final String accountantName;
    private final String user;
    private final String codeVersion;
    private final Clock clock;

    private PrivacyLedger(Builder b) {
        this.store = new EntryStore(b.uri, b.conf);
        this.accountant = b.accountant;
        this.accountantName = Objects.requireNonNull(b.accountant.get(), "accountant factory returned null").name()
                .jsonName();
        this.user = b.user;
        this.codeVersion = b.codeVersion;
        this.clock = b.clock;
    }

    /** A ledger at {@code uri} (a path or URI on any Hadoop file system) with the defaults of {@link Builder}. */
    public static PrivacyLedger open(String uri, Configuration conf) {
        return builder(uri).conf(conf).build();
    }

    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** Options of a ledger handle: who writes, which code, which accountant composes. */
    public static final class Builder {
        private final String uri;
        private Configuration conf;
        private Supplier<PrivacyAccountant> accountant = BestAccountant::new;
        private String user = System.getProperty("user.name", "unknown");
        private String codeVersion = "dev";
        private Clock clock = Clock.systemUTC();

        private Builder(String uri) {
            this.uri = uri;
        }

        /** Hadoop configuration (default: {@code new Configuration()}). */
        public Builder conf(Configuration c) {
            this.conf = c;
            return this;
        }

        /** The accountant that composes a dataset's events (default {@link BestAccountant}); a new one per call. */
        public Builder accountant(Supplier<PrivacyAccountant> a) {
            this.accountant = Objects.requireNonNull(a, "accountant");
            return this;
        }

        /** The user recorded in entries (default: the OS user). */
        public Builder user(String u) {
            this.user = requireText(u, "user");
            return this;
        }

        /** The code version recorded in entries (default "dev"). */
        public Builder codeVersion(String v) {
            this.codeVersion = requireText(v, "code version");
            return this;
        }

        /** The clock of entry times (tests). */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Opens the ledger; fails on a location whose file system has no atomic create-if-absent. */
        public PrivacyLedger build() {
            return new PrivacyLedger(this);
        }
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must be a non-empty string, got " + (s == null ? "null" : "'" + s + "'"));
        }
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must not contain control characters, got '"
                    + s.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        return s;
    }

    /** The ledger's root, qualified (e.g. file:/home/a/.dpspark/ledger). */
    public String location() {
        return store.root().toString();
    }

    /** The accountant that composes spends, e.g. "rdp". */
    public String accountantName() {
        return accountantName;
    }

    /** The dataset ids that have a log, sorted. */
    public List<String> datasets() {
        return store.datasets();
    }

    /**
     * The dataset's log replayed (an empty state when the dataset has no log).
     *
     * @throws LedgerCorruptException when an entry is torn, corrupt or missing
     */
    public DatasetState state(String datasetId) {
        return DatasetState.of(EntryStore.checkDatasetId(datasetId), store.read(datasetId), accountant);
    }

    /** Sets (or changes) the dataset's budget. Lowering it below the spend is allowed: every later job is refused. */
    public LedgerEntry setBudget(String datasetId, Budget budget) {
        Objects.requireNonNull(budget, "budget");
        return append(datasetId, state -> entry(state, EntryType.BUDGET, null, null, List.of(), null, budget, null,
                null, null, null));
    }

    /**
     * Reserves the planned {@code events} of job {@code jobId} on {@code datasetId}, before its first step.
     *
     * @param inputFingerprint the job input's content hash
     * @param jobDelta         the delta of the job's own guarantee
     * @return the admission; {@link Admission#noCap()} when the dataset has no budget (the caller must say so)
     * @throws BudgetExhaustedException when the composed loss would exceed the budget (nothing written)
     * @throws LedgerConflictException  when the job id has committed, or holds an open reservation of another plan
     */
    public Admission reserve(String datasetId, String jobId, String inputFingerprint, List<DpEvent> events,
            double jobDelta) {
        requireText(jobId, "job id");
        requireText(inputFingerprint, "input fingerprint");
        List<DpEvent> planned = requireEvents(events);
        if (!(jobDelta > 0 && jobDelta < 1)) {
            throw new IllegalArgumentException("job delta must be in (0, 1), got " + jobDelta);
        }
        EntryStore.checkDatasetId(datasetId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            DatasetState state = state(datasetId);
            Optional<DatasetState.JobCharge> prior = state.latest(jobId);
            if (prior.isPresent()) {
                DatasetState.JobCharge c = prior.get();
                if (c.status() == DatasetState.JobStatus.COMMITTED) {
                    throw committed(datasetId, c);
                }
                if (c.status() == DatasetState.JobStatus.OPEN) {
                    LedgerEntry r = c.reservation();
                    if (r.events().equals(planned) && inputFingerprint.equals(r.inputFingerprint())) {
                        double before = DatasetState.epsilon(accountant, without(state, r), deltaOf(state, jobDelta));
                        return admission(state, r, true, jobDelta, before);
                    }
                    throw new LedgerConflictException("job id '" + jobId + "' holds an open reservation (entry "
                            + r.seq() + ") of dataset '" + datasetId + "' with a different plan or input; settle it "
                            + "with dp-ledger resolve, or use another job id");
                }
            }
            double delta = deltaOf(state, jobDelta);
            double before = state.budget().isPresent() ? state.spentEpsilon()
                    : DatasetState.epsilon(accountant, state.chargedEvents(), delta);
            List<DpEvent> with = new java.util.ArrayList<>(state.chargedEvents());
            with.addAll(planned);
            double after = DatasetState.epsilon(accountant, with, delta);
            if (state.budget().isPresent() && !(after <= state.budget().get().epsilon())) {
                throw new BudgetExhaustedException(datasetId, state.budget().get(), before,
                        DatasetState.epsilon(accountant, planned, delta), after);
            }
            LedgerEntry r = entry(state, EntryType.RESERVATION, jobId, inputFingerprint, planned, jobDelta, null, null,
                    null, null, null);
            if (store.createIfAbsent(r)) {
                return admission(state, r, false, jobDelta, before);
            }
        }
        throw new IllegalStateException("ledger " + location() + ": could not append to dataset '" + datasetId
                + "' in " + MAX_ATTEMPTS + " attempts (too much contention)");
    }

    /**
     * A dry run of {@link #reserve}: the admission the job would get now, or the {@link BudgetExhaustedException}
     * it would get. Writes nothing.
     */
    public Admission check(String datasetId, List<DpEvent> events, double jobDelta) {
        List<DpEvent> planned = requireEvents(events);
        if (!(jobDelta > 0 && jobDelta < 1)) {
            throw new IllegalArgumentException("job delta must be in (0, 1), got " + jobDelta);
        }
        DatasetState state = state(datasetId);
        double delta = deltaOf(state, jobDelta);
        double before = DatasetState.epsilon(accountant, state.chargedEvents(), delta);
        List<DpEvent> with = new java.util.ArrayList<>(state.chargedEvents());
        with.addAll(planned);
        double after = DatasetState.epsilon(accountant, with, delta);
        double alone = DatasetState.epsilon(accountant, planned, delta);
        if (state.budget().isPresent() && !(after <= state.budget().get().epsilon())) {
            throw new BudgetExhaustedException(datasetId, state.budget().get(), before, alone, after);
        }
        return new Admission(datasetId, null, false, state.budget(), delta, before, alone, after);
    }

    /**
     * Fails with {@link LedgerConflictException} if {@code jobId} has already committed on the dataset: lets a job
     * be refused before it reads any data.
     */
    public void checkNotCommitted(String datasetId, String jobId) {
        requireText(jobId, "job id");
        Optional<DatasetState.JobCharge> c = state(datasetId).latest(jobId);
        if (c.isPresent() && c.get().status() == DatasetState.JobStatus.COMMITTED) {
            throw committed(datasetId, c.get());
        }
    }

    /**
     * Commits the job's open reservation with its actual events (at most the reserved ones), its epsilon and the
     * model's path. Repeating an identical commit returns the existing entry.
     *
     * @throws LedgerConflictException when the job has no open reservation, or the events exceed it
     */
    public LedgerEntry commit(String datasetId, String jobId, List<DpEvent> actual, double epsilon, double delta,
            String modelPath) {
        List<DpEvent> events = requireEvents(actual);
        if (!(epsilon >= 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        return settle(datasetId, jobId, EntryType.COMMIT, events, epsilon, delta, modelPath, null);
    }

    /**
     * Aborts the job's open reservation, freeing it. Call only when nothing was published (no model, no progress
     * line, no estimate of the loss): the caller vouches for that.
     *
     * @param reason why, recorded in the entry
     */
    public LedgerEntry abort(String datasetId, String jobId, String reason) {
        return settle(datasetId, jobId, EntryType.ABORT, null, null, null, null, requireText(reason, "abort reason"));
    }

    /** An operator settles a crashed job as spent: its reservation is committed with the planned events. */
    public LedgerEntry resolveCommit(String datasetId, String jobId, String note) {
        DatasetState.JobCharge c = open(state(datasetId), datasetId, jobId);
        LedgerEntry r = c.reservation();
        double eps = DatasetState.epsilon(accountant, r.events(), r.delta());
        return settle(datasetId, jobId, EntryType.COMMIT, r.events(), eps, r.delta(), null,
                "resolved by an operator as spent" + (note == null ? "" : ": " + note));
    }

    /** An operator states that a crashed job published nothing: its reservation is aborted. */
    public LedgerEntry resolveAbort(String datasetId, String jobId, String note) {
        return abort(datasetId, jobId, "resolved by an operator: nothing was published" + (note == null ? "" : ": " + note));
    }

    private LedgerEntry settle(String datasetId, String jobId, EntryType type, List<DpEvent> events, Double epsilon,
            Double delta, String modelPath, String note) {
        requireText(jobId, "job id");
        EntryStore.checkDatasetId(datasetId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            DatasetState state = state(datasetId);
            Optional<DatasetState.JobCharge> latest = state.latest(jobId);
            if (type == EntryType.COMMIT && latest.isPresent()
                    && latest.get().status() == DatasetState.JobStatus.COMMITTED) {
                LedgerEntry s = latest.get().settlement();
                if (s.events().equals(events) && Objects.equals(s.modelPath(), modelPath)
                        && Objects.equals(s.epsilon(), epsilon)) {
                    return s; // the same commit, retried
                }
            }
            LedgerEntry r = open(state, datasetId, jobId).reservation();
            if (type == EntryType.COMMIT && !DatasetState.withinReservation(events, r.events())) {
                throw new LedgerConflictException("job '" + jobId + "' cannot commit " + events + " on dataset '"
                        + datasetId + "': more than its reservation (entry " + r.seq() + ") " + r.events());
            }
            LedgerEntry e = entry(state, type, jobId, r.inputFingerprint(),
                    type == EntryType.COMMIT ? events : List.of(), type == EntryType.COMMIT ? delta : null, null,
                    epsilon, modelPath, r.seq(), note);
            if (store.createIfAbsent(e)) {
                return e;
            }
        }
        throw new IllegalStateException("ledger " + location() + ": could not append to dataset '" + datasetId
                + "' in " + MAX_ATTEMPTS + " attempts (too much contention)");
    }

    private static DatasetState.JobCharge open(DatasetState state, String datasetId, String jobId) {
        Optional<DatasetState.JobCharge> c = state.latest(jobId);
        if (c.isEmpty() || c.get().status() != DatasetState.JobStatus.OPEN) {
            throw new LedgerConflictException("job '" + jobId + "' has no open reservation on dataset '" + datasetId
                    + "'" + c.map(j -> " (it is " + j.status().name().toLowerCase(java.util.Locale.ROOT) + ")").orElse(""));
        }
        return c.get();
    }

    private static LedgerConflictException committed(String datasetId, DatasetState.JobCharge c) {
        return new LedgerConflictException("job id '" + c.jobId() + "' has already committed on dataset '" + datasetId
                + "' (entry " + c.settlement().seq() + "); a job is charged once: run again with a new job id");
    }

    private LedgerEntry append(String datasetId, java.util.function.Function<DatasetState, LedgerEntry> make) {
        EntryStore.checkDatasetId(datasetId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            LedgerEntry e = make.apply(state(datasetId));
            if (store.createIfAbsent(e)) {
                return e;
            }
        }
        throw new IllegalStateException("ledger " + location() + ": could not append to dataset '" + datasetId
                + "' in " + MAX_ATTEMPTS + " attempts (too much contention)");
    }

    private LedgerEntry entry(DatasetState state, EntryType type, String jobId, String fingerprint,
            List<DpEvent> events, Double delta, Budget budget, Double epsilon, String modelPath, Long reservationSeq,
            String note) {
        return new LedgerEntry(LedgerEntry.FORMAT_VERSION, state.nextSeq(), type, state.datasetId(), jobId, user,
                clock.instant(), codeVersion, fingerprint, events, accountantName, delta, budget, epsilon, modelPath,
                reservationSeq, note);
    }

    private Admission admission(DatasetState state, LedgerEntry r, boolean adopted, double jobDelta, double before) {
        double delta = deltaOf(state, jobDelta);
        List<DpEvent> with = adopted ? state.chargedEvents() : new java.util.ArrayList<>(state.chargedEvents());
        if (!adopted) {
            with.addAll(r.events());
        }
        return new Admission(state.datasetId(), r, adopted, state.budget(), delta, before,
                DatasetState.epsilon(accountant, r.events(), delta), DatasetState.epsilon(accountant, with, delta));
    }

    /** The conversion delta: the budget's; without a budget, the smaller of the job's and the charged jobs'. */
    private static double deltaOf(DatasetState state, double jobDelta) {
        if (state.budget().isPresent()) {
            return state.budget().get().delta();
        }
        return Double.isNaN(state.delta()) ? jobDelta : Math.min(state.delta(), jobDelta);
    }

    private static List<DpEvent> without(DatasetState state, LedgerEntry reservation) {
        List<DpEvent> rest = new java.util.ArrayList<>();
        for (DatasetState.JobCharge c : state.charges()) {
            if (c.reservation() != reservation) {
                rest.addAll(c.charged());
            }
        }
        return rest;
    }

    private static List<DpEvent> requireEvents(List<DpEvent> events) {
        if (events == null || events.isEmpty() || events.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("events must be a non-empty list of DP events, got " + events);
        }
        return List.copyOf(events);
    }
}
