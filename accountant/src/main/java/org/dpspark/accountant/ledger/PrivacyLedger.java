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
 * {@link LedgerConflictException}, and at most one attempt of a job id commits.
 *
 * <p><b>Charges match releases.</b> A retry under the same job id while an earlier attempt's reservation is still
 * open (a killed attempt, an Airflow retry with the same {@code run_id}) is charged as an additional run: the earlier
 * reservation stays charged in full (its planned events bound the steps the dead attempt ran, whose progress lines
 * were releases) and the retry gets its own reservation with the next attempt number, both composed in the budget
 * check. A crashed attempt's reservation stays charged until {@link #resolveCommit} or {@link #resolveAbort} settles
 * it. (The one exception, issue #18: a resume from the same attempt's checkpoint continues that attempt's
 * reservation, {@link #resume}.)
 *
 * <p><b>Created only on purpose.</b> {@link #create} makes a ledger (its directory and the marker file
 * {@code ledger.json} with the {@link LedgerPolicy}); {@link #open} and {@link Builder#build()} refuse a location
 * holding no ledger with {@link LedgerNotFoundException}, so a mistyped location never becomes a new, empty ledger.
 * A directory of the layout before marker files ({@code datasets/} without {@code ledger.json}, e.g. format 1
 * ledgers) opens as a legacy ledger with {@link LedgerPolicy#defaults()}.
 *
 * <p><b>Registration.</b> A data owner registers a dataset's locations (paths, tables; {@link DatasetLocations})
 * and input fingerprints ({@link #register}); {@link #datasetForLocation} and {@link #datasetForFingerprint} find
 * the dataset a job's input belongs to. These lookups read every dataset's log (cached entries, so one listing per
 * dataset): fine for tens of datasets, to be replaced by an index if a ledger ever holds thousands.
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
    private final LedgerPolicy policy;

    private PrivacyLedger(Builder b, LedgerPolicy create) {
        this.store = new EntryStore(b.uri, b.conf);
        String where = store.root().toString();
        EntryStore.RootKind kind = store.rootKind();
        if (create != null) {
            switch (kind) {
                case MISSING, EMPTY -> {
                    if (!store.createMarker(LedgerJson.markerToBytes(create, b.clock.instant(), b.user,
                            b.codeVersion))) {
                        throw new IllegalArgumentException("ledger " + where + " already exists (created concurrently)");
                    }
                }
                case MARKED, LEGACY -> throw new IllegalArgumentException("ledger " + where
                        + " already exists; a ledger is created once (use it with --ledger " + where + ")");
                default -> throw new IllegalArgumentException("ledger " + where + ": the location exists and is not "
                        + "an empty directory; create a ledger in a new or empty directory");
            }
            this.policy = create;
        } else {
            this.policy = switch (kind) {
                case MARKED -> LedgerJson.parseMarker(store.readMarker(), where + "/" + EntryStore.MARKER);
                case LEGACY -> LedgerPolicy.defaults();
                case MISSING -> throw new LedgerNotFoundException(where, "does not exist");
                case EMPTY -> throw new LedgerNotFoundException(where, "is an empty directory, not a ledger");
                default -> throw new LedgerNotFoundException(where, "is not a ledger (it has no " + EntryStore.MARKER
                        + ")");
            };
        }
        this.accountant = b.accountant;
        this.accountantName = Objects.requireNonNull(b.accountant.get(), "accountant factory returned null").name()
                .jsonName();
        this.user = b.user;
        this.codeVersion = b.codeVersion;
        this.clock = b.clock;
    }

    /**
     * The existing ledger at {@code uri} (a path or URI on any Hadoop file system) with the defaults of
     * {@link Builder}.
     *
     * @throws LedgerNotFoundException when no ledger is there
     */
    public static PrivacyLedger open(String uri, Configuration conf) {
        return builder(uri).conf(conf).build();
    }

    /**
     * Creates a ledger at {@code uri} (a new or empty directory) with {@code policy}, and opens it.
     *
     * @throws IllegalArgumentException naming the location when a ledger (or anything else) is already there
     */
    public static PrivacyLedger create(String uri, Configuration conf, LedgerPolicy policy) {
        return builder(uri).conf(conf).create(policy);
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

        /**
         * Opens the existing ledger; fails on a location whose file system has no atomic create-if-absent.
         *
         * @throws LedgerNotFoundException when no ledger is there
         */
        public PrivacyLedger build() {
            return new PrivacyLedger(this, null);
        }

        /**
         * Creates the ledger (its directory and marker file, written atomically, with {@code policy}) and opens it.
         *
         * @throws IllegalArgumentException naming the location when a ledger (or anything else) is already there
         */
        public PrivacyLedger create(LedgerPolicy policy) {
            return new PrivacyLedger(this, Objects.requireNonNull(policy, "policy"));
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

    /** The ledger's policy (from its marker; {@link LedgerPolicy#defaults()} for a legacy ledger). */
    public LedgerPolicy policy() {
        return policy;
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

    /**
     * The dataset's log replayed after each of its entries, for a budget dashboard's burn-down: element i is the state
     * of entries 1..i+1 (the log read once), so its spend is the ledger's own composition of what was charged then
     * (never a sum of per-job epsilons) and the last element is {@link #state}. Costs one composition per entry.
     *
     * @throws LedgerCorruptException when an entry is torn, corrupt or missing
     */
    public List<DatasetState> stateHistory(String datasetId) {
        String id = EntryStore.checkDatasetId(datasetId);
        List<LedgerEntry> entries = store.read(datasetId);
        List<DatasetState> states = new java.util.ArrayList<>(entries.size());
        for (int i = 1; i <= entries.size(); i++) {
            states.add(DatasetState.of(id, entries.subList(0, i), accountant));
        }
        return states;
    }

    /**
     * Sets (or changes) the dataset's budget. Lowering it below the spend is allowed: every later job is refused.
     *
     * @throws PrivacyUnitMismatchException when the dataset was already charged for jobs in another unit than the
     *     budget's (their losses would not count against it); nothing is written
     */
    public LedgerEntry setBudget(String datasetId, Budget budget) {
        Objects.requireNonNull(budget, "budget");
        return append(datasetId, state -> {
            Optional<LedgerEntry> first = firstReservation(state);
            if (first.isPresent() && !first.get().unit().equals(budget.privacyUnit())) {
                throw PrivacyUnitMismatchException.charged(state.datasetId(), first.get().unit(), first.get().seq(),
                        "a budget held per " + budget.privacyUnit());
            }
            return entry(state, EntryType.BUDGET, null, null, List.of(), null, budget, null,
                    null, null, null, null, List.of(), List.of(), null);
        });
    }

    /** The dataset's first reservation: without a budget, its unit is the dataset's. */
    private static Optional<LedgerEntry> firstReservation(DatasetState state) {
        return state.entries().stream().filter(e -> e.type() == EntryType.RESERVATION).findFirst();
    }

    /**
     * Registers {@code normalizedLocations} (paths and tables in {@link DatasetLocations}' normal form) as the
     * dataset's: any job reading them, or anything under a registered directory, is charged to it. See the
     * three-argument form.
     */
    public LedgerEntry register(String datasetId, List<String> normalizedLocations) {
        return register(datasetId, normalizedLocations, List.of());
    }

    /**
     * Registers locations and input fingerprints as the dataset's (a register entry in its log). Locations and
     * fingerprints already registered to this dataset are skipped; when nothing is new, the dataset's latest
     * register entry is returned and nothing is written.
     *
     * <p>A location belongs to one dataset: one that equals, lies under, or contains a location registered to
     * another dataset is refused, and so is a fingerprint registered to another dataset or recorded by the
     * reservations of another registered dataset. (The check and the append are not one atomic step across
     * datasets: two owners registering overlapping locations at the same instant could both succeed; lookups then
     * refuse the ambiguous location with {@link LedgerConflictException} rather than pick one.)
     *
     * @throws IllegalArgumentException  when a location is not in normal form, or nothing is given
     * @throws LedgerConflictException   when a location or fingerprint belongs to another dataset
     */
    public LedgerEntry register(String datasetId, List<String> normalizedLocations, List<String> fingerprints) {
        EntryStore.checkDatasetId(datasetId);
        List<String> locs = normalizedLocations == null ? List.of() : List.copyOf(normalizedLocations);
        List<String> fps = fingerprints == null ? List.of() : List.copyOf(fingerprints);
        if (locs.isEmpty() && fps.isEmpty()) {
            throw new IllegalArgumentException("register: give at least one location, table or fingerprint");
        }
        for (String l : locs) {
            if (!DatasetLocations.looksNormalized(l)) {
                throw new IllegalArgumentException("location '" + l + "' is not in normal form (a qualified path "
                        + "without a trailing slash, or table:<db>.<table>; see DatasetLocations)");
            }
        }
        fps.forEach(f -> requireText(f, "fingerprint"));
        for (String other : datasets()) {
            if (other.equals(datasetId)) {
                continue;
            }
            Registration r = registration(other);
            for (String l : locs) {
                for (String theirs : r.locations()) {
                    if (DatasetLocations.overlap(l, theirs)) {
                        throw new LedgerConflictException("location " + l + " is already registered to dataset '"
                                + other + "'" + (l.equals(theirs) ? "" : " (as " + theirs + ")")
                                + ": a location belongs to one dataset");
                    }
                }
            }
            for (String f : fps) {
                if (r.fingerprints().contains(f) || (r.registered() && r.recorded().contains(f))) {
                    throw new LedgerConflictException("fingerprint " + f + " already belongs to dataset '" + other
                            + "': the same rows belong to one dataset");
                }
            }
        }
        for (int tries = 0; tries < MAX_ATTEMPTS; tries++) {
            DatasetState state = state(datasetId);
            List<String> newLocs = locs.stream().distinct()
                    .filter(l -> !state.registeredLocations().contains(l)).toList();
            List<String> newFps = fps.stream().distinct()
                    .filter(f -> !state.registeredFingerprints().contains(f)).toList();
            if (newLocs.isEmpty() && newFps.isEmpty()) {
                List<LedgerEntry> regs = state.entries().stream().filter(e -> e.type() == EntryType.REGISTER).toList();
                return regs.get(regs.size() - 1); // all registered already: nothing to write
            }
            LedgerEntry e = entry(state, EntryType.REGISTER, null, null, List.of(), null, null, null, null, null, null,
                    null, newLocs, newFps, null);
            if (store.createIfAbsent(e)) {
                return e;
            }
        }
        throw new IllegalStateException("ledger " + location() + ": could not append to dataset '" + datasetId
                + "' in " + MAX_ATTEMPTS + " attempts (too much contention)");
    }

    /**
     * The dataset a location belongs to: the one with a registered location equal to {@code normalizedLocation}, or a
     * registered directory it lies under (a path prefix on a '/' boundary). Reads every dataset's log.
     *
     * @throws LedgerConflictException when several datasets claim the location (a registration race)
     */
    public Optional<String> datasetForLocation(String normalizedLocation) {
        requireText(normalizedLocation, "location");
        java.util.TreeSet<String> found = new java.util.TreeSet<>();
        for (String id : datasets()) {
            for (String l : registration(id).locations()) {
                if (DatasetLocations.covers(l, normalizedLocation)) {
                    found.add(id);
                }
            }
        }
        return single(found, "location " + normalizedLocation);
    }

    /**
     * The registered dataset an input fingerprint belongs to: the one whose register entries list it, else a
     * registered dataset whose reservations recorded it as their input (so a copy of a registered dataset in
     * another format, with the same order-independent row fingerprint, is recognized once any job has run on the
     * registered location). Datasets without a register entry are not considered. Reads every dataset's log.
     *
     * @throws LedgerConflictException when several datasets claim the fingerprint at the same level
     */
    public Optional<String> datasetForFingerprint(String fingerprint) {
        requireText(fingerprint, "fingerprint");
        java.util.TreeSet<String> listed = new java.util.TreeSet<>();
        java.util.TreeSet<String> recorded = new java.util.TreeSet<>();
        for (String id : datasets()) {
            Registration r = registration(id);
            if (r.fingerprints().contains(fingerprint)) {
                listed.add(id);
            } else if (r.registered() && r.recorded().contains(fingerprint)) {
                recorded.add(id);
            }
        }
        return listed.isEmpty() ? single(recorded, "fingerprint " + fingerprint)
                : single(listed, "fingerprint " + fingerprint);
    }

    /** Every registered dataset's locations (normalized, in log order), by dataset id, sorted. Reads every log. */
    public java.util.Map<String, List<String>> registrations() {
        java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
        for (String id : datasets()) {
            Registration r = registration(id);
            if (r.registered()) {
                out.put(id, r.locations());
            }
        }
        return out;
    }

    private static Optional<String> single(java.util.SortedSet<String> ids, String what) {
        if (ids.size() > 1) {
            throw new LedgerConflictException(what + " is registered to several datasets " + ids
                    + "; a data owner must settle which one it belongs to");
        }
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.first());
    }

    /** A dataset's registrations, read from its entries without composing its spend. */
    private record Registration(boolean registered, List<String> locations, List<String> fingerprints,
            java.util.Set<String> recorded) {}

    private Registration registration(String datasetId) {
        boolean registered = false;
        java.util.LinkedHashSet<String> locs = new java.util.LinkedHashSet<>();
        java.util.LinkedHashSet<String> fps = new java.util.LinkedHashSet<>();
        java.util.Set<String> recorded = new java.util.HashSet<>();
        for (LedgerEntry e : store.read(datasetId)) {
            if (e.type() == EntryType.REGISTER) {
                registered = true;
                locs.addAll(e.locations());
                fps.addAll(e.fingerprints());
            } else if (e.type() == EntryType.RESERVATION && e.inputFingerprint() != null) {
                recorded.add(e.inputFingerprint());
            }
        }
        return new Registration(registered, List.copyOf(locs), List.copyOf(fps), recorded);
    }

    /**
     * Reserves the planned {@code events} of job {@code jobId} on {@code datasetId}, before its first step.
     *
     * <p>When earlier attempts of the job id are open (a killed attempt, a retry), this attempt is charged in
     * addition: it gets its own reservation with the next attempt number, and the budget check composes the earlier
     * attempts' reservations with it ({@link Admission#earlierOpenAttempts()}).
     *
     * @param inputFingerprint the job input's content hash
     * @param jobDelta         the delta of the job's own guarantee
     * @return the admission; {@link Admission#noCap()} when the dataset has no budget (the caller must say so)
     * @throws BudgetExhaustedException when the composed loss would exceed the budget (nothing written)
     * @throws LedgerConflictException  when the job id has committed
     * @throws PrivacyUnitMismatchException when the dataset's budget is held per user (a row-level job)
     */
    public Admission reserve(String datasetId, String jobId, String inputFingerprint, List<DpEvent> events,
            double jobDelta) {
        return reserve(datasetId, jobId, inputFingerprint, events, jobDelta, Budget.ROW);
    }

    /**
     * As {@link #reserve(String, String, String, List, double)}, for a job whose events protect {@code privacyUnit}
     * ({@link Budget#ROW} or {@link Budget#USER}), recorded in the reservation (and its commit). A dataset's budget is
     * held in one unit: a job in another is refused before anything is written.
     *
     * @throws PrivacyUnitMismatchException when the dataset has a budget held in another unit (nothing written)
     */
    public Admission reserve(String datasetId, String jobId, String inputFingerprint, List<DpEvent> events,
            double jobDelta, String privacyUnit) {
        return reserveAttempt(datasetId, jobId, inputFingerprint, events, jobDelta,
                Budget.requireUnit("privacy unit", privacyUnit));
    }

    /**
     * Refuses, as {@link #reserve} would, a job in another unit than the one the dataset's loss is held in (its
     * budget's, or without a budget its first job's), so that a run can say so before any work. Writes nothing.
     *
     * @throws PrivacyUnitMismatchException on a mismatch
     */
    public void requireUnit(String datasetId, String privacyUnit) {
        refuseUnitMismatch(state(datasetId), Budget.requireUnit("privacy unit", privacyUnit));
    }

    /**
     * Continues attempt {@code attempt} of job {@code jobId} from its own checkpoint (issue #18): its reservation,
     * made before the attempt's first step for the whole planned run, already charges the resumed steps, so nothing
     * is written and the attempt is committed once, by the resumed run. The reservation must be open and hold
     * exactly {@code events} of the input {@code inputFingerprint}.
     *
     * <p>The ledger cannot tell which steps the checkpoint stood for: the caller vouches that no step after the
     * checkpoint released anything (dpspark checkpoints before every progress line) and that no other resume of the
     * attempt runs at the same time.
     *
     * @return the admission of the open attempt (spent before/after: the dataset's charge without/with it)
     * @throws LedgerConflictException when the job has committed, or the attempt is settled or unknown
     * @throws IllegalArgumentException when the reservation holds other events or another input
     */
    public Admission resume(String datasetId, String jobId, int attempt, String inputFingerprint,
            List<DpEvent> events, double jobDelta) {
        requireText(jobId, "job id");
        List<DpEvent> planned = requireEvents(events);
        EntryStore.checkDatasetId(datasetId);
        DatasetState state = state(datasetId);
        Optional<DatasetState.JobCharge> done = state.committed(jobId);
        if (done.isPresent()) {
            throw committed(datasetId, done.get());
        }
        DatasetState.JobCharge charge = state.attempt(jobId, attempt).orElseThrow(() -> new LedgerConflictException(
                "ledger " + location() + ": dataset '" + datasetId + "' has no attempt " + attempt + " of job '" + jobId
                        + "' to resume"));
        if (charge.status() != DatasetState.JobStatus.OPEN) {
            throw new LedgerConflictException("ledger " + location() + ": attempt " + attempt + " of job '" + jobId
                    + "' on dataset '" + datasetId + "' is " + charge.status().name().toLowerCase(java.util.Locale.ROOT)
                    + " (settled), so it cannot be resumed: run it as a new job");
        }
        LedgerEntry r = charge.reservation();
        if (!planned.equals(r.events())) {
            throw new IllegalArgumentException("ledger " + location() + ": attempt " + attempt + " of job '" + jobId
                    + "' reserved other DP events than this run plans: " + r.events() + " vs " + planned);
        }
        if (r.inputFingerprint() != null && !r.inputFingerprint().equals(inputFingerprint)) {
            throw new IllegalArgumentException("ledger " + location() + ": attempt " + attempt + " of job '" + jobId
                    + "' reserved input " + r.inputFingerprint() + ", this run reads " + inputFingerprint);
        }
        int otherOpen = (int) state.attempts(jobId).stream()
                .filter(c -> c.attempt() != attempt && c.status() == DatasetState.JobStatus.OPEN).count();
        double delta = deltaOf(state, jobDelta);
        List<DpEvent> without = new java.util.ArrayList<>();
        for (DatasetState.JobCharge c : state.charges()) {
            if (!(c.jobId().equals(jobId) && c.attempt() == attempt)) {
                without.addAll(c.charged());
            }
        }
        double before = DatasetState.epsilon(accountant, without, delta);
        double after = state.budget().isPresent() ? state.spentEpsilon()
                : DatasetState.epsilon(accountant, state.chargedEvents(), delta);
        return new Admission(datasetId, r, attempt, otherOpen, state.budget(), delta, before,
                DatasetState.epsilon(accountant, planned, delta), after);
    }

    /**
     * The reservation of a new attempt. A resume from an attempt's own checkpoint continues that attempt's
     * reservation instead ({@link #resume}).
     */
    private Admission reserveAttempt(String datasetId, String jobId, String inputFingerprint, List<DpEvent> events,
            double jobDelta, String privacyUnit) {
        requireText(jobId, "job id");
        requireText(inputFingerprint, "input fingerprint");
        List<DpEvent> planned = requireEvents(events);
        if (!(jobDelta > 0 && jobDelta < 1)) {
            throw new IllegalArgumentException("job delta must be in (0, 1), got " + jobDelta);
        }
        EntryStore.checkDatasetId(datasetId);
        for (int tries = 0; tries < MAX_ATTEMPTS; tries++) {
            DatasetState state = state(datasetId);
            Optional<DatasetState.JobCharge> done = state.committed(jobId);
            if (done.isPresent()) {
                throw committed(datasetId, done.get());
            }
            refuseUnitMismatch(state, privacyUnit);
            List<DatasetState.JobCharge> earlier = state.attempts(jobId);
            int attempt = earlier.stream().mapToInt(DatasetState.JobCharge::attempt).max().orElse(0) + 1;
            int earlierOpen = (int) earlier.stream().filter(c -> c.status() == DatasetState.JobStatus.OPEN).count();
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
                    null, null, null, attempt == 1 ? null : attempt, List.of(), List.of(), privacyUnit);
            if (store.createIfAbsent(r)) {
                return new Admission(datasetId, r, attempt, earlierOpen, state.budget(), delta, before,
                        DatasetState.epsilon(accountant, planned, delta), after);
            }
        }
        throw new IllegalStateException("ledger " + location() + ": could not append to dataset '" + datasetId
                + "' in " + MAX_ATTEMPTS + " attempts (too much contention)");
    }

    /**
     * A dry run of {@link #reserve}: the admission the job would get now, or the {@link BudgetExhaustedException}
     * it would get. Writes nothing. The unit is not checked (see the overload with the job's unit).
     */
    public Admission check(String datasetId, List<DpEvent> events, double jobDelta) {
        return check(datasetId, events, jobDelta, null);
    }

    /**
     * A dry run of {@link #reserve(String, String, String, List, double, String)}: as {@link #check(String, List,
     * double)}, and refused with {@link PrivacyUnitMismatchException} as the reservation would be when the budget is
     * held in another unit than {@code privacyUnit} (null: not checked). Writes nothing.
     */
    public Admission check(String datasetId, List<DpEvent> events, double jobDelta, String privacyUnit) {
        List<DpEvent> planned = requireEvents(events);
        if (!(jobDelta > 0 && jobDelta < 1)) {
            throw new IllegalArgumentException("job delta must be in (0, 1), got " + jobDelta);
        }
        DatasetState state = state(datasetId);
        if (privacyUnit != null) {
            refuseUnitMismatch(state, Budget.requireUnit("privacy unit", privacyUnit));
        }
        double delta = deltaOf(state, jobDelta);
        double before = DatasetState.epsilon(accountant, state.chargedEvents(), delta);
        List<DpEvent> with = new java.util.ArrayList<>(state.chargedEvents());
        with.addAll(planned);
        double after = DatasetState.epsilon(accountant, with, delta);
        double alone = DatasetState.epsilon(accountant, planned, delta);
        if (state.budget().isPresent() && !(after <= state.budget().get().epsilon())) {
            throw new BudgetExhaustedException(datasetId, state.budget().get(), before, alone, after);
        }
        return new Admission(datasetId, null, 0, 0, state.budget(), delta, before, alone, after);
    }

    /**
     * Fails with {@link LedgerConflictException} if {@code jobId} has already committed on the dataset: lets a job
     * be refused before it reads any data.
     */
    public void checkNotCommitted(String datasetId, String jobId) {
        requireText(jobId, "job id");
        Optional<DatasetState.JobCharge> c = state(datasetId).committed(jobId);
        if (c.isPresent()) {
            throw committed(datasetId, c.get());
        }
    }

    /**
     * Commits the job's latest attempt (its open reservation) with its actual events (at most the reserved ones), its
     * epsilon and the model's path. Repeating an identical commit returns the existing entry.
     *
     * @throws LedgerConflictException when the job's latest attempt is not open, another attempt has committed, or
     *     the events exceed the reservation
     */
    public LedgerEntry commit(String datasetId, String jobId, List<DpEvent> actual, double epsilon, double delta,
            String modelPath) {
        return commit(datasetId, jobId, 0, actual, epsilon, delta, modelPath);
    }

    /**
     * As {@link #commit(String, String, List, double, double, String)}, of attempt {@code attempt} (0: the latest):
     * a run commits the attempt its {@link Admission} reserved, so an older attempt still running cannot settle a
     * newer attempt's reservation.
     */
    public LedgerEntry commit(String datasetId, String jobId, int attempt, List<DpEvent> actual, double epsilon,
            double delta, String modelPath) {
        List<DpEvent> events = requireEvents(actual);
        if (!(epsilon >= 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        return settle(datasetId, jobId, attempt, EntryType.COMMIT, events, epsilon, delta, modelPath, null);
    }

    /**
     * Aborts the job's open reservation, freeing it. Call only when nothing was published (no model, no progress
     * line, no estimate of the loss): the caller vouches for that.
     *
     * @param reason why, recorded in the entry
     */
    public LedgerEntry abort(String datasetId, String jobId, String reason) {
        return abort(datasetId, jobId, 0, reason);
    }

    /** As {@link #abort(String, String, String)}, of attempt {@code attempt} (0: the latest). */
    public LedgerEntry abort(String datasetId, String jobId, int attempt, String reason) {
        return settle(datasetId, jobId, attempt, EntryType.ABORT, null, null, null, null,
                requireText(reason, "abort reason"));
    }

    /** An operator settles a crashed job's latest open attempt as spent (see the attempt overload). */
    public LedgerEntry resolveCommit(String datasetId, String jobId, String note) {
        return resolveCommit(datasetId, jobId, 0, note);
    }

    /**
     * An operator settles a crashed attempt as spent: its reservation is committed with the planned events.
     *
     * @param attempt the attempt, or 0 for the job's latest open attempt
     */
    public LedgerEntry resolveCommit(String datasetId, String jobId, int attempt, String note) {
        DatasetState state = state(datasetId);
        int a = attempt == 0 ? latestOpen(state, datasetId, jobId) : attempt;
        LedgerEntry r = open(state, datasetId, jobId, a).reservation();
        double eps = DatasetState.epsilon(accountant, r.events(), r.delta());
        return settle(datasetId, jobId, a, EntryType.COMMIT, r.events(), eps, r.delta(), null,
                "resolved by an operator as spent" + (note == null ? "" : ": " + note));
    }

    /** An operator states that a crashed job's latest open attempt published nothing (see the attempt overload). */
    public LedgerEntry resolveAbort(String datasetId, String jobId, String note) {
        return resolveAbort(datasetId, jobId, 0, note);
    }

    /**
     * An operator states that a crashed attempt published nothing: its reservation is aborted.
     *
     * @param attempt the attempt, or 0 for the job's latest open attempt
     */
    public LedgerEntry resolveAbort(String datasetId, String jobId, int attempt, String note) {
        int a = attempt == 0 ? latestOpen(state(datasetId), datasetId, jobId) : attempt;
        return abort(datasetId, jobId, a, "resolved by an operator: nothing was published"
                + (note == null ? "" : ": " + note));
    }

    private static int latestOpen(DatasetState state, String datasetId, String jobId) {
        List<DatasetState.JobCharge> open = state.attempts(jobId).stream()
                .filter(c -> c.status() == DatasetState.JobStatus.OPEN).toList();
        if (open.isEmpty()) {
            return 0; // open() reports it
        }
        return open.get(open.size() - 1).attempt();
    }

    private LedgerEntry settle(String datasetId, String jobId, int attemptNo, EntryType type, List<DpEvent> events,
            Double epsilon, Double delta, String modelPath, String note) {
        requireText(jobId, "job id");
        if (attemptNo < 0) {
            throw new IllegalArgumentException("attempt must be >= 1 (or 0: the latest), got " + attemptNo);
        }
        EntryStore.checkDatasetId(datasetId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            DatasetState state = state(datasetId);
            Optional<DatasetState.JobCharge> done = state.committed(jobId);
            if (type == EntryType.COMMIT && done.isPresent()) {
                LedgerEntry s = done.get().settlement();
                if (s.events().equals(events) && Objects.equals(s.modelPath(), modelPath)
                        && Objects.equals(s.epsilon(), epsilon)
                        && (attemptNo == 0 || attemptNo == done.get().attempt())) {
                    return s; // the same commit, retried
                }
                throw committed(datasetId, done.get());
            }
            LedgerEntry r = open(state, datasetId, jobId, attemptNo).reservation();
            if (type == EntryType.COMMIT && !DatasetState.withinReservation(events, r.events())) {
                throw new LedgerConflictException("job '" + jobId + "' cannot commit " + events + " on dataset '"
                        + datasetId + "': more than its reservation (entry " + r.seq() + ") " + r.events());
            }
            LedgerEntry e = entry(state, type, jobId, r.inputFingerprint(),
                    type == EntryType.COMMIT ? events : List.of(), type == EntryType.COMMIT ? delta : null, null,
                    epsilon, modelPath, r.seq(), note, null, List.of(), List.of(),
                    type == EntryType.COMMIT ? r.unit() : null);
            if (store.createIfAbsent(e)) {
                return e;
            }
        }
        throw new IllegalStateException("ledger " + location() + ": could not append to dataset '" + datasetId
                + "' in " + MAX_ATTEMPTS + " attempts (too much contention)");
    }

    /** The open reservation of the job's attempt {@code attemptNo} (0: its latest attempt). */
    private static DatasetState.JobCharge open(DatasetState state, String datasetId, String jobId, int attemptNo) {
        Optional<DatasetState.JobCharge> c = attemptNo == 0 ? state.latest(jobId) : state.attempt(jobId, attemptNo);
        if (c.isEmpty() || c.get().status() != DatasetState.JobStatus.OPEN) {
            String which = attemptNo == 0 ? "" : " attempt " + attemptNo;
            throw new LedgerConflictException("job '" + jobId + "'" + which + " has no open reservation on dataset '"
                    + datasetId + "'" + c.map(j -> " (" + (attemptNo == 0 ? "its latest attempt, " + j.attempt()
                    + ", " : "") + "is " + j.status().name().toLowerCase(java.util.Locale.ROOT) + ")").orElse(""));
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
            String note, Integer attempt, List<String> locations, List<String> fingerprints, String privacyUnit) {
        return new LedgerEntry(LedgerEntry.formatVersionFor(type, attempt, privacyUnit, events), state.nextSeq(), type,
                state.datasetId(), jobId, user, clock.instant(), codeVersion, fingerprint, events, accountantName, delta,
                budget, epsilon, modelPath, reservationSeq, note, attempt, locations, fingerprints, privacyUnit);
    }

    /**
     * A dataset's loss is held in one unit: its budget's, or, without a budget, its first job's (the spend of jobs in
     * two units would not compose into one guarantee). A job in another unit is refused before anything is written.
     */
    private static void refuseUnitMismatch(DatasetState state, String privacyUnit) {
        Optional<Budget> budget = state.budget();
        if (budget.isPresent()) {
            if (!budget.get().privacyUnit().equals(privacyUnit)) {
                throw new PrivacyUnitMismatchException(state.datasetId(), budget.get().privacyUnit(), privacyUnit);
            }
            return;
        }
        Optional<LedgerEntry> first = firstReservation(state);
        if (first.isPresent() && !first.get().unit().equals(privacyUnit)) {
            throw PrivacyUnitMismatchException.charged(state.datasetId(), first.get().unit(), first.get().seq(),
                    "a job that protects each " + privacyUnit);
        }
    }

    /** The conversion delta: the budget's; without a budget, the smaller of the job's and the charged jobs'. */
    private static double deltaOf(DatasetState state, double jobDelta) {
        if (state.budget().isPresent()) {
            return state.budget().get().delta();
        }
        return Double.isNaN(state.delta()) ? jobDelta : Math.min(state.delta(), jobDelta);
    }

    private static List<DpEvent> requireEvents(List<DpEvent> events) {
        if (events == null || events.isEmpty() || events.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("events must be a non-empty list of DP events, got " + events);
        }
        return List.copyOf(events);
    }
}
