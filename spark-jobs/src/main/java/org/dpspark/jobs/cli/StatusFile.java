package org.dpspark.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.jobs.io.AtomicOutput;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.run.TrainedModel;

/**
 * dp-train's {@code --status-file}: the outcome of the latest attempt as a small JSON document on any Hadoop file
 * system, for schedulers that cannot see the driver's exit code (spark-submit in standalone cluster deploy mode
 * returns 0 whatever the driver's exit code):
 *
 * <pre>{"format_version": 1, "exit_code": 2, "outcome": "bad_input", "message": "dp-train: error: ...",
 *  "job_id": "...", "finished_at": "2026-12-06T01:02:03Z", "model_path": "...", "report_path": "...",
 *  // on success only:
 *  "dataset_id": "adult", "epsilon": 0.99, "delta": 1e-6, "ledger_commit_seq": 12}</pre>
 *
 * <p>{@code exit_code} is the process's exit code: 0 to 4 ({@link ExitCode}), or 130/143 for a run stopped at a step
 * boundary by SIGINT/SIGTERM, whose outcome is {@value #INTERRUPTED}.
 *
 * <p>It holds the one line dp-train printed and public facts of the run (paths, job id, the privacy guarantee and
 * the ledger entry), never a data value, seed or gradient. Written atomically (temporary name, then rename), and
 * replaced by the next attempt: it always describes the latest one.
 */
final class StatusFile {
    /** The version of the JSON layout; a reader refuses versions it does not know. */
    static final int FORMAT_VERSION = 1;

    static final String FLAG = "--status-file";

    /** The outcome of a run stopped at a step boundary by SIGINT or SIGTERM (exit 130 or 143). */
    static final String INTERRUPTED = "interrupted";

    private StatusFile() {}

    /** Refuses (exit 2), before Spark starts, a path where the file cannot be written: see AtomicOutput. */
    static void check(Configuration conf, String path) {
        AtomicOutput.checkReplaceableFile(conf, path, FLAG);
    }

    /** The outcome name of an exit code, as in the file. */
    static String outcome(ExitCode code) {
        return switch (code) {
            case SUCCESS -> "success";
            case FAILURE -> "failure";
            case BAD_INPUT -> "bad_input";
            case BUDGET_EXHAUSTED -> "budget_exhausted";
            case LEDGER_CONFLICT -> "ledger_conflict";
        };
    }

    /** The document of an outcome whose exit code is {@code code}'s: see the full form. */
    static byte[] json(ExitCode code, String message, String jobId, Instant finishedAt, String modelPath,
            String reportPath, TrainedModel model) {
        return json(code.code(), outcome(code), message, jobId, finishedAt, modelPath, reportPath, model);
    }

    /**
     * The document.
     *
     * @param exitCode the code the process exits with (130 and 143 for an interrupted run)
     * @param outcome its name: {@link #outcome(ExitCode)}, or {@link #INTERRUPTED}
     * @param message the one line dp-train printed for the outcome
     * @param jobId the job id, or null when the flags did not get that far
     * @param modelPath the model folder, or null (a dry run, or not known)
     * @param reportPath the report file, or null
     * @param model the trained model on success, else null: its guarantee and ledger entry are added
     */
    static byte[] json(int exitCode, String outcome, String message, String jobId, Instant finishedAt,
            String modelPath, String reportPath, TrainedModel model) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode n = mapper.createObjectNode();
        n.put("format_version", FORMAT_VERSION);
        n.put("exit_code", exitCode);
        n.put("outcome", outcome);
        n.put("message", message);
        n.put("job_id", jobId);
        n.put("finished_at", finishedAt.toString());
        n.put("model_path", modelPath);
        n.put("report_path", reportPath);
        if (exitCode == ExitCode.SUCCESS.code() && model != null) {
            PrivacyClaim claim = model.provenance().claim();
            LedgerReceipt ledger = model.provenance().ledger();
            n.put("dataset_id", ledger.datasetId());
            n.put("epsilon", claim.epsilon());
            n.put("delta", claim.delta());
            n.put("ledger_commit_seq", ledger.commitSeq());
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(n).concat("\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render the status file", e);
        }
    }

    /** Writes (or replaces) the status file atomically. */
    static void write(Configuration conf, String path, byte[] json) {
        AtomicOutput.writeFile(conf, path, json, true);
    }

    /**
     * The value of {@code --status-file} in raw arguments (for a flag error, when picocli stopped before it), or
     * null.
     */
    static String fromArgs(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(FLAG) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(FLAG + "=")) {
                return args[i].substring(FLAG.length() + 1);
            }
        }
        return null;
    }
}
