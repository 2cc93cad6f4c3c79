package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.jobs.ParallelCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One plan, whatever the command: over a deterministic grid of cases (N, B or q, epochs or steps, delta, sigma or a
 * target epsilon), {@code dp-privacy --json} and {@code dp-ledger check --json} report exactly the same q, T, sigma
 * and epsilon, and refuse the same bad cases with exit code 2; {@code dp-train --dry-run --rows N} plans every case
 * it can express (N and B) and agrees exactly too. Each command is a {@link PlanSource}. No SparkSession: a dry run
 * with {@code --rows} starts no Spark.
 *
 * <p>The cases are independent and run on {@link ParallelCases#workers()} threads (CPU-bound: the accountants'
 * calibrations): each command prints to writers of its own call (not System.out and System.err), and the one
 * ledger the commands share is only read ({@code check} and a dry run write nothing).
 */
class PlanAgreementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /**
     * One case, as flags: null means the flag is not given. {@code valid} is what the plan rules should say; a
     * case that breaks one says which in {@code label}.
     */
    record Case(String label, boolean valid, Long rows, Long batchSize, Double q, Double epochs, Long steps,
            Double delta, Double epsilon, Double sigma, boolean allowWeakPrivacy) {

        Case(String label, boolean valid, Long rows, Long batchSize, Double q, Double epochs, Long steps, Double delta,
                Double epsilon, Double sigma) {
            this(label, valid, rows, batchSize, q, epochs, steps, delta, epsilon, sigma, false);
        }

        /** The flags shared by both commands, with {@code qFlag} for the sampling rate. */
        List<String> flags(String qFlag) {
            List<String> a = new ArrayList<>();
            add(a, "--rows", rows);
            add(a, "--batch-size", batchSize);
            add(a, qFlag, q);
            add(a, "--epochs", epochs);
            add(a, "--steps", steps);
            add(a, "--delta", delta);
            add(a, "--epsilon", epsilon);
            add(a, "--noise-multiplier", sigma);
            if (allowWeakPrivacy) {
                a.add("--allow-weak-privacy");
            }
            return a;
        }

        private static void add(List<String> a, String flag, Object v) {
            if (v != null) {
                a.add(flag);
                a.add(v.toString()); // Double.toString: parsed back to the same double
            }
        }

        @Override
        public String toString() {
            return label + " " + flags("--q");
        }
    }

    /** What a command planned: q, T, sigma and the claimed epsilon. Compared exactly (record equality). */
    record PlanValues(double q, long steps, double sigma, double epsilon) {}

    /** A command that plans a case: its plan, or empty when it refuses the case with exit code 2. */
    interface PlanSource {
        String name();

        /** The plan, or empty on exit code 2; any other outcome fails the test. */
        Optional<PlanValues> plan(Case c);
    }

    /** {@code dp-privacy --json}, in process. */
    static final class DpPrivacySource implements PlanSource {
        @Override
        public String name() {
            return "dp-privacy";
        }

        @Override
        public Optional<PlanValues> plan(Case c) {
            List<String> args = c.flags("--q");
            args.add("--json");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = DpPrivacy.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
            if (code == ExitCode.BAD_INPUT.code()) {
                assertOneLine(name(), c, err.toString());
                return Optional.empty();
            }
            assertEquals(0, code, name() + " " + c + ": " + err);
            JsonNode n = parse(out.toString());
            return Optional.of(new PlanValues(n.get("sampling_rate").asDouble(), n.get("steps").asLong(),
                    n.at("/best/noise_multiplier").asDouble(), number(n.at("/best/epsilon"))));
        }
    }

    /** {@code dp-ledger check --json} on a ledger with no history and no budget, in process. */
    static final class DpLedgerCheckSource implements PlanSource {
        private final String ledger;

        DpLedgerCheckSource(Path ledger) {
            this.ledger = ledger.toString();
        }

        @Override
        public String name() {
            return "dp-ledger check";
        }

        @Override
        public Optional<PlanValues> plan(Case c) {
            List<String> args = new ArrayList<>(List.of("check", "--ledger", ledger, "--dataset-id", "grid", "--json"));
            args.addAll(c.flags("--sampling-rate"));
            CliRun r = CliRun.call(DpLedger::run, args.toArray(String[]::new));
            if (r.code() == ExitCode.BAD_INPUT.code()) {
                assertOneLine(name(), c, r.err());
                return Optional.empty();
            }
            assertEquals(0, r.code(), name() + " " + c + ": " + r.err());
            JsonNode n = parse(r.out());
            return Optional.of(new PlanValues(n.get("sampling_rate").asDouble(), n.get("steps").asLong(),
                    n.get("noise_multiplier").asDouble(), number(n.get("job_epsilon"))));
        }
    }

    /**
     * {@code dp-train --dry-run --rows N}, in process: the plan of the job dp-train would run on N rows (the same
     * code as a run on data: flags to TrainConfig, TrainConfig to the plan), parsed from its "plan:" line, whose
     * numbers are printed as Java's shortest round-trip decimals. dp-train takes N and B, not q, and has defaults
     * for B, epochs and delta: cases without N and B, or that rely on a default, are not its to answer.
     */
    static final class DpTrainDryRunSource implements PlanSource {
        private static final java.util.regex.Pattern PLAN = java.util.regex.Pattern.compile(
                "plan: N = \\d+, q = (\\S+), steps = (\\d+), sigma = (\\S+), epsilon = (\\S+) at delta");
        private final String ledger;

        DpTrainDryRunSource(Path ledger) {
            this.ledger = ledger.toString();
        }

        @Override
        public String name() {
            return "dp-train --dry-run";
        }

        static boolean applies(Case c) {
            return c.q() == null && c.batchSize() != null && (c.epochs() != null || c.steps() != null)
                    && c.delta() != null && (c.epsilon() != null || c.sigma() != null);
        }

        @Override
        public Optional<PlanValues> plan(Case c) {
            List<String> args = new ArrayList<>(List.of("--dry-run", "--ledger", ledger, "--dataset-id", "grid"));
            args.addAll(c.flags("--q"));
            CliRun r = CliRun.call(DpTrain::run, args.toArray(String[]::new));
            if (r.code() == ExitCode.BAD_INPUT.code()) {
                assertOneLine(name(), c, r.err());
                return Optional.empty();
            }
            assertEquals(0, r.code(), name() + " " + c + ": " + r.err());
            java.util.regex.Matcher m = PLAN.matcher(r.out());
            assertTrue(m.find(), name() + " " + c + ": " + r.out());
            return Optional.of(new PlanValues(Double.parseDouble(m.group(1)), Long.parseLong(m.group(2)),
                    Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
        }
    }

    private List<PlanSource> sources() {
        org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger")); // ledgers are created only on purpose
        return List.of(new DpPrivacySource(), new DpLedgerCheckSource(dir.resolve("ledger")),
                new DpTrainDryRunSource(dir.resolve("ledger")));
    }

    @Test
    void everyCommand_plansTheSameJob_andRefusesTheSameBadInput() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 200, "cases: " + cases.size());
        List<PlanSource> sources = sources();
        // the first failing case in the grid's order is the one reported, as in a serial loop
        List<Checked> checked = ParallelCases.run(cases.size(), (worker, i) -> check(sources, cases.get(i)));
        int planned = (int) checked.stream().filter(Checked::planned).count();
        int dpTrainCases = (int) checked.stream().filter(Checked::dpTrainAnswered).count();
        assertTrue(planned >= 170, "planned: " + planned);
        assertTrue(dpTrainCases >= 200, "cases dp-train answered: " + dpTrainCases);
    }

    /** What one case counted for: whether it planned, whether dp-train answered it. */
    private record Checked(boolean planned, boolean dpTrainAnswered) {}

    /** Every command on case {@code c}: they agree exactly, and a plan is sane. Each assertion names the case. */
    private static Checked check(List<PlanSource> sources, Case c) {
        try {
            Optional<PlanValues> first = sources.get(0).plan(c);
            assertEquals(c.valid(), first.isPresent(), sources.get(0).name() + " " + c);
            boolean dpTrainAnswered = false;
            for (PlanSource s : sources.subList(1, sources.size())) {
                if (s instanceof DpTrainDryRunSource) {
                    if (!DpTrainDryRunSource.applies(c)) {
                        continue;
                    }
                    dpTrainAnswered = true;
                }
                assertEquals(first, s.plan(c), s.name() + " vs " + sources.get(0).name() + ": " + c);
            }
            if (first.isPresent()) {
                PlanValues p = first.get();
                assertTrue(p.epsilon() >= 0 && p.sigma() > 0 && p.steps() >= 1 && p.steps() <= PlanRequest.MAX_STEPS,
                        c + ": " + p);
                if (c.epsilon() != null) {
                    assertTrue(p.epsilon() <= c.epsilon(), c + ": " + p);
                }
            }
            return new Checked(first.isPresent(), dpTrainAnswered);
        } catch (AssertionError e) {
            throw e; // names the case
        } catch (RuntimeException e) {
            throw new AssertionError(c + ": " + e, e);
        }
    }

    /** The grid: fixed edge cases, then random ones from a fixed seed. */
    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        long limit = PlanRequest.MAX_STEPS;
        // Edge cases that plan.
        cs.add(new Case("B = N", true, 1000L, 1000L, null, null, 20L, 1e-4, null, 2.0));
        cs.add(new Case("B = N, epochs", true, 50L, 50L, null, 3.0, null, 1e-3, null, 1.5));
        cs.add(new Case("B = 1", true, 100000L, 1L, null, 0.5, null, 1e-6, null, 1.0));
        cs.add(new Case("N = 1", true, 1L, 1L, null, null, 1L, 0.5, null, 3.0));
        cs.add(new Case("delta just below 1/N", true, 60000L, 256L, null, 2.0, null, Math.nextDown(1.0 / 60000), null,
                1.1));
        cs.add(new Case("delta just below 1/N, calibrated", true, 32561L, 256L, null, 3.0, null,
                Math.nextDown(1.0 / 32561), 1.0, null));
        cs.add(new Case("tiny epochs: T = 1", true, 60000L, 256L, null, 1e-9, null, 1e-5, null, 1.0));
        cs.add(new Case("tiny epochs with q", true, null, null, 0.01, Double.MIN_VALUE, null, 1e-5, null, 1.0));
        cs.add(new Case("T at the limit by epochs", true, 1000000L, 1L, null, 100.0, null, 1e-7, null, 1.0));
        cs.add(new Case("T at the limit by steps", true, null, null, 1e-6, null, limit, 1e-7, null, 1.0));
        cs.add(new Case("q = 1", true, null, null, 1.0, null, 5L, 1e-5, null, 3.0));
        cs.add(new Case("rows with q", true, 5000L, null, 0.02, 1.0, null, 1e-5, null, 1.0));
        cs.add(new Case("q from epochs, calibrated", true, null, null, 0.04, 10.0, null, 1e-5, 8.0, null));
        // Edge cases that every command refuses.
        cs.add(new Case("delta = 1/N", false, 60000L, 256L, null, 1.0, null, 1.0 / 60000, null, 1.0));
        cs.add(new Case("delta > 1/N", false, 1000L, 10L, null, 1.0, null, 0.01, null, 1.0));
        cs.add(new Case("delta >= 1/N with q", false, 1000L, null, 0.01, null, 10L, 0.001, null, 1.0));
        cs.add(new Case("B > N", false, 100L, 101L, null, 1.0, null, 1e-5, null, 1.0));
        cs.add(new Case("B = 0", false, 100L, 0L, null, 1.0, null, 1e-5, null, 1.0));
        cs.add(new Case("B without N", false, null, 10L, null, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("N = 0", false, 0L, 1L, null, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("both B and q", false, 1000L, 10L, 0.01, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("neither B nor q", false, 1000L, null, null, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("q = 0", false, null, null, 0.0, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("q > 1", false, null, null, 1.5, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("q NaN", false, null, null, Double.NaN, null, 10L, 1e-5, null, 1.0));
        cs.add(new Case("sigma NaN", false, null, null, 0.01, null, 10L, 1e-5, null, Double.NaN));
        cs.add(new Case("sigma +inf", false, null, null, 0.01, null, 10L, 1e-5, null, Double.POSITIVE_INFINITY));
        cs.add(new Case("sigma 0", false, null, null, 0.01, null, 10L, 1e-5, null, 0.0));
        cs.add(new Case("epsilon NaN", false, null, null, 0.01, null, 10L, 1e-5, Double.NaN, null));
        cs.add(new Case("epsilon -inf", false, null, null, 0.01, null, 10L, 1e-5, Double.NEGATIVE_INFINITY, null));
        cs.add(new Case("epsilon negative", false, null, null, 0.01, null, 10L, 1e-5, -1.0, null));
        cs.add(new Case("both epsilon and sigma", false, null, null, 0.01, null, 10L, 1e-5, 1.0, 1.0));
        cs.add(new Case("neither epsilon nor sigma", false, null, null, 0.01, null, 10L, 1e-5, null, null));
        cs.add(new Case("epochs NaN", false, 1000L, 10L, null, Double.NaN, null, 1e-5, null, 1.0));
        cs.add(new Case("epochs +inf", false, 1000L, 10L, null, Double.POSITIVE_INFINITY, null, 1e-5, null, 1.0));
        cs.add(new Case("epochs 0", false, 1000L, 10L, null, 0.0, null, 1e-5, null, 1.0));
        cs.add(new Case("epochs negative", false, 1000L, 10L, null, -1.0, null, 1e-5, null, 1.0));
        cs.add(new Case("both epochs and steps", false, 1000L, 10L, null, 1.0, 10L, 1e-5, null, 1.0));
        cs.add(new Case("neither epochs nor steps", false, 1000L, 10L, null, null, null, 1e-5, null, 1.0));
        cs.add(new Case("T above the limit by epochs", false, 1000000L, 1L, null, Math.nextUp(100.000001), null, 1e-7,
                null, 1.0));
        cs.add(new Case("T above the limit by huge epochs", false, 1000L, 10L, null, 1e12, null, 1e-5, null, 1.0));
        cs.add(new Case("T above the limit by steps", false, null, null, 0.01, null, limit + 1, 1e-5, null, 1.0));
        cs.add(new Case("steps 0", false, null, null, 0.01, null, 0L, 1e-5, null, 1.0));
        cs.add(new Case("delta NaN", false, null, null, 0.01, null, 10L, Double.NaN, null, 1.0));
        cs.add(new Case("delta 0", false, null, null, 0.01, null, 10L, 0.0, null, 1.0));
        cs.add(new Case("delta 1", false, null, null, 0.01, null, 10L, 1.0, null, 1.0));
        cs.add(new Case("unreachable target", false, null, null, 1.0, null, 1L, 1e-5, 1e-9, null));
        // Sanity limits, refused without --allow-weak-privacy, by all three commands (dp-train with N and B).
        cs.add(new Case("target above the ceiling", false, null, null, 0.01, null, 100L, 1e-5, 20.0, null));
        cs.add(new Case("target above the ceiling, allowed", true, null, null, 0.01, null, 100L, 1e-5, 20.0, null, true));
        cs.add(new Case("sigma below the minimum", false, null, null, 0.01, null, 10L, 1e-5, null, 0.2));
        cs.add(new Case("sigma below the minimum, allowed", true, null, null, 0.01, null, 10L, 1e-5, null, 0.2, true));
        cs.add(new Case("claimed epsilon above the ceiling", false, null, null, 0.05, null, 10000L, 1e-5, null, 0.5));
        cs.add(new Case("claimed epsilon above the ceiling, allowed", true, null, null, 0.05, null, 10000L, 1e-5, null,
                0.5, true));
        cs.add(new Case("target above the ceiling, N and B", false, 10000L, 100L, null, null, 100L, 1e-5, 20.0, null));
        cs.add(new Case("target above the ceiling, N and B, allowed", true, 10000L, 100L, null, null, 100L, 1e-5, 20.0,
                null, true));
        cs.add(new Case("sigma below the minimum, N and B", false, 10000L, 100L, null, null, 10L, 1e-5, null, 0.2));
        cs.add(new Case("sigma below the minimum, N and B, allowed", true, 10000L, 100L, null, null, 10L, 1e-5, null,
                0.2, true));
        cs.add(new Case("claimed epsilon above the ceiling, N and B", false, 100000L, 5000L, null, null, 10000L, 1e-6,
                null, 0.5));
        cs.add(new Case("claimed epsilon above the ceiling, N and B, allowed", true, 100000L, 5000L, null, null, 10000L,
                1e-6, null, 0.5, true));

        Random rnd = new Random(20261206L);
        long[] sizes = {10, 100, 1000, 32561, 60000, 1000000};
        // Noise multiplier cases: N, B (with q = B / N), epochs or steps, delta below 1/N.
        for (int i = 0; i < 200; i++) {
            long n = sizes[rnd.nextInt(sizes.length)];
            long b = switch (rnd.nextInt(12)) {
                case 0, 1 -> 1;
                case 2 -> n;
                default -> 1 + (long) (rnd.nextDouble() * Math.min(n / 2.0, 5000));
            };
            double q = (double) b / n;
            // At most about 2,000 steps (T = floor(E / q)), and 30 when q > 0.05: PLD's cost grows with q and T.
            int maxSteps = q > 0.05 ? 30 : 2000;
            boolean byEpochs = rnd.nextBoolean();
            Double epochs = byEpochs ? round(Math.min(maxSteps * q, 0.1 + 50 * rnd.nextDouble())) : null;
            Long steps = byEpochs ? null : 1 + (long) rnd.nextInt(maxSteps);
            double delta = rnd.nextInt(8) == 0 ? Math.nextDown(1.0 / n)
                    : Math.pow(10, -Math.ceil(Math.log10(n)) - 1 - rnd.nextInt(3));
            double sigma = round(0.6 + 4 * rnd.nextDouble());
            boolean direct = rnd.nextInt(5) == 0; // q given directly, without N
            cs.add(direct
                    ? new Case("random sigma, q " + i, true, null, null, q, epochs, steps, delta, null, sigma)
                    : new Case("random sigma " + i, true, n, b, null, epochs, steps, delta, null, sigma));
        }
        // Target epsilon cases (a calibration each, about 0.1 s).
        for (int i = 0; i < 40; i++) {
            long n = sizes[2 + rnd.nextInt(sizes.length - 2)];
            long b = 1 + (long) (rnd.nextDouble() * Math.min(n / 10.0, 2000));
            double epochs = round(0.5 + 20 * rnd.nextDouble());
            double delta = rnd.nextInt(4) == 0 ? Math.nextDown(1.0 / n) : Math.pow(10, -Math.ceil(Math.log10(n)) - 1);
            double target = round(0.3 + 8 * rnd.nextDouble());
            cs.add(new Case("random target " + i, true, n, b, null, Math.min(epochs, 3000.0 * b / n), null, delta,
                    target, null));
        }
        // a plan each (as costly as a command's): on the workers too, the grid's order kept
        return List.copyOf(ParallelCases.run(cs.size(), (worker, i) -> withSanityLimits(cs.get(i))));
    }

    /**
     * The case, expected refused when its plan breaks a sanity limit and the case does not allow weak privacy: a
     * claimed epsilon above {@link PlanRequest#DEFAULT_EPSILON_CEILING} or a noise multiplier below
     * {@link PlanRequest#MIN_NOISE_MULTIPLIER} (about 16 random cases, e.g. sigma 2 over 20 steps at q = 1).
     */
    private static Case withSanityLimits(Case c) {
        if (!c.valid() || c.allowWeakPrivacy()) {
            return c;
        }
        org.dpspark.accountant.plan.PrivacyPlan p = org.dpspark.accountant.plan.PrivacyPlan.of(PlanRequest.builder()
                .rows(c.rows()).batchSize(c.batchSize()).samplingRate(c.q()).epochs(c.epochs()).steps(c.steps())
                .delta(c.delta()).targetEpsilon(c.epsilon()).noiseMultiplier(c.sigma()).allowWeakPrivacy(true).build());
        boolean weak = !(p.epsilon() <= PlanRequest.DEFAULT_EPSILON_CEILING)
                || !(p.noiseMultiplier() >= PlanRequest.MIN_NOISE_MULTIPLIER);
        return weak ? new Case(c.label() + " (weak: refused)", false, c.rows(), c.batchSize(), c.q(), c.epochs(),
                c.steps(), c.delta(), c.epsilon(), c.sigma(), false) : c;
    }

    /** Three significant digits, so the flags read like a user's. */
    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.3g", v));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON number, or "Infinity" as the commands write an infinite one. */
    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText());
    }

    private static void assertOneLine(String source, Case c, String err) {
        String e = err.strip();
        if (e.isEmpty() || e.lines().count() != 1 && !e.lines().skip(1).allMatch(l -> l.startsWith("Run '"))) {
            fail(source + " " + c + ": expected one line naming the problem, got: " + err);
        }
    }
}
