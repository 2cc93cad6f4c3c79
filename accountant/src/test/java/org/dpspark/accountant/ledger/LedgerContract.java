package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger's behaviour on one file system: admission, composition, exactly once, settlement, corruption. A
 * subclass names the file system: a fresh, empty ledger location per test ({@link #location()}) and the Hadoop
 * configuration to reach it. {@link PrivacyLedgerTest} runs it on the local file system; ledger-hdfs-it on HDFS.
 * The tests damage entries through the Hadoop FileSystem API, so they mean the same on every file system.
 */
abstract class LedgerContract {
    static final double DELTA = 1e-5;
    static final List<DpEvent> JOB = List.of(new DpEvent(0.01, 1.0, 1000));

    /** A location (path or URI) where no ledger exists yet; a new one for every test. */
    protected abstract String location();

    /** The Hadoop configuration for {@link #location()}; null for the defaults. */
    protected abstract Configuration conf();

    @BeforeEach
    void createLedger() {
        PrivacyLedger.create(location(), conf(), LedgerPolicy.defaults());
    }

    PrivacyLedger ledger() {
        return PrivacyLedger.builder(location()).conf(conf()).user("tester").codeVersion("test").build();
    }

    private FileSystem fs() throws IOException {
        return new Path(location()).getFileSystem(conf() == null ? new Configuration() : conf());
    }

    private byte[] readAll(Path p) throws IOException {
        try (InputStream in = fs().open(p)) {
            return in.readAllBytes();
        }
    }

    private void overwrite(Path p, byte[] bytes) throws IOException {
        try (OutputStream out = fs().create(p, true)) {
            out.write(bytes);
        }
    }

    private long count(Path dir) throws IOException {
        return fs().listStatus(dir).length;
    }

    /**
     * Independent of the ledger's BestAccountant: one RdpAccountant and one PldAccountant each composing every
     * event given, and the smaller epsilon.
     */
    @SafeVarargs
    private static double composed(double delta, List<DpEvent>... jobs) {
        return Math.min(rdpComposed(delta, jobs), pldComposed(delta, jobs));
    }

    @SafeVarargs
    private static double rdpComposed(double delta, List<DpEvent>... jobs) {
        RdpAccountant acc = new RdpAccountant();
        Arrays.stream(jobs).flatMap(List::stream).forEach(acc::compose);
        return acc.epsilon(delta);
    }

    @SafeVarargs
    private static double pldComposed(double delta, List<DpEvent>... jobs) {
        PldAccountant acc = new PldAccountant();
        Arrays.stream(jobs).flatMap(List::stream).forEach(acc::compose);
        return acc.epsilon(delta);
    }

    @Test
    void stateHistory_replaysEachPrefix_composedNotSummed_endingAtTheState() {
        PrivacyLedger l = ledger();
        l.setBudget("ds", new Budget(5.0, DELTA, Budget.ROW));
        l.reserve("ds", "a", "fp", JOB, DELTA);
        l.commit("ds", "a", JOB, composed(DELTA, JOB), DELTA, "/m/a");
        l.reserve("ds", "b", "fp", JOB, DELTA); // left open: charged
        List<DatasetState> h = l.stateHistory("ds");
        DatasetState now = l.state("ds");
        assertEquals(now.entries().size(), h.size());
        assertEquals(0.0, h.get(0).spentEpsilon(), 0);
        assertEquals(composed(DELTA, JOB), h.get(1).spentEpsilon(), 1e-12);
        assertEquals(h.get(1).spentEpsilon(), h.get(2).spentEpsilon(), 0, "a commit of the reserved events");
        assertEquals(composed(DELTA, JOB, JOB), h.get(3).spentEpsilon(), 1e-12);
        assertTrue(h.get(3).spentEpsilon() < 2 * composed(DELTA, JOB));
        assertEquals(now.spentEpsilon(), h.get(3).spentEpsilon(), 0);
        assertEquals(now.remainingEpsilon(), h.get(3).remainingEpsilon(), 0);
        assertEquals(List.of(), l.stateHistory("nothing"));
    }

    Path entry(String dataset, long seq) {
        return new Path(new Path(new Path(new Path(location(), "datasets"), dataset), "entries"),
                EntryStore.fileName(seq));
    }

    @Test
    void reserve_withinBudget_isAdmittedAndWrittenBeforeTraining() throws IOException {
        PrivacyLedger l = ledger();
        double one = composed(DELTA, JOB);
        l.setBudget("ds", new Budget(2.5 * one, DELTA, Budget.ROW));
        Admission a = l.reserve("ds", "job-1", "sha256:aa", JOB, DELTA);
        assertFalse(a.adopted());
        assertEquals(2, a.reservation().seq());
        assertEquals(0.0, a.spentBefore());
        assertEquals(one, a.jobEpsilon(), 0.0);
        assertEquals(one, a.spentAfter(), 0.0);
        assertTrue(fs().getFileStatus(entry("ds", 2)).isFile());
        DatasetState s = l.state("ds");
        assertEquals(DatasetState.JobStatus.OPEN, s.latest("job-1").orElseThrow().status());
        assertEquals(one, s.spentEpsilon(), 0.0);
    }

    @Test
    void cumulativeLoss_composesRdpCurves_neverAddsEpsilons() {
        PrivacyLedger l = ledger();
        List<DpEvent> other = List.of(new DpEvent(0.02, 1.5, 300), new DpEvent(0.02, 3.0, 100));
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        l.commit("ds", "a", JOB, composed(DELTA, JOB), DELTA, "file:/m/a");
        l.reserve("ds", "b", "sha256:aa", other, DELTA);
        l.reserve("ds", "c", "sha256:aa", JOB, DELTA);
        DatasetState s = l.state("ds");
        double expected = composed(DELTA, JOB, other, JOB);
        double sum = 2 * composed(DELTA, JOB) + composed(DELTA, other);
        assertEquals(expected, s.spentEpsilon(), 1e-12);
        assertTrue(s.spentEpsilon() < 0.9 * sum, "spent " + s.spentEpsilon() + " vs sum " + sum);
        assertEquals(3, s.charges().size());
        // Heterogeneous PLD composition is what the ledger charges here: tighter than RDP over the same events.
        assertEquals("min(rdp,pld)", s.accountant());
        assertEquals(pldComposed(DELTA, JOB, other, JOB), s.spentEpsilon(), 1e-12);
        assertTrue(s.spentEpsilon() < 0.95 * rdpComposed(DELTA, JOB, other, JOB));
        // An RDP-only ledger over the same files charges RDP's composition.
        DatasetState rdpOnly = PrivacyLedger.builder(location()).conf(conf()).accountant(RdpAccountant::new).build()
                .state("ds");
        assertEquals(rdpComposed(DELTA, JOB, other, JOB), rdpOnly.spentEpsilon(), 1e-12);
        assertEquals("rdp", rdpOnly.accountant());
    }

    @Test
    void reserve_beyondBudget_isRefusedWithSpentRequestedRemaining_andWritesNothing() {
        PrivacyLedger l = ledger();
        double one = composed(DELTA, JOB);
        double two = composed(DELTA, JOB, JOB);
        double budget = (one + two) / 2; // admits one job, not two
        l.setBudget("ds", new Budget(budget, DELTA, Budget.ROW));
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
                () -> l.reserve("ds", "b", "sha256:aa", JOB, DELTA));
        assertEquals(one, e.spentEpsilon(), 1e-12);
        assertEquals(one, e.requestedEpsilon(), 1e-12);
        assertEquals(two, e.composedEpsilon(), 1e-12);
        assertEquals(budget - one, e.remainingEpsilon(), 1e-12);
        String m = e.getMessage();
        assertFalse(m.contains("\n"));
        assertTrue(m.contains("spent epsilon " + String.format(java.util.Locale.ROOT, "%.4f", one)), m);
        assertTrue(m.contains("requested") && m.contains("remaining") && m.contains("'ds'"), m);
        assertEquals(2, l.state("ds").entries().size(), "a refusal wrote an entry");
        // The dry run agrees, and writes nothing either.
        assertThrows(BudgetExhaustedException.class, () -> l.check("ds", JOB, DELTA));
        assertEquals(2, l.state("ds").entries().size());
    }

    @Test
    void noBudget_jobIsRecorded_andTheAdmissionSaysNoCap() {
        PrivacyLedger l = ledger();
        Admission a = l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        assertTrue(a.noCap());
        assertEquals(Double.POSITIVE_INFINITY, a.remainingAfter());
        assertEquals(1, l.state("ds").entries().size());
    }

    @Test
    void committedJobId_isNeverChargedAgain() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        l.commit("ds", "a", JOB, 1.0, DELTA, "file:/m");
        LedgerConflictException e = assertThrows(LedgerConflictException.class,
                () -> l.reserve("ds", "a", "sha256:aa", JOB, DELTA));
        assertTrue(e.getMessage().contains("already committed"), e.getMessage());
        assertThrows(LedgerConflictException.class, () -> l.checkNotCommitted("ds", "a"));
        assertEquals(2, l.state("ds").entries().size());
        // Repeating the identical commit is idempotent.
        assertEquals(2, l.commit("ds", "a", JOB, 1.0, DELTA, "file:/m").seq());
    }

    @Test
    void commit_chargesActualEvents_andCannotExceedTheReservation() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        List<DpEvent> more = List.of(new DpEvent(0.01, 1.0, 1001));
        assertThrows(LedgerConflictException.class, () -> l.commit("ds", "a", more, 1.0, DELTA, "m"));
        assertThrows(LedgerConflictException.class,
                () -> l.commit("ds", "a", List.of(new DpEvent(0.01, 0.9, 10)), 1.0, DELTA, "m"));
        List<DpEvent> fewer = List.of(new DpEvent(0.01, 1.0, 400));
        l.commit("ds", "a", fewer, composed(DELTA, fewer), DELTA, "m");
        assertEquals(composed(DELTA, fewer), l.state("ds").spentEpsilon(), 1e-12);
        assertThrows(LedgerConflictException.class, () -> l.commit("ds", "nobody", JOB, 1.0, DELTA, "m"));
    }

    @Test
    void abort_freesTheReservation_andTheJobMayRunAgain() {
        PrivacyLedger l = ledger();
        double one = composed(DELTA, JOB);
        l.setBudget("ds", new Budget(one * 1.01, DELTA, Budget.ROW));
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        assertThrows(BudgetExhaustedException.class, () -> l.reserve("ds", "b", "sha256:aa", JOB, DELTA));
        l.abort("ds", "a", "failed before the first step");
        assertEquals(0.0, l.state("ds").spentEpsilon());
        assertEquals(DatasetState.JobStatus.ABORTED, l.state("ds").latest("a").orElseThrow().status());
        l.reserve("ds", "b", "sha256:aa", JOB, DELTA);
        assertThrows(LedgerConflictException.class, () -> l.abort("ds", "a", "again"));
    }

    @Test
    void resolve_settlesACrashedJob_asSpentOrAsAborted() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "crashed1", "sha256:aa", JOB, DELTA);
        l.reserve("ds", "crashed2", "sha256:aa", JOB, DELTA);
        LedgerEntry c = l.resolveCommit("ds", "crashed1", "by ops");
        assertEquals(JOB, c.events());
        assertEquals(composed(DELTA, JOB), c.epsilon(), 1e-12);
        assertTrue(c.note().contains("operator"));
        l.resolveAbort("ds", "crashed2", null);
        DatasetState s = l.state("ds");
        assertEquals(DatasetState.JobStatus.COMMITTED, s.latest("crashed1").orElseThrow().status());
        assertEquals(DatasetState.JobStatus.ABORTED, s.latest("crashed2").orElseThrow().status());
        assertEquals(composed(DELTA, JOB), s.spentEpsilon(), 1e-12);
        assertThrows(LedgerConflictException.class, () -> l.resolveAbort("ds", "crashed1", null));
    }

    @Test
    void tornEntry_isReportedByFile_andBlocksAdmission_neverSkipped() throws IOException {
        PrivacyLedger l = ledger();
        l.setBudget("ds", new Budget(100, DELTA, Budget.ROW));
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        l.reserve("ds", "b", "sha256:aa", JOB, DELTA);
        Path torn = entry("ds", 2);
        byte[] bytes = readAll(torn);
        overwrite(torn, Arrays.copyOf(bytes, bytes.length / 2));
        PrivacyLedger fresh = ledger(); // no cache of the good entry
        LedgerCorruptException e = assertThrows(LedgerCorruptException.class, () -> fresh.state("ds"));
        assertTrue(e.getMessage().contains(EntryStore.fileName(2)), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(LedgerCorruptException.class, () -> fresh.reserve("ds", "c", "sha256:aa", JOB, DELTA));
        assertThrows(LedgerCorruptException.class, () -> fresh.check("ds", JOB, DELTA));
        overwrite(torn, new byte[0]);
        assertTrue(assertThrows(LedgerCorruptException.class, () -> ledger().state("ds")).getMessage().contains("empty"));
        assertEquals(3, count(torn.getParent()));
    }

    @Test
    void missingEntry_isReported_becauseItCouldHideSpend() throws IOException {
        PrivacyLedger l = ledger();
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        l.reserve("ds", "b", "sha256:aa", JOB, DELTA);
        assertTrue(fs().delete(entry("ds", 1), false));
        LedgerCorruptException e = assertThrows(LedgerCorruptException.class, () -> ledger().state("ds"));
        assertTrue(e.getMessage().contains(EntryStore.fileName(1)), e.getMessage());
    }

    @Test
    void newerFormatVersion_isRefused_notHalfRead() throws IOException {
        ledger().reserve("ds", "a", "sha256:aa", JOB, DELTA);
        Path p = entry("ds", 1);
        int newer = LedgerEntry.FORMAT_VERSION + 1;
        String json = new String(readAll(p), StandardCharsets.UTF_8);
        overwrite(p, json.replace("\"format_version\" : 1", "\"format_version\" : " + newer)
                .getBytes(StandardCharsets.UTF_8));
        LedgerCorruptException e = assertThrows(LedgerCorruptException.class, () -> ledger().state("ds"));
        assertTrue(e.getMessage().contains("format_version " + newer), e.getMessage());
    }

    @Test
    void temporaries_areIgnoredByReaders() throws IOException {
        PrivacyLedger l = ledger();
        l.reserve("ds", "a", "sha256:aa", JOB, DELTA);
        Path dirOf = entry("ds", 1).getParent();
        overwrite(new Path(dirOf, "." + EntryStore.fileName(2) + ".tmp-crashed"),
                "{\"format_ver".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, ledger().state("ds").entries().size());
        assertEquals(2, l.reserve("ds", "b", "sha256:aa", JOB, DELTA).reservation().seq());
        assertEquals(3, count(dirOf)); // two entries and the crashed temporary; no temporary of ours is left
    }

    @Test
    void publish_neverOverwritesAnExistingEntry() throws IOException {
        PrivacyLedger l = ledger();
        LedgerEntry first = l.reserve("ds", "a", "sha256:aa", JOB, DELTA).reservation();
        byte[] before = readAll(entry("ds", 1));
        EntryStore store = new EntryStore(location(), conf());
        LedgerEntry clash = new LedgerEntry(1, 1, EntryType.RESERVATION, "ds", "intruder", "u", first.time(), "v",
                "sha256:bb", JOB, "rdp", DELTA, null, null, null, null, null);
        assertFalse(store.createIfAbsent(clash));
        assertTrue(Arrays.equals(before, readAll(entry("ds", 1))));
    }

    @Test
    void badArguments_areRejectedWithTheirName() {
        PrivacyLedger l = ledger();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> l.state("../etc")).getMessage()
                .contains("dataset id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Budget(Double.NaN, DELTA, "row"))
                .getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Budget(1, DELTA, "household"))
                .getMessage().contains("privacy unit"));
        assertEquals("user", new Budget(1, DELTA, Budget.USER).privacyUnit());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> l.reserve("ds", " ", "sha256:aa", JOB, DELTA))
                .getMessage().contains("job id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> l.reserve("ds", "a", "sha256:aa", JOB, 1.5))
                .getMessage().contains("delta"));
    }
}
