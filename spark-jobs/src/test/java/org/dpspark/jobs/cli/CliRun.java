package org.dpspark.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** A command-line main run in process, with its exit code and what it printed on stdout and stderr. */
record CliRun(int code, String out, String err) {

    /** A command's run with its own writers for stdout and stderr, e.g. {@code DpTrain::run}. */
    @FunctionalInterface
    interface WithWriters {
        int run(PrintWriter out, PrintWriter err, String... args);
    }

    /** Runs {@code main} (e.g. {@code DpTrain::run}) with System.out and System.err captured. */
    static CliRun capture(Function<String[], Integer> main, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = main.apply(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /**
     * Runs {@code main} (e.g. {@code DpTrain::run}) with writers of its own for stdout and stderr: System.out and
     * System.err are left alone, so that several threads can run commands at once, each capturing its own output.
     */
    static CliRun call(WithWriters main, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        int code = main.run(o, e, args);
        o.flush();
        e.flush();
        return new CliRun(code, out.toString(), err.toString());
    }
}
