package org.dpspark.jobs.run;

/**
 * Where a run publishes its model and report (dp-train): both are checked to be publishable before any budget is
 * spent, and written atomically only after the ledger commit.
 *
 * @param modelDir the model folder to create
 * @param reportPath the report file
 * @param overwrite whether existing outputs may be replaced
 */
public record Publication(String modelDir, String reportPath, boolean overwrite) {
    public Publication {
        if (modelDir == null || reportPath == null) {
            throw new IllegalArgumentException("a publication needs a model folder and a report path");
        }
        if (reportPath.toLowerCase(java.util.Locale.ROOT).endsWith(".html")) {
            throw new IllegalArgumentException("--report " + reportPath + " must not end in .html: it names the JSON "
                    + "report, and the HTML report is written beside it with the extension replaced by .html");
        }
    }

    /**
     * The HTML report, published with the JSON report (both or neither): {@link #reportPath} with its extension
     * replaced by {@code .html}, or with {@code .html} appended when its file name has none.
     */
    public String htmlPath() {
        int slash = reportPath.lastIndexOf('/');
        int dot = reportPath.lastIndexOf('.');
        return (dot > slash + 1 ? reportPath.substring(0, dot) : reportPath) + ".html";
    }
}
