package org.dpspark.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.datasets.InputFormat;

/**
 * The {@code --input}/{@code --format}/{@code --table} flags that dp-predict and dp-prepare share, and the reading of a
 * catalog table that dp-train and dp-tune use too.
 */
final class InputFlags {
    private InputFlags() {}

    /**
     * Checks that exactly one of {@code input} and {@code table} is given, with a {@code format} for an input (one of
     * {@code formats}, named in the message) and none for a table.
     *
     * @return the input's format, or null for a table
     * @throws IllegalArgumentException naming the flag
     */
    static InputFormat check(String input, String format, String table, String formats) {
        if ((input == null) == (table == null)) {
            throw new IllegalArgumentException("give exactly one of --input and --table");
        }
        if (table != null) {
            if (format != null) {
                throw new IllegalArgumentException("--format applies to --input only; a --table has its own schema");
            }
            if (table.isBlank()) {
                throw new IllegalArgumentException("--table must be a table name, got ''");
            }
            return null;
        }
        if (format == null) {
            throw new IllegalArgumentException("--format is required with --input: " + formats);
        }
        try {
            return InputFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format: " + e.getMessage(), e);
        }
    }

    /** Refuses an --input that does not exist (before Spark starts). */
    static void requireExists(Configuration conf, String path) {
        try {
            Path p = new Path(path);
            if (!p.getFileSystem(conf).exists(p)) {
                throw new IllegalArgumentException("--input " + path + " does not exist");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --input " + path + ": " + e.getMessage(), e);
        }
    }

    /** The catalog table named by --table; an unknown table is bad input naming it. */
    static Dataset<Row> table(SparkSession spark, String table) {
        return table(spark, "--table", table);
    }

    /** The catalog table named by {@code flag} (--table, --eval-table); an unknown table is bad input naming both. */
    static Dataset<Row> table(SparkSession spark, String flag, String table) {
        try {
            return spark.table(table);
        } catch (Exception e) {
            if (e instanceof AnalysisException ae) {
                String why = "TABLE_OR_VIEW_NOT_FOUND".equals(ae.getCondition()) ? "no such table or view"
                        : String.valueOf(ae.getMessage()).replace('\n', ' ').replace('\r', ' ');
                throw new IllegalArgumentException(flag + " " + table + ": " + why, e);
            }
            throw e;
        }
    }
}
