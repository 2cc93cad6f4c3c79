package org.dpspark.jobs.train;

import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.rdd.RDD;
import org.dpspark.core.he.PackedEncoding;
import org.dpspark.core.he.Paillier;
import org.dpspark.core.secagg.DdgCodec;
import org.dpspark.core.secagg.ModularSum;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.jobs.aggregation.KeyHolderClient;
import org.dpspark.jobs.aggregation.AggregationServer;
import org.dpspark.jobs.aggregation.AggregationServer.Closed;
import org.dpspark.jobs.aggregation.AggregationServer.Event;
import org.dpspark.jobs.aggregation.AggregationServer.Message;
import org.dpspark.jobs.aggregation.AggregationServer.Peer;
import org.dpspark.jobs.aggregation.Link;
import org.dpspark.jobs.aggregation.SecureChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * All steps of a run in ONE Spark stage: a barrier stage ({@code rdd.barrier().mapPartitions}) launched
 * asynchronously keeps one task per group of partitions alive for the whole run, and a driver-side aggregation
 * service ({@link AggregationServer}) exchanges each step with them (the pattern of XGBoost4J-Spark and Horovod on
 * Spark). Per step the driver sends (step, params) to every task; each task computes the clipped sum of each of
 * its partitions with {@link PartitionStep} (the same CSPRNG streams as {@link JobPerStepRunner}, so the same
 * sample) and sends the sums back; the driver adds them in partition order (bit-identical to the job-per-step
 * runner) and returns the total. The noise is added by the caller, in the driver, once; nothing noisy or
 * noiseless is ever sent to a task except the public parameters.
 *
 * <p>Placement: a barrier stage needs all its tasks running at once, so the blocks are grouped into at most as
 * many tasks as the application has task slots (a coalesce, local-checkpointed because Spark forbids a partition
 * count change inside a barrier stage). The blocks are tagged with their original partition index first, so
 * grouping changes neither the sample streams nor the summation order.
 *
 * <p>Security: a per-run 32-byte secret from {@link SecureRandom}, shipped to the tasks in their closure,
 * authenticates every connection (HMAC-SHA256 challenge-response) and keys AES-256-GCM on every frame
 * ({@link SecureChannel}); the service listens on the driver host's address only, on an ephemeral port; frames
 * are bounded by the sizes the run implies; idle peers time out ({@value #TIMEOUT_CONF}, default
 * {@value #DEFAULT_TIMEOUT_SECONDS} s). Protect the closure itself with spark.authenticate and
 * spark.network.crypto.enabled on a cluster, as for the job key. Tasks that run in the driver's own JVM (local mode)
 * join in process instead ({@link org.dpspark.jobs.aggregation.InProcessLink}): their frames never leave the
 * process, so they pass by reference, unencrypted ({@value #IN_PROCESS_CONF}=false forces the socket).
 *
 * <p>Failure: the barrier RDD feeds a shuffle, so its stage is a shuffle-map stage, which Spark retries as a whole
 * when a task fails (up to spark.stage.maxConsecutiveAttempts; in local[N] mode a task failure aborts the job
 * unless the master is local[N,F]). The driver's state decides what happens: the step in flight, whose noisy
 * update has not been applied, is recomputed from scratch by the new attempt's tasks (same streams, same
 * partition order, so the same sum); a step whose update was applied is never asked for again. If the stage
 * fails for good, or no task answers within the timeout, {@link #sum} throws and nothing more is released.
 *
 * <p>Secure aggregation ({@link SecureSetup}; masking or paillier): each partition is a party ({@link SecureParty}).
 * Under masking the tasks' HELLOs carry each party's X25519 public key; once an attempt's tasks are all connected
 * the driver relays the roster of public keys (it never learns the pair keys), and per step each party sends its
 * share, masked modulo 2^b; the driver adds the shares modulo 2^b, where the masks cancel, and decodes the noised
 * total ({@link DdgCodec}). Under paillier the driver starts a key-holder process ({@link KeyHolderClient}), ships
 * its public key to the tasks, multiplies the parties' ciphertexts and has the key holder decrypt the product only.
 * Either way {@link #sum} returns the decoded, already noised total ({@link #noised()}). A step whose attempt lost a
 * party is recomputed by the retried stage; with t &gt; 0 colluding parties and per-attempt randomness (no party
 * secret file) a retry could show colluders the step twice, so the run stops instead when any share of the step
 * had reached the driver.
 */
public final class BarrierStepRunner implements StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BarrierStepRunner.class);

    /** Spark configuration key: the aggregation service's handshake and idle timeout, in seconds. */
    public static final String TIMEOUT_CONF = "spark.dpspark.barrier.timeoutSeconds";
    static final int DEFAULT_TIMEOUT_SECONDS = 600;
    /**
     * Spark configuration key: whether tasks in the driver's JVM (local mode) exchange frames with the service in
     * process, unencrypted, rather than over loopback TCP with AES-GCM (default true; false forces the socket).
     */
    public static final String IN_PROCESS_CONF = "spark.dpspark.barrier.inProcess";
    static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * TEST ONLY, null in production: receives a copy of each run's channel secret, so a test can look for it in
     * everything the run writes (issue 18). Package-private; set from test code only.
     */
    static volatile java.util.function.Consumer<byte[]> secretTapForTests;

    /** Test hook run by a task before it connects (step -1) and before each step (e.g. to make one attempt fail). */
    interface FaultInjector extends Serializable {
        void beforeStep(int stageAttempt, int partition, long step);
    }

    /**
     * Test hook: sees every message payload the driver receives from a task (what a curious driver sees). A task
     * in the same JVM may reuse a SUMS array for its next step: copy what you keep.
     */
    interface DriverView {
        void received(byte[] payload);
    }

    /** The default ciphertext modulus of the key holder (NIST SP 800-57 Part 1 Rev. 5: 128-bit security). */
    static final int PAILLIER_BITS = 3072;
    /** Spark conf, insecure test path only: a smaller Paillier modulus for fast tests. */
    static final String INSECURE_PAILLIER_BITS_CONF = "spark.dpspark.secagg.insecureTestModulusBits";

    private final AggregationServer server;
    private final JavaFutureAction<List<Integer>> job;
    private final JavaRDD<TaggedBlock> checkpointed;
    private final int partitions;
    private final int tasks;
    private final int numParams;
    private final long timeoutNanos;
    private final Map<Long, Peer> members = new HashMap<>();
    private final Map<Long, int[]> memberPartitions = new HashMap<>();
    private final Set<Long> greeted = new HashSet<>();
    private int covered;
    private int attempt = -1;
    private int lostAttempt = -1;
    private boolean closed;
    // Secure aggregation (null / unused in the central mode).
    private final SecureSetup secure;
    private final DdgCodec codec;
    private final KeyHolderClient keyHolder;
    private final PackedEncoding packing;
    private final Paillier.PublicKey paillierKey;
    private final byte[][] partyKeys;
    private boolean rosterSent;
    private int receivedThisStep;
    private final DriverView view;
    /** Reused from step to step: the STEP message, each partition's decoded sum and their total (central mode). */
    private byte[] stepFrame;
    private final double[][] partSums;
    private double[] total;
    // A task's answer to a step, fixed by the mode: its message type, its length per partition (doubles, longs or
    // ciphertexts) and the largest ciphertext encoding accepted.
    private final byte answerType;
    private final int answerLength;
    private final int maxCipherBytes;

    private BarrierStepRunner(AggregationServer server, JavaFutureAction<List<Integer>> job,
            JavaRDD<TaggedBlock> checkpointed, int partitions, int tasks, PartitionStep work, long timeoutNanos,
            KeyHolderClient keyHolder, PackedEncoding packing, DriverView view) {
        this.secure = work.secure();
        this.codec = secure == null ? null : new DdgCodec(secure.params(), secure.rotationSeed());
        this.keyHolder = keyHolder;
        this.paillierKey = keyHolder == null ? null : keyHolder.publicKey();
        this.packing = packing;
        if (secure == null) {
            answerType = BarrierProtocol.SUMS;
            answerLength = work.sumLength();
        } else if (secure.mode() == SecureAggregation.MASKING) {
            answerType = BarrierProtocol.SHARES;
            answerLength = secure.params().paddedDim();
        } else {
            answerType = BarrierProtocol.SEALED;
            answerLength = packing.ciphertextsFor(secure.params().paddedDim());
        }
        this.maxCipherBytes = paillierKey == null ? 0 : maxCiphertextBytes(paillierKey);
        this.partyKeys = new byte[partitions][];
        this.partSums = secure == null ? new double[partitions][] : null;
        this.view = view;
        this.server = server;
        this.job = job;
        this.checkpointed = checkpointed;
        this.partitions = partitions;
        this.tasks = tasks;
        this.numParams = work.model().numParams();
        this.timeoutNanos = timeoutNanos;
    }

    /** Starts the service and launches the barrier stage over {@code blocks} (cached by the caller). */
    static BarrierStepRunner start(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work) {
        return start(jsc, blocks, work, (a, p, s) -> { });
    }

    static BarrierStepRunner start(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work,
            FaultInjector fault) {
        return start(jsc, blocks, work, fault, payload -> { });
    }

    static BarrierStepRunner start(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work,
            FaultInjector fault, DriverView view) {
        return start(jsc, blocks, work, fault, view, jsc.getConf().getBoolean(IN_PROCESS_CONF, true));
    }

    /** As above; {@code inProcess} lets tasks in this JVM join without a socket ({@link #IN_PROCESS_CONF}). */
    static BarrierStepRunner start(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work,
            FaultInjector fault, DriverView view, boolean inProcess) {
        SparkConf conf = jsc.getConf();
        String training = jsc.getLocalProperty("spark.job.description"); // the caller's: the steps it runs
        int timeoutSeconds = conf.getInt(TIMEOUT_CONF, DEFAULT_TIMEOUT_SECONDS);
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException(TIMEOUT_CONF + " must be > 0 seconds, got " + timeoutSeconds);
        }
        int partitions = blocks.getNumPartitions();
        SecureSetup secure = work.secure();
        if (secure != null && secure.params().parties() != partitions) {
            throw new IllegalStateException("the plan counted " + secure.params().parties() + " parties but the blocks have "
                    + partitions + " partitions");
        }
        int tasks = Math.max(1, Math.min(partitions, taskSlots(jsc)));
        JavaRDD<TaggedBlock> tagged = blocks.mapPartitionsWithIndex(new Tagger(), true);
        JavaRDD<TaggedBlock> checkpointed = null;
        if (tasks < partitions) {
            // A barrier stage may not change the partition count; cut the lineage after the coalesce.
            checkpointed = tagged.coalesce(tasks);
            checkpointed.rdd().localCheckpoint();
            JobLabel.describe(jsc, "group " + partitions + " partitions into " + tasks + " barrier tasks");
            checkpointed.count();
            tagged = checkpointed;
        }
        KeyHolderClient keyHolder = null;
        PackedEncoding packing = null;
        byte[] paillierKey = null;
        int answerBytes = BarrierProtocol.maxSums(partitions, work.sumLength());
        if (secure != null && secure.mode() == SecureAggregation.MASKING) {
            answerBytes = BarrierProtocol.maxShares(partitions, secure.params().paddedDim());
        } else if (secure != null) {
            // A smaller modulus only on the explicitly insecure test path (a published model never has one).
            keyHolder = secure.insecureSeedKey() != null && conf.contains(INSECURE_PAILLIER_BITS_CONF)
                    ? KeyHolderClient.spawnInsecureForTests(conf.getInt(INSECURE_PAILLIER_BITS_CONF, PAILLIER_BITS))
                    : KeyHolderClient.spawn(PAILLIER_BITS);
            paillierKey = keyHolder.publicKey().encoded();
            packing = new PackedEncoding(keyHolder.publicKey(), secure.params().bits(), secure.params().parties());
            answerBytes = BarrierProtocol.maxSealed(partitions, packing.ciphertextsFor(secure.params().paddedDim()),
                    maxCiphertextBytes(keyHolder.publicKey()));
        }
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        java.util.function.Consumer<byte[]> tap = secretTapForTests;
        if (tap != null) {
            tap.accept(secret.clone());
        }
        String host = conf.get("spark.driver.host", null);
        AggregationServer server;
        try {
            InetAddress bind = InetAddress.getByName(conf.get("spark.driver.bindAddress",
                    host != null ? host : InetAddress.getLocalHost().getHostAddress()));
            server = new AggregationServer(bind, secret, Math.max(BarrierProtocol.maxHello(partitions), answerBytes),
                    4 * tasks + 4, timeoutSeconds * 1000, inProcess);
            if (host == null) {
                host = bind.getHostAddress();
            }
        } catch (IOException e) {
            if (keyHolder != null) {
                keyHolder.close();
            }
            throw new IllegalStateException("cannot start the aggregation service: " + e.getMessage(), e);
        }
        BarrierTask task = new BarrierTask(work, secret, host, server.port(), partitions, timeoutSeconds * 1000, fault,
                paillierKey);
        RDD<Integer> barrier = tagged.rdd().barrier().mapPartitions(task, false, classTag(Integer.class));
        jsc.setJobDescription((training != null ? training : JobLabel.text(jsc.getLocalProperty(JobLabel.PROPERTY),
                "train")) + ", in one barrier stage (" + tasks + " tasks)");
        // The shuffle makes the barrier stage a shuffle-map stage, which Spark retries as a whole on failure
        // (a failed barrier result stage is aborted instead).
        JavaFutureAction<List<Integer>> job = new JavaRDD<>(barrier, classTag(Integer.class)).repartition(1).collectAsync();
        LOG.info("barrier step runner: {} partitions in {} tasks, aggregation service on {}:{}{}", partitions, tasks,
                host, server.port(), inProcess ? " (tasks in this JVM join in process)" : "");
        return new BarrierStepRunner(server, job, checkpointed, partitions, tasks, work,
                TimeUnit.SECONDS.toNanos(timeoutSeconds), keyHolder, packing, view);
    }

    /** A Paillier ciphertext's largest encoding (BigInteger.toByteArray of a value below N^2, sign byte included). */
    static int maxCiphertextBytes(Paillier.PublicKey key) {
        return key.nSquared().bitLength() / 8 + 2;
    }

    /** The application's concurrent task slots (a barrier stage needs all of its tasks at once). */
    static int taskSlots(JavaSparkContext jsc) {
        try {
            org.apache.spark.SparkContext sc = jsc.sc();
            return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        } catch (RuntimeException | LinkageError e) {
            return jsc.defaultParallelism();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> ClassTag<T> classTag(Class<T> c) {
        return (ClassTag<T>) ClassTag$.MODULE$.apply(c);
    }

    @Override
    public String mode() {
        return "barrier";
    }

    /** Under masking or paillier the parties noised their shares: {@link #sum} returns the noised total. */
    @Override
    public boolean noised() {
        return secure != null;
    }

    @Override
    public void awaitReady() {
        if (closed) {
            throw new IllegalStateException("the barrier step runner is closed");
        }
        awaitAllTasks();
    }

    @Override
    public double[] sum(long step, double[] params) {
        if (closed) {
            throw new IllegalStateException("the barrier step runner is closed");
        }
        if (params.length != numParams) {
            throw new IllegalArgumentException("params must have length " + numParams + ", got " + params.length);
        }
        byte[] frame = BarrierProtocol.step(step, params, stepFrame);
        stepFrame = frame;
        while (true) {
            awaitAllTasks();
            receivedThisStep = 0;
            Object[] parts = sumOnce(step, frame);
            if (parts != null) {
                return total(step, parts);
            }
            if (secure != null && secure.params().colluding() > 0 && !secure.stableRandomness() && receivedThisStep > 0) {
                throw new IllegalStateException("step " + (step + 1) + ": a party was lost after others had sent their "
                        + "shares; with --secagg-colluding > 0 a retry with fresh randomness could show colluders the "
                        + "step twice, so the run stops here (a --secagg-party-secret-file lets Spark retry)");
            }
            LOG.warn("step {}: the barrier stage lost a task; the step is recomputed by the retried stage", step + 1);
        }
    }

    /** The step's total from the parties' payloads, indexed by partition. */
    private double[] total(long step, Object[] parts) {
        if (secure == null) {
            double[][] sums = new double[parts.length][];
            for (int p = 0; p < parts.length; p++) {
                sums[p] = (double[]) parts[p];
            }
            if (total == null) {
                total = new double[sums[0].length];
            }
            return JobPerStepRunner.inPartitionOrder(sums, total); // into the runner's array of every step
        }
        int bits = secure.params().bits();
        if (secure.mode() == SecureAggregation.MASKING) {
            long[] sum = new long[secure.params().paddedDim()];
            for (Object o : parts) {
                ModularSum.addInto(sum, (long[]) o, bits);
            }
            return codec.decode(sum);
        }
        BigInteger nSquared = paillierKey.nSquared();
        BigInteger[] product = null;
        for (Object o : parts) {
            byte[][] cs = (byte[][]) o;
            if (product == null) {
                product = new BigInteger[cs.length];
                Arrays.fill(product, BigInteger.ONE);
            }
            for (int k = 0; k < cs.length; k++) {
                BigInteger c = new BigInteger(1, cs[k]);
                if (c.signum() <= 0 || c.compareTo(nSquared) >= 0) {
                    throw new IllegalStateException("barrier task sent a ciphertext out of range");
                }
                product[k] = product[k].multiply(c).mod(nSquared);
            }
        }
        BigInteger[] plain = keyHolder.decrypt(step, product);
        return codec.decodeSigned(packing.unpackSum(plain, secure.params().paddedDim()));
    }

    /** One try at the step with the current attempt's tasks; null when the attempt was lost meanwhile. */
    private Object[] sumOnce(long step, byte[] frame) {
        for (Peer p : members.values()) {
            try {
                p.send(frame);
            } catch (IOException e) {
                loseAttempt();
                return null;
            }
        }
        Object[] parts = new Object[partitions];
        int missing = partitions;
        while (missing > 0) {
            Event e = next();
            Long id = e.peer().id();
            if (members.containsKey(id) && e instanceof Message m) {
                view.received(m.payload());
                BarrierProtocol.Parts s;
                try {
                    s = BarrierProtocol.decodeParts(m.payload(), answerType, partitions, answerLength,
                            maxCipherBytes, partSums);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalStateException("barrier task sent a malformed message: " + ex.getMessage());
                }
                if (s.step() != step) {
                    throw new IllegalStateException("barrier task answered step " + s.step() + " during step " + step);
                }
                int[] own = memberPartitions.get(id);
                for (int i = 0; i < s.partitions().length; i++) {
                    int p = s.partitions()[i];
                    if (Arrays.stream(own).noneMatch(x -> x == p) || parts[p] != null) {
                        throw new IllegalStateException("barrier task sent partition " + p + " which is not its own or twice");
                    }
                    parts[p] = s.payloads()[i];
                    missing--;
                    receivedThisStep++;
                }
            } else if (members.containsKey(id) && e instanceof Closed) {
                loseAttempt();
                return null;
            } else if (admit(e)) {
                return null;
            }
        }
        return parts;
    }

    /**
     * Waits until the current stage attempt's tasks are all connected and cover every partition once; under masking
     * then relays the roster of the parties' public keys to every task, once per attempt.
     */
    private void awaitAllTasks() {
        while (true) {
            waitForMembers();
            if (secure == null || secure.mode() != SecureAggregation.MASKING || rosterSent) {
                return;
            }
            byte[] roster = BarrierProtocol.roster(partyKeys);
            boolean sent = true;
            for (Peer p : members.values()) {
                try {
                    p.send(roster);
                } catch (IOException e) {
                    loseAttempt();
                    sent = false;
                    break;
                }
            }
            rosterSent = sent;
            if (sent) {
                return;
            }
        }
    }

    private void waitForMembers() {
        while (!(members.size() == tasks && covered == partitions)) {
            Event e = next();
            if (members.containsKey(e.peer().id())) {
                if (e instanceof Closed) {
                    loseAttempt();
                } else {
                    throw new IllegalStateException("barrier task sent a message out of turn");
                }
            } else {
                admit(e);
            }
        }
    }

    /**
     * Handles an event from a peer that is not a member of the current attempt: a HELLO joins it (or starts a
     * newer attempt); anything from a former member is dropped. Returns true if a newer attempt replaced the
     * current one.
     */
    private boolean admit(Event e) {
        Peer peer = e.peer();
        if (!(e instanceof Message m) || !greeted.add(peer.id())) {
            return false; // a former member's late frame or close
        }
        view.received(m.payload());
        BarrierProtocol.Hello h;
        try {
            h = BarrierProtocol.decodeHello(m.payload(), partitions);
        } catch (IllegalArgumentException ex) {
            LOG.warn("aggregation service: dropped {}: {}", peer, ex.getMessage());
            peer.close();
            return false;
        }
        if (h.stageAttempt() <= lostAttempt || h.stageAttempt() < attempt) {
            peer.close(); // a task of an attempt already given up
            return false;
        }
        boolean newer = h.stageAttempt() > attempt;
        if (newer) {
            if (!members.isEmpty()) {
                loseAttempt();
            }
            attempt = h.stageAttempt();
        }
        for (int[] own : memberPartitions.values()) {
            for (int p : own) {
                for (int q : h.partitions()) {
                    if (p == q) {
                        throw new IllegalStateException("two barrier tasks of attempt " + attempt + " claim partition " + p);
                    }
                }
            }
        }
        boolean masking = secure != null && secure.mode() == SecureAggregation.MASKING;
        if (masking != (h.keys() != null)) {
            throw new IllegalStateException("barrier task's HELLO " + (masking ? "lacks" : "has") + " public keys");
        }
        for (int i = 0; masking && i < h.partitions().length; i++) {
            partyKeys[h.partitions()[i]] = h.keys()[i];
        }
        members.put(peer.id(), peer);
        memberPartitions.put(peer.id(), h.partitions());
        covered += h.partitions().length;
        return newer;
    }

    /** Gives up the current attempt: its tasks are disconnected; Spark's retry brings a newer one. */
    private void loseAttempt() {
        lostAttempt = Math.max(lostAttempt, attempt);
        for (Peer p : members.values()) {
            p.close();
        }
        members.clear();
        memberPartitions.clear();
        covered = 0;
        rosterSent = false;
        Arrays.fill(partyKeys, null);
    }

    /** The next event; fails if the stage ended or nothing arrives within the timeout. */
    private Event next() {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (true) {
                Event e = server.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    return e;
                }
                if (job.isDone()) {
                    throw new IllegalStateException("the barrier stage ended before training finished: " + failure());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("no barrier task answered within " + timeoutNanos / 1_000_000_000L
                            + " s (" + TIMEOUT_CONF + ")");
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the barrier tasks", ie);
        }
    }

    private String failure() {
        try {
            job.get();
            return "it finished early";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()).lines().findFirst().orElse("");
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (Peer p : members.values()) {
                try {
                    p.send(BarrierProtocol.done());
                } catch (IOException ignored) {
                    // the task is gone already
                }
            }
            try {
                job.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("barrier stage did not end cleanly: {}", e.toString().lines().findFirst().orElse(""));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            if (!job.isDone()) {
                job.cancel(true);
            }
            server.close();
            if (keyHolder != null) {
                keyHolder.close();
            }
            if (checkpointed != null) {
                checkpointed.unpersist(false);
            }
        }
    }

    /** A block tagged with its original partition and position; a null block marks a partition (maybe empty). */
    record TaggedBlock(int partition, DenseBlock block) implements Serializable {}

    /** Tags each partition's blocks, preceded by a marker so that empty partitions are reported too. */
    static final class Tagger implements Function2<Integer, Iterator<DenseBlock>, Iterator<TaggedBlock>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<TaggedBlock> call(Integer partition, Iterator<DenseBlock> it) {
            List<TaggedBlock> out = new ArrayList<>();
            out.add(new TaggedBlock(partition, null));
            while (it.hasNext()) {
                out.add(new TaggedBlock(partition, it.next()));
            }
            return out.iterator();
        }
    }

    /** The long-lived barrier task: connects to the driver's service and answers steps until DONE. */
    static final class BarrierTask extends AbstractFunction1<scala.collection.Iterator<TaggedBlock>, scala.collection.Iterator<Integer>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final PartitionStep work;
        private final byte[] secret;
        private final String host;
        private final int port;
        private final int totalPartitions;
        private final int timeoutMillis;
        private final FaultInjector fault;
        private final byte[] paillierKey;

        BarrierTask(PartitionStep work, byte[] secret, String host, int port, int totalPartitions, int timeoutMillis,
                FaultInjector fault, byte[] paillierKey) {
            this.paillierKey = paillierKey;
            this.work = work;
            this.secret = secret;
            this.host = host;
            this.port = port;
            this.totalPartitions = totalPartitions;
            this.timeoutMillis = timeoutMillis;
            this.fault = fault;
        }

        @Override
        public scala.collection.Iterator<Integer> apply(scala.collection.Iterator<TaggedBlock> input) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            Map<Integer, List<DenseBlock>> own = new LinkedHashMap<>();
            Iterator<TaggedBlock> it = CollectionConverters.asJava(input);
            while (it.hasNext()) {
                TaggedBlock t = it.next();
                List<DenseBlock> list = own.computeIfAbsent(t.partition(), k -> new ArrayList<>());
                if (t.block() != null) {
                    list.add(t.block());
                }
            }
            int[] parts = own.keySet().stream().mapToInt(Integer::intValue).toArray();
            for (int p : parts) {
                fault.beforeStep(ctx.stageAttemptNumber(), p, -1);
            }
            SecureSetup secure = work.secure();
            SecureParty party = secure == null ? null
                    : new SecureParty(secure, work, ctx.stageAttemptNumber(), parts, paillierKey);
            int maxFrame = Math.max(BarrierProtocol.maxStep(work.model().numParams()),
                    BarrierProtocol.maxRoster(totalPartitions));
            // Reused from step to step: the parameters, the partitions' sums and the SUMS message (the driver has read
            // a step's message before it sends the next step).
            double[] params = null;
            double[][] sums = new double[parts.length][];
            byte[] answer = null;
            try (Link ch = connect(maxFrame)) {
                ch.send(BarrierProtocol.hello(ctx.stageAttemptNumber(), ctx.partitionId(), parts,
                        secure != null && secure.mode() == SecureAggregation.MASKING ? party.publicKeys() : null));
                while (true) {
                    // Killed tasks (stage failure, cancel) are not interrupted out of socket reads: poll for it.
                    byte[] m = ch.receive(ctx::isInterrupted, 500);
                    if (BarrierProtocol.type(m) == BarrierProtocol.DONE) {
                        break;
                    }
                    if (BarrierProtocol.type(m) == BarrierProtocol.ROSTER && party != null) {
                        party.roster(BarrierProtocol.decodeRoster(m, totalPartitions));
                        continue;
                    }
                    BarrierProtocol.Step st = BarrierProtocol.decodeStep(m, work.model().numParams(), params);
                    params = st.params();
                    if (party != null) {
                        ch.send(secureAnswer(party, secure, ctx.stageAttemptNumber(), parts, own, st));
                        continue;
                    }
                    for (int i = 0; i < parts.length; i++) {
                        fault.beforeStep(ctx.stageAttemptNumber(), parts[i], st.step());
                        if (sums[i] == null) {
                            sums[i] = new double[work.sumLength()];
                        }
                        work.sum(st.step(), st.params(), parts[i], own.get(parts[i]).iterator(), sums[i]);
                    }
                    answer = BarrierProtocol.sums(st.step(), parts, sums, answer);
                    ch.send(answer);
                }
            } catch (UnknownHostException e) {
                throw new IllegalStateException("cannot resolve the driver host " + host, e);
            } catch (IOException e) {
                throw new IllegalStateException("aggregation service connection failed: " + e, e);
            }
            return CollectionConverters.asScala(Collections.singletonList(parts.length).iterator());
        }

        /**
         * The link to the driver's service: in process when the service runs in this JVM (local mode), else an
         * authenticated, encrypted TCP connection.
         */
        private Link connect(int maxFrame) throws IOException {
            Optional<Link> local = AggregationServer.connectInProcess(secret, maxFrame, timeoutMillis);
            if (local.isPresent()) {
                return local.get();
            }
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getByName(host), port), timeoutMillis);
                return SecureChannel.client(s, secret, maxFrame, timeoutMillis);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        /** The parties' masked (masking) or encrypted (paillier) shares of one step. */
        private byte[] secureAnswer(SecureParty party, SecureSetup secure, int stageAttempt, int[] parts,
                Map<Integer, List<DenseBlock>> own, BarrierProtocol.Step st) {
            if (secure.mode() == SecureAggregation.MASKING) {
                long[][] shares = new long[parts.length][];
                for (int i = 0; i < parts.length; i++) {
                    fault.beforeStep(stageAttempt, parts[i], st.step());
                    double[] sum = party.sum(i, st.step(), st.params(), own.get(parts[i]).iterator());
                    shares[i] = party.masked(i, st.step(), sum);
                }
                return BarrierProtocol.shares(st.step(), parts, shares);
            }
            byte[][][] sealed = new byte[parts.length][][];
            for (int i = 0; i < parts.length; i++) {
                fault.beforeStep(stageAttempt, parts[i], st.step());
                double[] sum = party.sum(i, st.step(), st.params(), own.get(parts[i]).iterator());
                BigInteger[] cs = party.sealed(i, st.step(), sum);
                sealed[i] = new byte[cs.length][];
                for (int k = 0; k < cs.length; k++) {
                    sealed[i][k] = cs[k].toByteArray();
                }
            }
            return BarrierProtocol.sealed(st.step(), parts, sealed);
        }
    }
}
