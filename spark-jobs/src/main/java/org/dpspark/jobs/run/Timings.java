package org.dpspark.jobs.run;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Wall time of a run's phases up to its first step (JVM start, Spark session, validation, calibration, ledger,
 * packing, step runner), in seconds: the report's {@code timings} section and one DEBUG line. Each {@link #mark}
 * closes the phase that began at the previous mark (or at JVM start). Durations only: nothing about the data.
 * One thread at a time (the driver's).
 */
public final class Timings {
    private final Map<String, Double> phases = new LinkedHashMap<>();
    private final long originNanos;
    private long lastNanos;
    private double toFirstStep = Double.NaN;

    private Timings(long originNanos) {
        this.originNanos = originNanos;
        this.lastNanos = originNanos;
    }

    /** Phases counted from the JVM's start (the first phase is the JVM and class loading up to the first mark). */
    public static Timings sinceJvmStart() {
        long sinceStartMillis = Math.max(0, System.currentTimeMillis()
                - ManagementFactory.getRuntimeMXBean().getStartTime());
        return new Timings(System.nanoTime() - sinceStartMillis * 1_000_000L);
    }

    /** Phases counted from now (a run inside a running application: a notebook, an MLlib fit). */
    public static Timings sinceNow() {
        return new Timings(System.nanoTime());
    }

    /** Ends the phase {@code name} now (a phase marked twice adds up). */
    public void mark(String name) {
        long now = System.nanoTime();
        phases.merge(name, (now - lastNanos) / 1e9, Double::sum);
        lastNanos = now;
    }

    /** Records a phase measured elsewhere (not advancing the clock of {@link #mark}). */
    public void record(String name, double seconds) {
        phases.merge(name, seconds, Double::sum);
    }

    /** Ends the phase {@code name} and records the time from the origin to now as the time to the first step. */
    public void firstStep(String name) {
        mark(name);
        toFirstStep = (lastNanos - originNanos) / 1e9;
    }

    /** Seconds from the origin to the first step, or NaN before it. */
    public double toFirstStep() {
        return toFirstStep;
    }

    /** The phases in the order marked. */
    public Map<String, Double> phases() {
        return Map.copyOf(phases);
    }

    /** The report's {@code timings} section: each phase and {@code to_first_step}, in seconds (3 decimals). */
    public ObjectNode json() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        phases.forEach((k, v) -> n.put(k, round(v)));
        if (!Double.isNaN(toFirstStep)) {
            n.put("to_first_step", round(toFirstStep));
        }
        return n;
    }

    /** One line: {@code to_first_step 7.1 s: jvm 0.8, spark_session 3.9, ...}. */
    public String line() {
        StringJoiner j = new StringJoiner(", ");
        phases.forEach((k, v) -> j.add(k + " " + String.format(Locale.ROOT, "%.2f", v)));
        return String.format(Locale.ROOT, "to_first_step %.2f s: %s", toFirstStep, j);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
