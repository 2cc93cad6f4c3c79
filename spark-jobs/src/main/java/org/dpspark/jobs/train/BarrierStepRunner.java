package org.dpspark.jobs.train;

import java.io.IOException;
import java.io.Serializable;
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
import org.dpspark.datasets.DenseBlock;
import org.dpspark.jobs.aggregation.AggregationServer;
import org.dpspark.jobs.aggregation.AggregationServer.Closed;
import org.dpspark.jobs.aggregation.AggregationServer.Event;
import org.dpspark.jobs.aggregation.AggregationServer.Message;
import org.dpspark.jobs.aggregation.AggregationServer.Peer;
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
 * spark.network.crypto.enabled on a cluster, as for the job key.
 *
 * <p>Failure: the barrier RDD feeds a shuffle, so its stage is a shuffle-map stage, which Spark retries as a whole
 * when a task fails (up to spark.stage.maxConsecutiveAttempts; in local[N] mode a task failure aborts the job
 * unless the master is local[N,F]). The driver's state decides what happens: the step in flight, whose noisy
 * update has not been applied, is recomputed from scratch by the new attempt's tasks (same streams, same
 * partition order, so the same sum); a step whose update was applied is never asked for again. If the stage
 * fails for good, or no task answers within the timeout, {@link #sum} throws and nothing more is released.
 */
public final class BarrierStepRunner implements StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BarrierStepRunner.class);

    /** Spark configuration key: the aggregation service's handshake and idle timeout, in seconds. */
    public static final String TIMEOUT_CONF = "spark.dpspark.barrier.timeoutSeconds";
    static final int DEFAULT_TIMEOUT_SECONDS = 600;
    static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Test hook run by a task before it connects (step -1) and before each step (e.g. to make one attempt fail). */
    interface FaultInjector extends Serializable {
        void beforeStep(int stageAttempt, int partition, long step);
    }

    private final AggregationServer server;
    private final JavaFutureAction<List<Integer>> job;
    private final JavaRDD<TaggedBlock> checkpointed;
    private final int partitions;
    private final int tasks;
    private final int numParams;
    private final int sumLength;
    private final long timeoutNanos;
    private final Map<Long, Peer> members = new HashMap<>();
    private final Map<Long, int[]> memberPartitions = new HashMap<>();
    private final Set<Long> greeted = new HashSet<>();
    private int covered;
    private int attempt = -1;
    private int lostAttempt = -1;
    private boolean closed;

    private BarrierStepRunner(AggregationServer server, JavaFutureAction<List<Integer>> job,
            JavaRDD<TaggedBlock> checkpointed, int partitions, int tasks, PartitionStep work, long timeoutNanos) {
        this.server = server;
        this.job = job;
        this.checkpointed = checkpointed;
        this.partitions = partitions;
        this.tasks = tasks;
        this.numParams = work.model().numParams();
        this.sumLength = work.sumLength();
        this.timeoutNanos = timeoutNanos;
    }

    /** Starts the service and launches the barrier stage over {@code blocks} (cached by the caller). */
    static BarrierStepRunner start(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work) {
        return start(jsc, blocks, work, (a, p, s) -> { });
    }

    static BarrierStepRunner start(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work,
            FaultInjector fault) {
        SparkConf conf = jsc.getConf();
        int timeoutSeconds = conf.getInt(TIMEOUT_CONF, DEFAULT_TIMEOUT_SECONDS);
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException(TIMEOUT_CONF + " must be > 0 seconds, got " + timeoutSeconds);
        }
        int partitions = blocks.getNumPartitions();
        int tasks = Math.max(1, Math.min(partitions, taskSlots(jsc)));
        JavaRDD<TaggedBlock> tagged = blocks.mapPartitionsWithIndex(new Tagger(), true);
        JavaRDD<TaggedBlock> checkpointed = null;
        if (tasks < partitions) {
            // A barrier stage may not change the partition count; cut the lineage after the coalesce.
            checkpointed = tagged.coalesce(tasks);
            checkpointed.rdd().localCheckpoint();
            jsc.setJobDescription("dp-train: group " + partitions + " partitions into " + tasks + " barrier tasks");
            checkpointed.count();
            tagged = checkpointed;
        }
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        String host = conf.get("spark.driver.host", null);
        AggregationServer server;
        try {
            InetAddress bind = InetAddress.getByName(conf.get("spark.driver.bindAddress",
                    host != null ? host : InetAddress.getLocalHost().getHostAddress()));
            server = new AggregationServer(bind, secret,
                    Math.max(BarrierProtocol.maxHello(partitions), BarrierProtocol.maxSums(partitions, work.sumLength())),
                    4 * tasks + 4, timeoutSeconds * 1000);
            if (host == null) {
                host = bind.getHostAddress();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the aggregation service: " + e.getMessage(), e);
        }
        BarrierTask task = new BarrierTask(work, secret, host, server.port(), partitions, timeoutSeconds * 1000, fault);
        RDD<Integer> barrier = tagged.rdd().barrier().mapPartitions(task, false, classTag(Integer.class));
        jsc.setJobDescription("dp-train: all steps in one barrier stage (" + tasks + " tasks)");
        // The shuffle makes the barrier stage a shuffle-map stage, which Spark retries as a whole on failure
        // (a failed barrier result stage is aborted instead).
        JavaFutureAction<List<Integer>> job = new JavaRDD<>(barrier, classTag(Integer.class)).repartition(1).collectAsync();
        LOG.info("barrier step runner: {} partitions in {} tasks, aggregation service on {}:{}", partitions, tasks,
                host, server.port());
        return new BarrierStepRunner(server, job, checkpointed, partitions, tasks, work,
                TimeUnit.SECONDS.toNanos(timeoutSeconds));
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
        byte[] frame = BarrierProtocol.step(step, params);
        while (true) {
            awaitAllTasks();
            double[][] parts = sumOnce(step, frame);
            if (parts != null) {
                return JobPerStepRunner.inPartitionOrder(Arrays.asList(parts));
            }
            LOG.warn("step {}: the barrier stage lost a task; the step is recomputed by the retried stage", step + 1);
        }
    }

    /** One try at the step with the current attempt's tasks; null when the attempt was lost meanwhile. */
    private double[][] sumOnce(long step, byte[] frame) {
        for (Peer p : members.values()) {
            try {
                p.send(frame);
            } catch (IOException e) {
                loseAttempt();
                return null;
            }
        }
        double[][] parts = new double[partitions][];
        int missing = partitions;
        while (missing > 0) {
            Event e = next();
            Long id = e.peer().id();
            if (members.containsKey(id) && e instanceof Message m) {
                BarrierProtocol.Sums s;
                try {
                    s = BarrierProtocol.decodeSums(m.payload(), partitions, sumLength);
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
                    parts[p] = s.sums()[i];
                    missing--;
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

    /** Waits until the current stage attempt's tasks are all connected and cover every partition once. */
    private void awaitAllTasks() {
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

        BarrierTask(PartitionStep work, byte[] secret, String host, int port, int totalPartitions, int timeoutMillis,
                FaultInjector fault) {
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
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(host), port), timeoutMillis);
                SecureChannel ch = SecureChannel.client(s, secret, BarrierProtocol.maxStep(work.model().numParams()),
                        timeoutMillis);
                ch.send(BarrierProtocol.hello(ctx.stageAttemptNumber(), ctx.partitionId(), parts));
                while (true) {
                    // Killed tasks (stage failure, cancel) are not interrupted out of socket reads: poll for it.
                    byte[] m = ch.receive(ctx::isInterrupted, 500);
                    if (BarrierProtocol.type(m) == BarrierProtocol.DONE) {
                        break;
                    }
                    BarrierProtocol.Step st = BarrierProtocol.decodeStep(m, work.model().numParams());
                    double[][] sums = new double[parts.length][];
                    for (int i = 0; i < parts.length; i++) {
                        fault.beforeStep(ctx.stageAttemptNumber(), parts[i], st.step());
                        sums[i] = work.sum(st.step(), st.params(), parts[i], own.get(parts[i]).iterator());
                    }
                    ch.send(BarrierProtocol.sums(st.step(), parts, sums));
                }
            } catch (UnknownHostException e) {
                throw new IllegalStateException("cannot resolve the driver host " + host, e);
            } catch (IOException e) {
                throw new IllegalStateException("aggregation service connection failed: " + e, e);
            }
            return CollectionConverters.asScala(Collections.singletonList(parts.length).iterator());
        }
    }
}
