package org.dpspark.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** A CSV of two features in [-1, 1] and a logistic 0/1 label, with its feature spec beside it (spec.json). */
final class TwoFeatureCsv {
    static final String SPEC = "{\"format_version\":1,\"name\":\"s\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";

    private TwoFeatureCsv() {}

    /** Writes {@code dir/name.csv} (rows drawn from a public seed, P[y = 1] = sigmoid(3a - 2b)) and dir/spec.json. */
    static Path write(Path dir, String name, int rows, long seed) throws IOException {
        Path csv = dir.resolve(name + ".csv");
        SplittableRandom r = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>(List.of("a,b,label"));
        for (int i = 0; i < rows; i++) {
            double a = r.nextDouble(-1, 1);
            double b = r.nextDouble(-1, 1);
            int y = r.nextDouble() < 1 / (1 + Math.exp(-(3 * a - 2 * b))) ? 1 : 0;
            lines.add(String.format(Locale.ROOT, "%.4f,%.4f,%d", a, b, y));
        }
        Files.write(csv, lines);
        Files.writeString(dir.resolve("spec.json"), SPEC);
        return csv;
    }
}
