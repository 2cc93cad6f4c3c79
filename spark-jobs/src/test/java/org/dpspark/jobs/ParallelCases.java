package org.dpspark.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Independent test cases run on a few threads: cases 0 to n - 1, each worker taking the next case when it has
 * finished one, the results in case order. A worker has an index (0 to workers - 1), so that a test can give each
 * worker state of its own (a ledger, a thread for a timeout). The cases must not share mutable state otherwise: the
 * caller says why its cases are independent.
 *
 * <p>A case that throws stops the workers from starting cases after it (cases before it still run), and the
 * throwable of the first failed case in case order is rethrown, as a serial loop would have: the case's code names
 * the case in its message. {@code -Ddpspark.test.threads=1} runs the cases serially, in order.
 */
public final class ParallelCases {
    private ParallelCases() {}

    /** One case: its result, given the worker that runs it and the case's index. */
    @FunctionalInterface
    public interface Case<R> {
        R run(int worker, int index) throws Exception;
    }

    /** The number of workers: {@code -Ddpspark.test.threads}, else the available processors. */
    public static int workers() {
        return Math.max(1, Integer.getInteger("dpspark.test.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** Runs cases 0 to {@code n - 1} on {@link #workers()} threads; their results in case order. */
    public static <R> List<R> run(int n, Case<R> c) {
        return run(n, workers(), c);
    }

    /** Runs cases 0 to {@code n - 1} on {@code workers} threads; their results in case order. */
    public static <R> List<R> run(int n, int workers, Case<R> c) {
        AtomicReferenceArray<Object> results = new AtomicReferenceArray<>(n);
        Throwable[] thrown = new Throwable[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger firstFailure = new AtomicInteger(Integer.MAX_VALUE);
        int threads = Math.max(1, Math.min(workers, n));
        Thread[] ts = new Thread[threads];
        for (int w = 0; w < threads; w++) {
            int worker = w;
            ts[w] = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < n && i < firstFailure.get(); i = next.getAndIncrement()) {
                    try {
                        results.set(i, c.run(worker, i));
                    } catch (Throwable t) {
                        synchronized (thrown) {
                            thrown[i] = t;
                        }
                        firstFailure.accumulateAndGet(i, Math::min);
                    }
                }
            }, "case-worker-" + w);
            ts[w].setDaemon(true);
            ts[w].start();
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while the cases ran", e);
            }
        }
        int first = firstFailure.get();
        if (first != Integer.MAX_VALUE) {
            Throwable t;
            synchronized (thrown) {
                t = thrown[first];
                Arrays.stream(thrown, first + 1, n).filter(x -> x != null).forEach(t::addSuppressed);
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new AssertionError(t);
        }
        List<R> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            R r = (R) results.get(i);
            out.add(r);
        }
        return out;
    }
}
