package org.dpspark.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpspark.accountant.calibration.BestCalibration;
import org.dpspark.accountant.group.GroupPrivacy;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.jobs.report.Reports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-privacy}: the privacy calculator. For the Poisson-subsampled Gaussian (DP-SGD), prints epsilon under
 * each accountant (RDP and PLD) for a given noise multiplier, or the smallest noise multiplier meeting a target
 * epsilon under each; one case from flags, or many from a CSV file. No Spark, no data: plain Java.
 *
 * <p>Bad input (a flag, or a CSV row/column) gives a one-line error naming it and exit code 2; nothing is
 * written (the output CSV appears whole, by an atomic rename, or not at all).
 */
@Command(
        name = "dp-privacy",
        mixinStandardHelpOptions = true,
        versionProvider = DpPrivacy.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Privacy calculator for DP-SGD (Poisson-subsampled Gaussian, add/remove adjacency): epsilon under each",
            "accountant (rdp, pld) for a noise multiplier, or the smallest noise multiplier meeting a target epsilon.",
            "One case from the flags, or one per row of --csv-in (columns q, sigma or target_epsilon, steps, delta).",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure (I/O, internal); nothing written",
            "2:bad input (a flag, a CSV row or column); nothing written"
        })
public final class DpPrivacy implements Callable<Integer> {

    @Option(names = {"--rows", "-N"}, paramLabel = "N", description = "Dataset size N (needed with --batch-size; then delta must be < 1/N).")
    Long rows;

    @Option(names = "--batch-size", paramLabel = "B", description = "Expected batch size; q = B / N.")
    Long batchSize;

    @Option(names = {"--q", "--sampling-rate"}, paramLabel = "Q", description = "Poisson sampling rate q, instead of --batch-size.")
    Double q;

    @Option(names = "--noise-multiplier", paramLabel = "SIGMA", description = "Noise multiplier: print epsilon under each accountant.")
    Double noiseMultiplier;

    @Option(names = "--epsilon", paramLabel = "EPS", description = "Target epsilon: print the smallest noise multiplier meeting it under each accountant.")
    Double epsilon;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs; steps T = floor(E / q) = floor(E * N / B) as dp-train.")
    Double epochs;

    @Option(names = "--steps", paramLabel = "T", description = "Steps, instead of --epochs.")
    Long steps;

    @Option(names = "--delta", paramLabel = "DELTA", defaultValue = "1e-5", description = "Delta (default: ${DEFAULT-VALUE}); must be < 1/N when N is given.")
    double delta;

    @Option(names = "--allow-weak-privacy", description = "Compute even a target or claimed epsilon above 10, or a noise "
            + "multiplier below 0.3 (refused otherwise: such an epsilon promises little).")
    boolean allowWeakPrivacy;

    @Option(names = "--max-rows-per-user", paramLabel = "K", description = "Also print what the same run, trained at row level, guarantees a user with K rows, by group privacy (K epsilon, K e^((K-1) epsilon) delta): why the user level matters.")
    Integer maxRowsPerUser;

    @Option(names = "--secure-aggregation", paramLabel = "MODE", description = "masking or paillier: also print what the same run certifies when the partitions add the noise (the distributed discrete Gaussian, accounted by its own RDP bound; see dp-train --secure-aggregation). Needs --rows, --dim and --parties.")
    String secureAggregation;

    @Option(names = "--dim", paramLabel = "D", description = "With --secure-aggregation: the length of each step's vector, the model's parameters + 1 (dp-train --dry-run prints the plan on real data).")
    Integer dim;

    @Option(names = "--parties", paramLabel = "N", description = "With --secure-aggregation: the parties, dp-train's --partitions.")
    Integer parties;

    @Option(names = "--secagg-bits", paramLabel = "B", defaultValue = "40", description = "With --secure-aggregation: the modulus 2^B (default: ${DEFAULT-VALUE}).")
    int secaggBits;

    @Option(names = "--secagg-colluding", paramLabel = "T", defaultValue = "0", description = "With --secure-aggregation: the parties that may collude with the driver (default: ${DEFAULT-VALUE}).")
    int secaggColluding;

    @Option(names = "--clip-norm", paramLabel = "C", defaultValue = "1.0", description = "With --secure-aggregation: the clip norm (it sets the encoding's scale, not epsilon; default: ${DEFAULT-VALUE}).")
    double clipNorm;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--csv-in", paramLabel = "FILE", description = "Cases, one per row: header with q, steps, delta and sigma or target_epsilon (one of the two per row).")
    Path csvIn;

    @Option(names = "--csv-out", paramLabel = "FILE", description = "Results of --csv-in (default: standard output). Refused if it exists, unless --overwrite.")
    Path csvOut;

    @Option(names = "--overwrite", description = "Replace an existing --csv-out.")
    boolean overwrite;

    @Option(names = "--threads", paramLabel = "K", description = "Cases computed in parallel with --csv-in (default: the number of cores).")
    Integer threads;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Output columns of --csv-in runs. */
    static final List<String> CSV_OUT_COLUMNS = List.of("q", "steps", "delta", "sigma", "target_epsilon",
            "epsilon_rdp", "epsilon_pld", "sigma_rdp", "sigma_pld", "best_accountant", "best_sigma", "best_epsilon");

    private final PrintWriter out;

    DpPrivacy(PrintWriter out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-privacy and returns its exit code (never calls System.exit). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new DpPrivacy(out));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("dp-privacy: error: " + ex.getMessage());
            err.println("Run 'dp-privacy --help' for the flags.");
            return ExitCode.BAD_INPUT.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                err.println("dp-privacy: error: " + oneLine(ex.getMessage()));
                return ExitCode.BAD_INPUT.code();
            }
            err.println("dp-privacy: failed: " + ex);
            ex.printStackTrace(err);
            return ExitCode.FAILURE.code();
        });
        return cl.execute(args);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** Canonical parameter names ({@link PlanRequest}) as this command's flags. */
    static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("rows", "--rows"),
            Map.entry("batchSize", "--batch-size"), Map.entry("samplingRate", "--q"), Map.entry("epochs", "--epochs"),
            Map.entry("steps", "--steps"), Map.entry("delta", "--delta"), Map.entry("epsilon", "--epsilon"),
            Map.entry("noiseMultiplier", "--noise-multiplier"), Map.entry("allowWeakPrivacy", "--allow-weak-privacy"),
            Map.entry("secureAggregation", "--secure-aggregation"), Map.entry("secaggBits", "--secagg-bits"),
            Map.entry("secaggColluding", "--secagg-colluding"), Map.entry("numPartitions", "--parties"),
            Map.entry("clipNorm", "--clip-norm"));

    /** Canonical parameter names as the columns of --csv-in. */
    static final Map<String, String> CSV_COLUMNS = Map.of("samplingRate", "column 'q'", "steps", "column 'steps'",
            "delta", "column 'delta'", "epsilon", "column 'target_epsilon'", "noiseMultiplier", "column 'sigma'",
            "allowWeakPrivacy", "--allow-weak-privacy");

    /** One case: a validated plan request (rate, steps, delta and either sigma or a target epsilon). */
    record Case(PlanRequest request) {
        double q() {
            return request.samplingRate();
        }

        long steps() {
            return request.steps();
        }

        double delta() {
            return request.delta();
        }

        /** sigma, NaN when calibrated. */
        double sigma() {
            return request.noiseMultiplier().orElse(Double.NaN);
        }

        /** The target epsilon, NaN when sigma is given. */
        double targetEpsilon() {
            return request.targetEpsilon().orElse(Double.NaN);
        }

        boolean calibrate() {
            return request.targetEpsilon().isPresent();
        }
    }

    /** A case's result under both accountants. */
    record Result(Case c, double epsilonRdp, double epsilonPld, double sigmaRdp, double sigmaPld,
            String bestAccountant, double bestSigma, double bestEpsilon) {}

    @CommandLine.Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() throws Exception {
        try (Verbosity.Levels levels = verbosity.apply()) {
            return compute();
        }
    }

    private Integer compute() throws Exception {
        if (csvIn != null) {
            return callCsv();
        }
        if (csvOut != null) {
            throw new IllegalArgumentException("--csv-out needs --csv-in");
        }
        Case c = caseFromFlags();
        Result r;
        PrivacyPlan secure;
        try {
            secure = securePlan(c);
            r = compute(c);
        } catch (InvalidParameterException e) {
            throw new IllegalArgumentException(e.render(p -> FLAGS.getOrDefault(p, p)), e);
        }
        if (json) {
            ObjectNode n = json(r);
            if (secure != null) {
                org.dpspark.core.secagg.DdgParams d = secure.distributed().orElseThrow();
                ObjectNode s = n.putObject("secure_aggregation");
                s.put("mode", secureAggregation);
                s.put("mechanism", "distributed discrete Gaussian (RDP: Kairouz et al. 2021, Prop. 14; Zhu and Wang 2019)");
                s.put("parties", d.parties());
                s.put("colluding", d.colluding());
                s.put("bits", d.bits());
                s.put("noise_multiplier", secure.noiseMultiplier());
                putNumber(s, "epsilon", secure.epsilon());
            }
            out.println(JSON.writeValueAsString(n));
        } else {
            printText(r);
            if (secure != null) {
                org.dpspark.core.secagg.DdgParams d = secure.distributed().orElseThrow();
                out.printf(Locale.ROOT, "secure aggregation (%s, n = %d, t = %d, b = %d): %s (distributed discrete "
                        + "Gaussian, rdp accountant)%n", secureAggregation, d.parties(), d.colluding(), d.bits(),
                        c.calibrate() ? String.format(Locale.ROOT, "sigma = %.6f, epsilon %.4f", secure.noiseMultiplier(),
                                secure.epsilon()) : String.format(Locale.ROOT, "epsilon = %.4f", secure.epsilon()));
            }
        }
        return ExitCode.SUCCESS.code();
    }

    /**
     * With --secure-aggregation, the plan of the same case when the partitions add the noise: the same
     * {@link PrivacyPlan} rule as dp-train's; null without the flag.
     */
    private PrivacyPlan securePlan(Case c) {
        if (secureAggregation == null) {
            if (dim != null || parties != null) {
                throw new IllegalArgumentException("--dim and --parties describe a secure aggregation: give "
                        + "--secure-aggregation masking (or paillier) too");
            }
            return null;
        }
        if (!secureAggregation.equals("masking") && !secureAggregation.equals("paillier")) {
            throw new IllegalArgumentException("--secure-aggregation must be masking or paillier, got "
                    + secureAggregation);
        }
        if (rows == null || dim == null || parties == null) {
            throw new IllegalArgumentException("--secure-aggregation needs --rows (the sum's range), --dim (the "
                    + "vector's length, the model's parameters + 1) and --parties (dp-train's --partitions)");
        }
        return PrivacyPlan.of(PlanRequest.builder().rows(rows).batchSize(batchSize).samplingRate(q).epochs(epochs)
                .steps(steps).delta(delta).noiseMultiplier(noiseMultiplier).targetEpsilon(epsilon)
                .allowWeakPrivacy(allowWeakPrivacy).secureAggregation(new PlanRequest.SecureAggregation(
                        secureAggregation, secaggBits, parties, secaggColluding, dim, clipNorm)).build());
    }

    /** The case of the flags: every rule is {@link PlanRequest}'s, its errors rendered as flags. */
    private Case caseFromFlags() {
        try {
            return new Case(PlanRequest.builder().rows(rows).batchSize(batchSize).samplingRate(q).epochs(epochs)
                    .steps(steps).delta(delta).noiseMultiplier(noiseMultiplier).targetEpsilon(epsilon)
                    .allowWeakPrivacy(allowWeakPrivacy).build());
        } catch (InvalidParameterException e) {
            throw new IllegalArgumentException(e.render(p -> FLAGS.getOrDefault(p, p)), e);
        }
    }

    /** The case's plan ({@link PrivacyPlan}, as dp-train's) and, when calibrated, both accountants' sigmas. */
    static Result compute(Case c) {
        PrivacyPlan.Detailed d = PrivacyPlan.detailed(c.request());
        PrivacyPlan p = d.plan();
        if (d.calibration().isPresent()) {
            BestCalibration cal = d.calibration().get();
            return new Result(c, Double.NaN, Double.NaN, cal.rdpSigma(), cal.pldSigma(), p.accountant().jsonName(),
                    p.noiseMultiplier(), p.epsilon());
        }
        return new Result(c, p.rdpEpsilon(), p.pldEpsilon(), Double.NaN, Double.NaN, p.accountant().jsonName(),
                p.noiseMultiplier(), p.epsilon());
    }

    private void printText(Result r) {
        Case c = r.c();
        out.printf(Locale.ROOT, "dp-privacy: q = %.6g, steps = %d, delta = %.3g (Poisson-subsampled Gaussian, add/remove)%n",
                c.q(), c.steps(), c.delta());
        if (c.calibrate()) {
            // Sigmas are printed rounded up, so that a printed value still meets the target.
            out.printf(Locale.ROOT, "smallest noise multiplier meeting epsilon <= %s (rounded up):%n", fmt(c.targetEpsilon()));
            out.printf(Locale.ROOT, "  rdp: sigma = %.6f%n", roundUp(r.sigmaRdp()));
            out.printf(Locale.ROOT, "  pld: sigma = %.6f%n", roundUp(r.sigmaPld()));
            out.printf(Locale.ROOT, "best: %s, sigma = %.6f (epsilon %.4f by %s)%n", r.bestAccountant(),
                    roundUp(r.bestSigma()), r.bestEpsilon(), r.bestAccountant());
        } else {
            out.printf(Locale.ROOT, "epsilon at sigma = %s:%n", fmt(c.sigma()));
            out.printf(Locale.ROOT, "  rdp: epsilon = %.4f%n", r.epsilonRdp());
            out.printf(Locale.ROOT, "  pld: epsilon = %.4f%n", r.epsilonPld());
            out.printf(Locale.ROOT, "best: %s, epsilon = %.4f%n", r.bestAccountant(), r.bestEpsilon());
        }
        if (maxRowsPerUser != null) {
            GroupPrivacy g = GroupPrivacy.of(r.bestEpsilon(), c.delta(), maxRowsPerUser);
            out.printf(Locale.ROOT, "group privacy: trained at row level, a user with %d rows is protected at epsilon = "
                    + "%.4f, delta = %.3g%s (train with --privacy-unit user to protect users at the epsilon above)%n",
                    g.rows(), g.epsilon(), g.delta(), g.meaningful() ? "" : " (no guarantee)");
        }
    }

    private static ObjectNode toJson(Result r) {
        Case c = r.c();
        ObjectNode n = JSON.createObjectNode();
        n.put("sampling_rate", c.q());
        n.put("steps", c.steps());
        n.put("delta", c.delta());
        n.put("mechanism", "poisson-subsampled gaussian, add/remove adjacency");
        if (c.calibrate()) {
            n.put("target_epsilon", c.targetEpsilon());
            ObjectNode s = n.putObject("noise_multiplier");
            s.put("rdp", r.sigmaRdp());
            s.put("pld", r.sigmaPld());
        } else {
            n.put("noise_multiplier", c.sigma());
            ObjectNode e = n.putObject("epsilon");
            putNumber(e, "rdp", r.epsilonRdp());
            putNumber(e, "pld", r.epsilonPld());
        }
        ObjectNode best = n.putObject("best");
        best.put("accountant", r.bestAccountant());
        best.put("noise_multiplier", r.bestSigma());
        putNumber(best, "epsilon", r.bestEpsilon());
        return n;
    }

    /** The JSON, with the group-privacy conversion when --max-rows-per-user is given. */
    private ObjectNode json(Result r) {
        ObjectNode n = toJson(r);
        if (maxRowsPerUser != null) {
            GroupPrivacy g = GroupPrivacy.of(r.bestEpsilon(), r.c().delta(), maxRowsPerUser);
            ObjectNode gp = n.putObject("group_privacy");
            gp.put("rows_per_user", g.rows());
            putNumber(gp, "epsilon", g.epsilon());
            gp.put("delta", g.delta());
            gp.put("meaningful", g.meaningful());
        }
        return n;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.put(key, String.valueOf(v)); // "Infinity": JSON has no infinite numbers
        }
    }

    // ---------------------------------------------------------------- CSV sweeps

    private int callCsv() throws Exception {
        if (q != null || batchSize != null || rows != null || noiseMultiplier != null || epsilon != null
                || epochs != null || steps != null || json || secureAggregation != null) {
            throw new IllegalArgumentException("--csv-in takes its cases from the file; do not combine it with --rows, "
                    + "--batch-size, --q, --noise-multiplier, --epsilon, --epochs, --steps, --json or --secure-aggregation");
        }
        if (threads != null && !(threads >= 1)) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        if (csvOut != null && !Files.isDirectory(csvOut.toAbsolutePath().getParent())) {
            throw new IllegalArgumentException("--csv-out " + csvOut + ": its folder does not exist");
        }
        if (csvOut != null && Files.exists(csvOut) && !overwrite) {
            throw new IllegalArgumentException("--csv-out " + csvOut + " exists; pass --overwrite to replace it");
        }
        List<Case> cases = readCases(csvIn, allowWeakPrivacy);
        List<Result> results = computeAll(cases, threads != null ? threads : Runtime.getRuntime().availableProcessors());
        StringBuilder sb = new StringBuilder(String.join(",", CSV_OUT_COLUMNS)).append('\n');
        for (Result r : results) {
            Case c = r.c();
            sb.append(String.join(",", num(c.q()), Long.toString(c.steps()), num(c.delta()), num(c.sigma()),
                    num(c.targetEpsilon()), num(r.epsilonRdp()), num(r.epsilonPld()), num(r.sigmaRdp()),
                    num(r.sigmaPld()), r.bestAccountant(), num(r.bestSigma()), num(r.bestEpsilon()))).append('\n');
        }
        if (csvOut == null) {
            out.print(sb);
            out.flush();
        } else {
            writeAtomically(csvOut, sb.toString());
        }
        return ExitCode.SUCCESS.code();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /** Reads and validates every row before anything is computed; errors name the row (1-based, header = 1) and column. */
    static List<Case> readCases(Path file) {
        return readCases(file, false);
    }

    /** The cases of {@code file}; {@code allowWeakPrivacy} lifts the sanity limits for every row. */
    static List<Case> readCases(Path file, boolean allowWeakPrivacy) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--csv-in " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --csv-in " + file + ": " + e.getMessage(), e);
        }
        String where = "--csv-in " + file;
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IllegalArgumentException(where + ": empty; expected a header with q, steps, delta and sigma or target_epsilon");
        }
        List<String> header = Arrays.stream(lines.get(0).replace("\uFEFF", "").split(",", -1))
                .map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            if (col.put(header.get(i), i) != null) {
                throw new IllegalArgumentException(where + ": header names column '" + header.get(i) + "' twice");
            }
        }
        for (String required : List.of("q", "steps", "delta")) {
            if (!col.containsKey(required)) {
                throw new IllegalArgumentException(where + ": header lacks column '" + required + "' (has " + header + ")");
            }
        }
        if (!col.containsKey("sigma") && !col.containsKey("target_epsilon")) {
            throw new IllegalArgumentException(where + ": header needs a column 'sigma' or 'target_epsilon' (has " + header + ")");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int row = i + 1;
            String[] cells = line.split(",", -1);
            if (cells.length != header.size()) {
                throw new IllegalArgumentException(where + ": row " + row + " has " + cells.length + " fields, the header "
                        + header.size());
            }
            double rate = number(cells, col, "q", row, where);
            double t = number(cells, col, "steps", row, where);
            if (!(t == Math.rint(t) && Math.abs(t) < 1e18)) {
                throw new IllegalArgumentException(where + ": row " + row + ", column 'steps': must be an integer >= 1, got "
                        + cells[col.get("steps")].trim());
            }
            double d = number(cells, col, "delta", row, where);
            boolean hasSigma = col.containsKey("sigma") && !cells[col.get("sigma")].isBlank();
            boolean hasTarget = col.containsKey("target_epsilon") && !cells[col.get("target_epsilon")].isBlank();
            if (hasSigma == hasTarget) {
                throw new IllegalArgumentException(where + ": row " + row
                        + ": give exactly one of the columns 'sigma' and 'target_epsilon'");
            }
            Double sigma = hasSigma ? number(cells, col, "sigma", row, where) : null;
            Double target = hasTarget ? number(cells, col, "target_epsilon", row, where) : null;
            try {
                cases.add(new Case(PlanRequest.builder().samplingRate(rate).steps((long) t).delta(d)
                        .noiseMultiplier(sigma).targetEpsilon(target).allowWeakPrivacy(allowWeakPrivacy).build()));
            } catch (InvalidParameterException e) {
                throw new IllegalArgumentException(where + ": row " + row + ", "
                        + e.render(p -> CSV_COLUMNS.getOrDefault(p, p)), e);
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException(where + ": no data rows");
        }
        return cases;
    }

    private static double number(String[] cells, Map<String, Integer> col, String name, int row, String where) {
        String s = cells[col.get(name)].trim();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": row " + row + ", column '" + name + "': not a number: '" + s + "'");
        }
    }

    /** Computes the cases on {@code threads} threads, in order; the first failing row's error names it. */
    static List<Result> computeAll(List<Case> cases, int threads) throws InterruptedException {
        if (threads > 1) {
            PldAccountant.setFftThreads(1); // the cases run in parallel; FFT threads inside each would compete
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dp-privacy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (Case c : cases) {
                futures.add(pool.submit(() -> compute(c)));
            }
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof InvalidParameterException ipe) {
                        throw new IllegalArgumentException("--csv-in: data row " + (i + 1) + ": "
                                + ipe.render(p -> CSV_COLUMNS.getOrDefault(p, p)), cause);
                    }
                    if (cause instanceof IllegalArgumentException) {
                        throw new IllegalArgumentException("--csv-in: data row " + (i + 1) + ": " + cause.getMessage(), cause);
                    }
                    throw new IllegalStateException("case " + (i + 1) + " failed: " + cause, cause);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes {@code text} to a temporary file beside {@code target} and renames it into place. */
    static void writeAtomically(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(text);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Up to the next multiple of 1e-6 (and one more when the decimal rendering would round down). */
    private static double roundUp(double sigma) {
        double up = Math.ceil(sigma * 1e6) / 1e6;
        return up < sigma ? up + 1e-6 : up;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    /** --version: the dpspark version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dp-privacy (dpspark) " + Reports.codeVersion()};
        }
    }
}
