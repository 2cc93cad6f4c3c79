package org.dpspark.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.BudgetExhaustedException;
import org.dpspark.accountant.ledger.DatasetLocations;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.LedgerJson;
import org.dpspark.accountant.ledger.LedgerPolicy;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.report.Reports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-ledger}: the privacy ledger from the command line: creating a ledger (init), registering datasets,
 * budgets, cumulative spend, history (every attempt of a job), settling crashed attempts, and dry runs. Needs no
 * SparkSession. Every subcommand takes {@code --ledger} and {@code --json}; every subcommand but init refuses a
 * location that holds no ledger (exit 2), so a mistyped location never becomes a new ledger.
 */
@Command(
        name = "dp-ledger",
        mixinStandardHelpOptions = true,
        versionProvider = DpLedger.Version.class,
        usageHelpWidth = 110,
        description = {
            "The dpspark privacy ledger: per dataset, a budget and the composed privacy loss of every job that touched it.",
            ""
        },
        subcommands = {DpLedger.Init.class, DpLedger.Register.class, DpLedger.SetBudget.class, DpLedger.Show.class,
            DpLedger.History.class, DpLedger.Resolve.class, DpLedger.Check.class, DpLedger.Report.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (check: the job fits)",
            "1:failure (I/O, a corrupt ledger entry, internal)",
            "2:bad input (a flag; no ledger at the location; init: a ledger is already there)",
            "3:check: the job does not fit the budget",
            "4:ledger conflict (resolve: the attempt has no open reservation; register: a location or fingerprint "
                + "belongs to another dataset)"
        })
public final class DpLedger implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-ledger and returns its exit code (never calls System.exit). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * As {@link #run(String...)}, printing to {@code out} and {@code err} instead of System.out and System.err: an
     * in-process caller's own writers (tests that run commands on several threads at once).
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new DpLedger());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("dp-ledger: error: " + String.valueOf(ex.getMessage()).replace('\n', ' ')
                    + " (dp-ledger --help lists the subcommands)");
            return ExitCode.BAD_INPUT.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            ExitCode code = DpTrain.classify(ex);
            err.println("dp-ledger: error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage().replace('\n', ' ')));
            return code.code();
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: init, register, "
                + "set-budget, show, history, resolve, check or report");
    }

    /** Options every subcommand has. */
    static class Common {
        @CommandLine.Mixin
        Verbosity verbosity = new Verbosity();

        @Option(names = "--ledger", paramLabel = "URI", description = "Ledger location (default: $DPSPARK_LEDGER, else "
                + "~/.dpspark/ledger); it must exist (dp-ledger init creates one).")
        String ledger;

        @Option(names = "--json", description = "Machine-readable JSON output.")
        boolean json;

        PrivacyLedger open() {
            verbosity.apply(); // a short-lived command: the levels stay for its process
            return JobLedger.open(ledger, new Configuration(), "--ledger");
        }
    }

    static PrintWriter out(CommandLine.Model.CommandSpec spec) {
        return spec.commandLine().getOut();
    }

    static void printJson(PrintWriter out, Object node) {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Creates a ledger (a new or empty directory, on any Hadoop file system with atomic create) and "
                + "its policy.", "Every other command, dp-train and the estimators refuse a location that holds no ledger."})
    static final class Init implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--allow-unbudgeted", description = "Let jobs run on data that matches no registered dataset "
                + "without their own opt-in (default: refused).")
        boolean allowUnbudgeted;

        @Option(names = "--epsilon-ceiling", paramLabel = "EPS", defaultValue = "10",
                description = "The largest epsilon a job may target or claim without --allow-weak-privacy (default: "
                        + "${DEFAULT-VALUE}).")
        double epsilonCeiling;

        @Override
        public Integer call() {
            LedgerPolicy policy;
            try {
                policy = new LedgerPolicy(allowUnbudgeted, epsilonCeiling);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("init: --epsilon-ceiling: " + e.getMessage(), e);
            }
            PrivacyLedger l = JobLedger.create(common.ledger, new Configuration(), policy, "--ledger");
            if (common.json) {
                ObjectNode n = JSON.createObjectNode();
                n.put("ledger", l.location());
                n.put("allow_unbudgeted", policy.allowUnbudgeted());
                n.put("epsilon_ceiling", policy.epsilonCeiling());
                printJson(out(spec), n);
            } else {
                out(spec).printf(Locale.ROOT, "created ledger %s (policy: %s; epsilon ceiling %s)%n", l.location(),
                        policy.allowUnbudgeted() ? "jobs on unregistered data allowed"
                                : "jobs on unregistered data need an explicit opt-in", policy.epsilonCeiling());
                out(spec).printf(Locale.ROOT, "next: dp-ledger register --ledger %s --dataset-id ID --location PATH; "
                        + "dp-ledger set-budget --ledger %s --dataset-id ID --epsilon E --delta D%n", l.location(),
                        l.location());
            }
            return 0;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Registers a dataset's locations (paths: a file or a directory and everything under it; catalog "
                + "tables)", "and input fingerprints: any job reading them is charged to the dataset, whatever its "
                + "--dataset-id.", "A location or fingerprint of another dataset is refused (exit 4)."})
    static final class Register implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset-id", required = true, paramLabel = "ID")
        String datasetId;

        @Option(names = "--location", paramLabel = "PATH", description = "A path (any Hadoop file system), or a catalog "
                + "table as table:[database.]table (as --table); repeatable.")
        List<String> locations = new java.util.ArrayList<>();

        @Option(names = "--table", paramLabel = "NAME", description = "A catalog table, [database.]table; repeatable.")
        List<String> tables = new java.util.ArrayList<>();

        @Option(names = "--fingerprint", paramLabel = "FP", description = "An input fingerprint (as dp-train records it, "
                + "rows-v1:...); repeatable.")
        List<String> fingerprints = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            if (locations.isEmpty() && tables.isEmpty() && fingerprints.isEmpty()) {
                throw new IllegalArgumentException("register: give at least one --location, --table or --fingerprint");
            }
            Configuration conf = new Configuration();
            List<String> normalized = new java.util.ArrayList<>();
            for (String l : locations) {
                try {
                    // table:db.name is the ledger's own form of a table's location (what dp-train records for --table)
                    normalized.add(l.strip().toLowerCase(Locale.ROOT).startsWith("table:")
                            ? DatasetLocations.normalizeTable(l) : DatasetLocations.normalizePath(l, conf));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("register: --location: " + e.getMessage(), e);
                }
            }
            for (String t : tables) {
                try {
                    normalized.add(DatasetLocations.normalizeTable(t));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("register: --table: " + e.getMessage(), e);
                }
            }
            PrivacyLedger l = common.open();
            LedgerEntry e = l.register(datasetId, normalized, fingerprints);
            DatasetState s = l.state(datasetId);
            if (common.json) {
                printJson(out(spec), stateJson(s));
            } else {
                out(spec).printf(Locale.ROOT, "dataset %s: registered %s (entry %d)%s%n", datasetId,
                        String.join(", ", s.registeredLocations()) + (s.registeredFingerprints().isEmpty() ? ""
                                : (s.registeredLocations().isEmpty() ? "" : ", ") + "fingerprints "
                                + String.join(", ", s.registeredFingerprints())), e.seq(),
                        s.budget().isPresent() ? "" : "; no budget set yet: dp-ledger set-budget --dataset-id "
                                + datasetId + " --epsilon E --delta D");
            }
            return 0;
        }
    }

    @Command(name = "set-budget", mixinStandardHelpOptions = true, description = "Sets (or changes) a dataset's budget.")
    static final class SetBudget implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset-id", required = true, paramLabel = "ID")
        String datasetId;

        @Option(names = "--epsilon", required = true, paramLabel = "EPS", description = "Cap on the composed epsilon.")
        double epsilon;

        @Option(names = "--delta", required = true, paramLabel = "DELTA", description = "Delta at which the composed loss is converted.")
        double delta;

        @Option(names = "--privacy-unit", defaultValue = Budget.ROW, paramLabel = "UNIT", description = "row (default: one input row) or user (all the rows of one user): jobs in another unit are refused.")
        String unit;

        @Override
        public Integer call() {
            Budget b;
            try {
                b = new Budget(epsilon, delta, unit);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("set-budget: " + e.getMessage(), e);
            }
            PrivacyLedger l = common.open();
            LedgerEntry e = l.setBudget(datasetId, b);
            DatasetState s = l.state(datasetId);
            if (common.json) {
                printJson(out(spec), stateJson(s));
            } else {
                out(spec).printf(Locale.ROOT, "dataset %s: budget epsilon %s at delta %s (entry %d); spent %.4f, remaining %.4f%n",
                        datasetId, b.epsilon(), b.delta(), e.seq(), s.spentEpsilon(), s.remainingEpsilon());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Budget, composed spend, remaining and per-job charges of a dataset (all datasets without --dataset-id).")
    static final class Show implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset-id", paramLabel = "ID")
        String datasetId;

        @Override
        public Integer call() {
            PrivacyLedger l = common.open();
            List<String> ids = datasetId != null ? List.of(datasetId) : l.datasets();
            PrintWriter out = out(spec);
            if (common.json) {
                if (datasetId != null) {
                    printJson(out, stateJson(l.state(datasetId)));
                } else {
                    ArrayNode a = JSON.createArrayNode();
                    ids.forEach(id -> a.add(stateJson(l.state(id))));
                    printJson(out, a);
                }
                return 0;
            }
            if (ids.isEmpty()) {
                out.println("ledger " + l.location() + ": no datasets");
            }
            for (String id : ids) {
                DatasetState s = l.state(id);
                out.printf(Locale.ROOT, "dataset %s%n", id);
                if (s.registered()) {
                    List<String> reg = new java.util.ArrayList<>(s.registeredLocations());
                    s.registeredFingerprints().forEach(f -> reg.add("fingerprint " + f));
                    out.printf(Locale.ROOT, "  registered: %s%n", String.join(", ", reg));
                } else {
                    out.println("  registered: no locations (only jobs naming this dataset id are charged to it)");
                }
                if (s.budget().isPresent()) {
                    out.printf(Locale.ROOT, "  budget:    epsilon %s at delta %s (privacy unit: %s)%n", s.budget().get().epsilon(),
                            s.budget().get().delta(), s.budget().get().privacyUnit());
                } else {
                    out.println("  budget:    none set (no cap is enforced)");
                }
                out.printf(Locale.ROOT, "  spent:     epsilon %.4f at delta %.3g (%s; composed, not summed)%n", s.spentEpsilon(),
                        s.delta(), s.accountant());
                out.printf(Locale.ROOT, "  remaining: %s%n", s.budget().isPresent()
                        ? String.format(Locale.ROOT, "epsilon %.4f", s.remainingEpsilon()) : "unlimited");
                for (DatasetState.JobCharge c : s.charges()) {
                    out.printf(Locale.ROOT, "  job %-36s %-9s per %-4s  epsilon alone %.4f  %s%s%n",
                            c.jobId() + attemptLabel(s, c), c.status().name().toLowerCase(Locale.ROOT),
                            c.reservation().unit(), c.epsilon(), events(c.charged()),
                            c.settlement() != null && c.settlement().modelPath() != null ? "  model " + c.settlement().modelPath() : "");
                }
            }
            return 0;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Every entry of a dataset's log, in order.")
    static final class History implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset-id", required = true, paramLabel = "ID")
        String datasetId;

        @Override
        public Integer call() {
            DatasetState s = common.open().state(datasetId);
            PrintWriter out = out(spec);
            if (common.json) {
                ArrayNode a = JSON.createArrayNode();
                s.entries().forEach(e -> a.add(LedgerJson.toTree(e)));
                printJson(out, a);
                return 0;
            }
            Map<Long, Integer> attemptOf = new java.util.HashMap<>();
            s.charges().forEach(c -> attemptOf.put(c.reservation().seq(), c.attempt()));
            for (LedgerEntry e : s.entries()) {
                String what = switch (e.type()) {
                    case BUDGET -> "epsilon " + e.budget().epsilon() + " at delta " + e.budget().delta() + " per "
                            + e.budget().privacyUnit();
                    case RESERVATION -> "job " + e.jobId() + " attempt " + e.attemptNumber() + " per " + e.unit() + " "
                            + events(e.events());
                    case COMMIT -> "job " + e.jobId() + " attempt " + attemptOf.get(e.reservationSeq()) + " per "
                            + e.unit() + " " + events(e.events()) + String.format(Locale.ROOT, " epsilon %.4f", e.epsilon())
                            + (e.modelPath() != null ? " model " + e.modelPath() : "");
                    case ABORT -> "job " + e.jobId() + " attempt " + attemptOf.get(e.reservationSeq());
                    case REGISTER -> String.join(", ", e.locations()) + (e.fingerprints().isEmpty() ? ""
                            : (e.locations().isEmpty() ? "" : ", ") + "fingerprints " + String.join(", ", e.fingerprints()));
                };
                out.printf(Locale.ROOT, "%4d  %s  %-11s %s  [%s, %s]%s%n", e.seq(), e.time(), e.type().jsonName(), what,
                        e.user(), e.codeVersion(), e.note() != null ? "  " + e.note() : "");
            }
            return 0;
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = {"Settles a crashed attempt's open reservation: --commit counts it as spent (the conservative choice);",
                "--abort frees it, only when you state that nothing was published (--nothing-published).",
                "Without --attempt, the job's latest open attempt (dp-ledger history lists the attempts)."})
    static final class Resolve implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset-id", required = true, paramLabel = "ID")
        String datasetId;

        @Option(names = "--job-id", required = true, paramLabel = "ID")
        String jobId;

        @Option(names = "--commit", description = "Count the reservation as spent.")
        boolean commit;

        @Option(names = "--abort", description = "Free the reservation (requires --nothing-published).")
        boolean abort;

        @Option(names = "--nothing-published", description = "You state that the job published nothing: no model, no report, no progress line.")
        boolean nothingPublished;

        @Option(names = "--note", paramLabel = "TEXT", description = "Recorded in the entry.")
        String note;

        @Option(names = "--attempt", paramLabel = "N", description = "The attempt to settle (default: the latest open one).")
        Integer attempt;

        @Override
        public Integer call() {
            if (commit == abort) {
                throw new IllegalArgumentException("resolve: give exactly one of --commit and --abort");
            }
            if (abort && !nothingPublished) {
                throw new IllegalArgumentException("resolve --abort: add --nothing-published to state that the job released "
                        + "nothing (no model, report or progress line); otherwise use --commit");
            }
            if (attempt != null && !(attempt >= 1)) {
                throw new IllegalArgumentException("resolve: --attempt must be >= 1, got " + attempt);
            }
            int a = attempt == null ? 0 : attempt;
            PrivacyLedger l = common.open();
            LedgerEntry e = commit ? l.resolveCommit(datasetId, jobId, a, note) : l.resolveAbort(datasetId, jobId, a, note);
            if (common.json) {
                printJson(out(spec), LedgerJson.toTree(e));
            } else {
                out(spec).printf(Locale.ROOT, "dataset %s: job %s %s (entry %d)%n", datasetId, jobId,
                        commit ? "committed as spent" : "aborted", e.seq());
            }
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Dry run: would a job with these parameters fit the dataset's budget now? Writes nothing.",
                "Give --sampling-rate or --batch-size with --rows (q = B/N), --steps or --epochs (T = floor(E*N/B), or",
                "floor(E/q)), and --noise-multiplier or --epsilon: planned as dp-train plans (delta < 1/N when --rows",
                "is given; the best of RDP and PLD calibration)."})
    static final class Check implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset-id", required = true, paramLabel = "ID")
        String datasetId;

        @Option(names = "--sampling-rate", paramLabel = "Q")
        Double q;

        @Option(names = "--steps", paramLabel = "T")
        Long steps;

        @Option(names = "--batch-size", paramLabel = "B")
        Integer batch;

        @Option(names = "--rows", paramLabel = "N")
        Long rows;

        @Option(names = "--epochs", paramLabel = "E")
        Double epochs;

        @Option(names = "--noise-multiplier", paramLabel = "SIGMA")
        Double sigma;

        @Option(names = "--epsilon", paramLabel = "EPS", description = "Target epsilon of the job (instead of --noise-multiplier).")
        Double epsilon;

        @Option(names = "--delta", defaultValue = "1e-5", paramLabel = "DELTA", description = "The job's delta (default: ${DEFAULT-VALUE}).")
        double delta;

        @Option(names = "--allow-weak-privacy", description = "Plan even a target or claimed epsilon above the ledger's "
                + "ceiling (default 10), or a noise multiplier below 0.3.")
        boolean allowWeakPrivacy;

        @Option(names = "--privacy-unit", defaultValue = "row", paramLabel = "UNIT", description = "What the job "
                + "protects: row or user (then --rows and --batch-size count users). A dataset's loss is held in one "
                + "unit: a job in another is refused, as dp-train's would be (default: ${DEFAULT-VALUE}).")
        String privacyUnit;

        /** Canonical parameter names ({@link PlanRequest}) as this subcommand's flags. */
        static final Map<String, String> FLAGS = Map.of("rows", "--rows", "batchSize", "--batch-size", "samplingRate",
                "--sampling-rate", "epochs", "--epochs", "steps", "--steps", "delta", "--delta", "epsilon", "--epsilon",
                "noiseMultiplier", "--noise-multiplier", "allowWeakPrivacy", "--allow-weak-privacy");

        @Override
        public Integer call() {
            // The plan dp-train makes (PrivacyPlan: q, T, delta < 1/N, the best of RDP and PLD calibration, the
            // sanity limits with the ledger's epsilon ceiling), so a dry run describes the job dp-train would reserve.
            String unit = Budget.requireUnit("check: --privacy-unit", privacyUnit.strip().toLowerCase(Locale.ROOT));
            PrivacyLedger l = common.open();
            List<DpEvent> events;
            try {
                PlanRequest request = PlanRequest.builder().rows(rows).batchSize(batch == null ? null : Long.valueOf(batch))
                        .samplingRate(q).epochs(epochs).steps(steps).delta(delta).noiseMultiplier(sigma)
                        .targetEpsilon(epsilon).epsilonCeiling(l.policy().epsilonCeiling())
                        .allowWeakPrivacy(allowWeakPrivacy).build();
                events = PrivacyPlan.of(request).events();
            } catch (InvalidParameterException e) {
                throw new IllegalArgumentException("check: " + e.render(p -> FLAGS.getOrDefault(p, p)), e);
            }
            PrintWriter out = out(spec);
            try {
                Admission a = l.check(datasetId, events, delta, unit);
                if (common.json) {
                    ObjectNode n = checkJson(datasetId, events, true, a.delta(), a.spentBefore(), a.jobEpsilon(), a.spentAfter());
                    a.budget().ifPresentOrElse(b -> n.put("budget_epsilon", b.epsilon()), () -> n.putNull("budget_epsilon"));
                    printJson(out, n);
                } else {
                    out.printf(Locale.ROOT, "fits: dataset %s, job %s alone epsilon %.4f; composed spend %.4f -> %.4f at delta %.3g%s%n",
                            datasetId, events(events), a.jobEpsilon(), a.spentBefore(), a.spentAfter(), a.delta(),
                            a.noCap() ? " (no budget set: no cap is enforced)"
                                    : String.format(Locale.ROOT, " of the budget %s (remaining after: %.4f)", a.budget().get().epsilon(), a.remainingAfter()));
                }
                return 0;
            } catch (BudgetExhaustedException e) {
                if (common.json) {
                    ObjectNode n = checkJson(datasetId, events, false, e.budget().delta(), e.spentEpsilon(), e.requestedEpsilon(),
                            e.composedEpsilon());
                    n.put("budget_epsilon", e.budget().epsilon());
                    n.put("message", e.getMessage());
                    printJson(out, n);
                } else {
                    out.println("does not fit: " + e.getMessage());
                }
                return ExitCode.BUDGET_EXHAUSTED.code();
            }
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"The budget dashboard of a dataset: its budget, every entry's charge in order, the burn-down of "
                + "the composed spend",
                "over time, what remains and the open reservations, as a self-contained HTML page (--html) and/or the "
                + "same data as JSON (--json).",
                "Both files are written together or not at all; an existing file at either path is replaced."})
    static final class Report implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--ledger", paramLabel = "URI", description = "Ledger location (default: $DPSPARK_LEDGER, else "
                + "~/.dpspark/ledger); it must exist.")
        String ledger;

        @Option(names = "--dataset-id", paramLabel = "ID", description = "The dataset (required).")
        String datasetId;

        @Option(names = "--html", paramLabel = "FILE", description = "Write the dashboard page here.")
        String html;

        @Option(names = "--json", paramLabel = "FILE", description = "Write the dashboard's data (what the page shows) "
                + "here.")
        String json;

        @Override
        public Integer call() {
            if (datasetId == null || datasetId.isBlank()) {
                throw new IllegalArgumentException("report: --dataset-id is required");
            }
            if (html == null && json == null) {
                throw new IllegalArgumentException("report: give --html FILE and/or --json FILE");
            }
            if (html != null && html.equals(json)) {
                throw new IllegalArgumentException("report: --html and --json name the same file " + html);
            }
            Configuration conf = new Configuration();
            if (html != null) {
                org.dpspark.jobs.io.AtomicOutput.checkReplaceableFile(conf, html, "--html");
            }
            if (json != null) {
                org.dpspark.jobs.io.AtomicOutput.checkReplaceableFile(conf, json, "--json");
            }
            PrivacyLedger l = JobLedger.open(ledger, conf, "--ledger");
            ObjectNode doc = org.dpspark.jobs.ledger.BudgetReport.json(l, datasetId, java.time.Instant.now());
            Map<String, byte[]> files = new java.util.LinkedHashMap<>();
            if (json != null) {
                files.put(json, Reports.toBytes(doc));
            }
            if (html != null) {
                files.put(html, org.dpspark.jobs.report.html.BudgetDashboardPage.render(doc));
            }
            org.dpspark.jobs.io.AtomicOutput.writeFiles(conf, files, true);
            out(spec).printf(Locale.ROOT, "dataset %s: wrote %s (spent epsilon %.4f%s; %d open reservation(s))%n",
                    datasetId, String.join(" and ", files.keySet()), doc.get("spent_epsilon").asDouble(),
                    doc.get("budget").isNull() ? ", no budget set"
                            : String.format(Locale.ROOT, " of %s, remaining %.4f", doc.get("budget").get("epsilon")
                                    .asDouble(), doc.get("remaining_epsilon").asDouble()),
                    doc.get("open_reservations").size());
            return 0;
        }
    }

    private static ObjectNode checkJson(String ds, List<DpEvent> events, boolean fits, double delta, double before, double alone,
            double after) {
        ObjectNode n = JSON.createObjectNode();
        n.put("dataset_id", ds);
        n.put("fits", fits);
        DpEvent training = events.get(events.size() - 1); // the training's event comes last
        n.put("sampling_rate", training.samplingRate());
        n.put("noise_multiplier", training.noiseMultiplier());
        n.put("steps", training.steps());
        n.put("delta", delta);
        n.put("spent_epsilon", before);
        n.put("job_epsilon", alone);
        n.put("spent_epsilon_with_job", after);
        return n;
    }

    static ObjectNode stateJson(DatasetState s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("dataset_id", s.datasetId());
        if (!org.dpspark.jobs.ledger.BudgetReport.putBudget(n, s)) {
            n.put("note", "no budget set: no cap is enforced");
        }
        n.put("spent_epsilon", s.spentEpsilon());
        if (Double.isNaN(s.delta())) {
            n.putNull("delta");
        } else {
            n.put("delta", s.delta());
        }
        n.put("accountant", s.accountant());
        n.put("entries", s.entries().size());
        n.put("registered", s.registered());
        ArrayNode locs = n.putArray("registered_locations");
        s.registeredLocations().forEach(locs::add);
        ArrayNode fps = n.putArray("registered_fingerprints");
        s.registeredFingerprints().forEach(fps::add);
        ArrayNode jobs = n.putArray("jobs");
        for (DatasetState.JobCharge c : s.charges()) {
            ObjectNode j = jobs.addObject();
            j.put("job_id", c.jobId());
            j.put("attempt", c.attempt());
            j.put("status", c.status().name().toLowerCase(Locale.ROOT));
            j.put("privacy_unit", c.reservation().unit());
            j.put("reservation_seq", c.reservation().seq());
            if (c.settlement() != null) {
                j.put("settlement_seq", c.settlement().seq());
                j.put("model_path", c.settlement().modelPath());
            }
            j.put("epsilon_alone", c.epsilon());
            ArrayNode ev = j.putArray("charged_events");
            for (DpEvent e : c.charged()) {
                ObjectNode o = ev.addObject().put("q", e.samplingRate()).put("sigma", e.noiseMultiplier())
                        .put("steps", e.steps());
                if (e.isDiscrete()) {
                    o.put("mechanism", "ddg").put("tau", e.discrete().tau()).put("dim", e.discrete().dim());
                }
                if (e.isSelection()) {
                    double score = e.selection().scoreNoiseMultiplier();
                    o.put("mechanism", "repeat_and_select").put("trials", e.selection().count().describe());
                    if (score == Double.POSITIVE_INFINITY) {
                        o.putNull("score_sigma");
                    } else {
                        o.put("score_sigma", score);
                    }
                }
            }
            j.put("input_fingerprint", c.reservation().inputFingerprint());
            j.put("user", c.reservation().user());
            j.put("reserved_at", c.reservation().time().toString());
        }
        return n;
    }

    /** " (attempt N)" when the job has more than one attempt, else nothing. */
    private static String attemptLabel(DatasetState s, DatasetState.JobCharge c) {
        return s.attempts(c.jobId()).size() > 1 || c.attempt() > 1 ? " (attempt " + c.attempt() + ")" : "";
    }

    private static String events(List<DpEvent> events) {
        StringBuilder sb = new StringBuilder("[");
        for (DpEvent e : events) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT, "q=%.6g sigma=%.6g steps=%d", e.samplingRate(), e.noiseMultiplier(), e.steps()));
            if (e.isDiscrete()) {
                sb.append(String.format(Locale.ROOT, " ddg(tau=%.3g, d=%d)", e.discrete().tau(), e.discrete().dim()));
            }
            if (e.isSelection()) {
                double score = e.selection().scoreNoiseMultiplier();
                sb.append(" per trial, search over ").append(e.selection().count().describe()).append(" trials")
                        .append(score == Double.POSITIVE_INFINITY ? ", no score release"
                                : String.format(Locale.ROOT, ", score sigma=%.6g", score));
            }
        }
        return sb.append(']').toString();
    }

    /** --version: the dpspark version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dp-ledger (dpspark) " + Reports.codeVersion()};
        }
    }
}
