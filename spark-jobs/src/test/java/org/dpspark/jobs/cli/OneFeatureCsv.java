package org.dpspark.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * dir/train.csv: 2,000 rows of one feature a in [-1, 1] and a logistic 0/1 label (P[y = 1] = sigmoid(3a), from a
 * public seed), and its feature spec dir/spec.json: the input of the tests that kill or interrupt a dp-train process.
 */
final class OneFeatureCsv {
    private OneFeatureCsv() {}

    /** Writes both files; returns the CSV (the spec is {@code dir/spec.json}). */
    static Path write(Path dir) throws IOException {
        Path csv = dir.resolve("train.csv");
        SplittableRandom r = new SplittableRandom(3);
        List<String> lines = new ArrayList<>(List.of("a,label"));
        for (int i = 0; i < 2000; i++) {
            double a = r.nextDouble(-1, 1);
            lines.add(String.format(Locale.ROOT, "%.5f,%d", a, r.nextDouble() < 1 / (1 + Math.exp(-3 * a)) ? 1 : 0));
        }
        Files.write(csv, lines);
        Files.writeString(dir.resolve("spec.json"), "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":"
                + "\"label\"},\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}");
        return csv;
    }
}
