package org.dpspark.jobs.run;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.dpspark.accountant.ledger.DatasetLocations;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Where a DataFrame's rows come from, as the ledger registers locations: the catalog tables its plan reads
 * ({@code table:db.name}) and the files it reads, with their folders (a file inside a registered folder belongs to
 * that folder's dataset). A notebook fit on {@code spark.table("census")} or {@code spark.read().parquet(path)} is
 * thereby charged to the registered dataset without naming it. Rows built in memory have no location; the
 * fingerprint of their encoded rows may still find their dataset.
 */
public final class InputLocations {
    /** At most this many single files are looked up (their folders always are). */
    static final int MAX_FILES = 1000;

    private InputLocations() {}

    /** The normalized locations of {@code df}'s input. */
    public static List<String> of(Dataset<?> df, Configuration conf) {
        Set<String> out = new LinkedHashSet<>();
        LogicalPlan plan = df.queryExecution().analyzed();
        for (LogicalPlan leaf : CollectionConverters.asJava(plan.collectLeaves())) {
            if (leaf instanceof LogicalRelation lr && lr.catalogTable().isDefined()) {
                CatalogTable t = lr.catalogTable().get();
                String db = t.identifier().database().isDefined() ? t.identifier().database().get() + "." : "";
                out.add(DatasetLocations.normalizeTable(db + t.identifier().table()));
            }
        }
        String[] files = df.inputFiles();
        List<String> singles = new ArrayList<>();
        for (String f : files) {
            Path p = new Path(f);
            if (p.getParent() != null) {
                out.add(DatasetLocations.normalizePath(p.getParent().toString(), conf));
            }
            if (singles.size() < MAX_FILES) {
                singles.add(DatasetLocations.normalizePath(f, conf));
            }
        }
        out.addAll(singles);
        return List.copyOf(out);
    }
}
