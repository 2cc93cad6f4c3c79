package org.dpspark.accountant.ledger;

import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.DpEvent;

/**
 * One immutable entry of a dataset's append-only log (JSON, {@value #FORMAT_VERSION}; see {@link LedgerJson}).
 *
 * <p>Every entry carries the common fields; the type-specific ones are {@code null} where they do not apply:
 * <ul>
 *   <li>{@link EntryType#BUDGET}: {@code budget}; no job id, no events;</li>
 *   <li>{@link EntryType#RESERVATION}: {@code delta} (the job's own delta);</li>
 *   <li>{@link EntryType#COMMIT}: {@code reservationSeq}, {@code epsilon} and {@code delta} (the job's own
 *       guarantee), {@code modelPath} (null when an operator settled a crashed job), {@code note};</li>
 *   <li>{@link EntryType#ABORT}: {@code reservationSeq}, {@code note} (why);</li>
 *   <li>{@link EntryType#REGISTER} (format 2): {@code locations} and/or {@code fingerprints}; no job id, no
 *       events.</li>
 * </ul>
 * A reservation's {@code attempt} is the attempt number of its job id (1, 2, ...): a retry under the same job id
 * while an earlier attempt is open gets its own reservation, charged in addition. Null means 1 (every format 1
 * reservation).
 *
 * <p>A reservation and its commit record the job's privacy unit ({@code privacyUnit}: {@link Budget#ROW} or
 * {@link Budget#USER}, the unit its events protect). Null means {@link Budget#ROW}: every entry written before the
 * field existed was a row-level job ({@link #unit()}).
 *
 * <p>Versions: an entry is written in the lowest format that holds it, so ledgers that use no new feature stay
 * readable by older dpspark: format 1 for budget, commit, abort, and first-attempt row-level reservations; format 2
 * for register entries, reservations of attempt 2 and later, and user-level reservations and commits (an older
 * reader refuses those rather than miss an attempt's charge or a registration, or read a per-user charge as a
 * per-row one); format 3 for reservations and commits with a distributed discrete Gaussian event
 * ({@link DpEvent#isDiscrete()}, secure aggregation: an older reader would ignore the event's mechanism and
 * miscount it as a continuous Gaussian, so it must refuse it); format 4 for reservations and commits with a
 * hyperparameter search event ({@link DpEvent#isSelection()}: an older reader would read it as one training run of
 * its per-trial steps, undercounting K trials, so it must refuse it). See {@link #formatVersionFor}.
 *
 * @param formatVersion    the entry format's version
 * @param seq              position in the dataset's log, from 1, without gaps
 * @param type             the kind of entry
 * @param datasetId        the dataset
 * @param jobId            the job (null for budget entries)
 * @param user             who wrote the entry (the OS user)
 * @param time             when it was written
 * @param codeVersion      the dpspark version that wrote it
 * @param inputFingerprint the job input's content hash (null for budget entries)
 * @param events           the DP events: planned (reservation) or actual (commit); empty for budget entries (format 3
 *                         when one is a distributed discrete Gaussian)
 * @param accountant       the accountant that computed the job's guarantee (e.g. "rdp")
 * @param delta            the job's delta (reservation, commit)
 * @param budget           the budget (budget entries)
 * @param epsilon          the job's epsilon at {@code delta} (commit)
 * @param modelPath        where the model was published (commit)
 * @param reservationSeq   the reservation a commit or abort settles
 * @param note             free text: why an abort, who resolved a commit
 * @param attempt          the job's attempt number (reservation, format 2 when &gt; 1); null means 1
 * @param locations        the normalized locations registered ({@link DatasetLocations}; register)
 * @param fingerprints     the input fingerprints registered (register)
 * @param privacyUnit      the job's privacy unit, {@link Budget#ROW} or {@link Budget#USER} (reservation, commit;
 *                         format 2 when user); null means row
 */
public record LedgerEntry(
        int formatVersion,
        long seq,
        EntryType type,
        String datasetId,
        String jobId,
        String user,
        Instant time,
        String codeVersion,
        String inputFingerprint,
        List<DpEvent> events,
        String accountant,
        Double delta,
        Budget budget,
        Double epsilon,
        String modelPath,
        Long reservationSeq,
        String note,
        Integer attempt,
        List<String> locations,
        List<String> fingerprints,
        String privacyUnit) {

    /** The newest format this version writes. Readers accept versions 1 up to this one. */
    public static final int FORMAT_VERSION = 4;

    /** An entry of format 1's fields (attempt 1, nothing registered). */
    public LedgerEntry(int formatVersion, long seq, EntryType type, String datasetId, String jobId, String user,
            Instant time, String codeVersion, String inputFingerprint, List<DpEvent> events, String accountant,
            Double delta, Budget budget, Double epsilon, String modelPath, Long reservationSeq, String note) {
        this(formatVersion, seq, type, datasetId, jobId, user, time, codeVersion, inputFingerprint, events, accountant,
                delta, budget, epsilon, modelPath, reservationSeq, note, null, List.of(), List.of(), null);
    }

    /** An entry without a recorded privacy unit (read as {@link Budget#ROW}). */
    public LedgerEntry(int formatVersion, long seq, EntryType type, String datasetId, String jobId, String user,
            Instant time, String codeVersion, String inputFingerprint, List<DpEvent> events, String accountant,
            Double delta, Budget budget, Double epsilon, String modelPath, Long reservationSeq, String note,
            Integer attempt, List<String> locations, List<String> fingerprints) {
        this(formatVersion, seq, type, datasetId, jobId, user, time, codeVersion, inputFingerprint, events, accountant,
                delta, budget, epsilon, modelPath, reservationSeq, note, attempt, locations, fingerprints, null);
    }

    /** The lowest format that holds an entry of {@code type} with {@code attempt}, row level (see the class comment). */
    public static int formatVersionFor(EntryType type, Integer attempt) {
        return formatVersionFor(type, attempt, null);
    }

    /**
     * The lowest format that holds an entry of {@code type} with {@code attempt} and {@code privacyUnit} (null: row):
     * 2 for register entries, attempts after the first and user-level entries, else 1.
     */
    public static int formatVersionFor(EntryType type, Integer attempt, String privacyUnit) {
        return type == EntryType.REGISTER || (attempt != null && attempt > 1) || Budget.USER.equals(privacyUnit)
                ? 2 : 1;
    }

    /**
     * The lowest format that holds an entry of {@code type} with {@code attempt}, {@code privacyUnit} (null: row) and
     * {@code events}: 4 when an event is a hyperparameter search ({@link DpEvent#isSelection()}), 3 when one is a
     * distributed discrete Gaussian ({@link DpEvent#isDiscrete()}), else as
     * {@link #formatVersionFor(EntryType, Integer, String)}.
     */
    public static int formatVersionFor(EntryType type, Integer attempt, String privacyUnit, List<DpEvent> events) {
        if (events != null && events.stream().anyMatch(e -> e != null && e.isSelection())) {
            return 4;
        }
        if (events != null && events.stream().anyMatch(e -> e != null && e.isDiscrete())) {
            return 3;
        }
        return formatVersionFor(type, attempt, privacyUnit);
    }

    /** The job's privacy unit: {@link #privacyUnit} or {@link Budget#ROW} when absent (entries before the field). */
    public String unit() {
        return privacyUnit == null ? Budget.ROW : privacyUnit;
    }

    /** The attempt number: {@link #attempt} or 1 when absent. */
    public int attemptNumber() {
        return attempt == null ? 1 : attempt;
    }

    /** Checks the fields each type needs; copies {@code events}. */
    public LedgerEntry {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, got " + seq);
        }
        if (type == null || datasetId == null || user == null || time == null || codeVersion == null
                || accountant == null) {
            throw new IllegalArgumentException("type, dataset_id, user, time, code_version and accountant are required");
        }
        events = events == null ? List.of() : List.copyOf(events);
        locations = locations == null ? List.of() : List.copyOf(locations);
        fingerprints = fingerprints == null ? List.of() : List.copyOf(fingerprints);
        if (attempt != null && (type != EntryType.RESERVATION || attempt < 1)) {
            throw new IllegalArgumentException("only a reservation has an attempt number, >= 1, got " + attempt);
        }
        if (type != EntryType.REGISTER && (!locations.isEmpty() || !fingerprints.isEmpty())) {
            throw new IllegalArgumentException("only a register entry has locations and fingerprints");
        }
        if (privacyUnit != null) {
            if (type != EntryType.RESERVATION && type != EntryType.COMMIT) {
                throw new IllegalArgumentException("only a reservation or a commit records a privacy unit, not a "
                        + type.jsonName());
            }
            Budget.requireUnit("privacy unit", privacyUnit);
        }
        int needed = formatVersionFor(type, attempt, privacyUnit, events);
        if (formatVersion < needed) {
            throw new IllegalArgumentException("a " + (Budget.USER.equals(privacyUnit) ? "user-level " : "")
                    + type.jsonName() + (attempt != null && attempt > 1 ? " of attempt " + attempt : "")
                    + (needed == 3 ? " with a distributed discrete Gaussian event" : "")
                    + (needed == 4 ? " with a hyperparameter search (repeat-and-select) event" : "")
                    + " needs format version " + needed + ", got " + formatVersion);
        }
        switch (type) {
            case BUDGET -> {
                if (budget == null) {
                    throw new IllegalArgumentException("a budget entry needs its budget");
                }
            }
            case RESERVATION, COMMIT -> {
                if (jobId == null || events.isEmpty() || delta == null) {
                    throw new IllegalArgumentException("a " + type.jsonName() + " needs a job id, events and delta");
                }
                if (type == EntryType.COMMIT && (reservationSeq == null || epsilon == null)) {
                    throw new IllegalArgumentException("a commit needs its reservation_seq and epsilon");
                }
            }
            case ABORT -> {
                if (jobId == null || reservationSeq == null) {
                    throw new IllegalArgumentException("an abort needs a job id and its reservation_seq");
                }
            }
            case REGISTER -> {
                if (jobId != null || !events.isEmpty() || (locations.isEmpty() && fingerprints.isEmpty())) {
                    throw new IllegalArgumentException("a register entry needs locations or fingerprints, and no job");
                }
            }
            default -> throw new IllegalArgumentException("unknown type " + type);
        }
    }

    /** This entry at another sequence number (the ledger assigns seq when it appends). */
    LedgerEntry withSeq(long newSeq) {
        return new LedgerEntry(formatVersion, newSeq, type, datasetId, jobId, user, time, codeVersion, inputFingerprint,
                events, accountant, delta, budget, epsilon, modelPath, reservationSeq, note, attempt, locations,
                fingerprints, privacyUnit);
    }
}
