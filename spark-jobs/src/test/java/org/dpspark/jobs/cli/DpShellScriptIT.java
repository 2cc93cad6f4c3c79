package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit-scripts/dp-shell as a notebook user runs it: jshell with the packaged jar, a script that builds a DataFrame,
 * fits a DpLogisticRegression in a Pipeline against a scratch ledger made by dp-ledger, reads the ledger back as a
 * DataFrame and prints what it found; and with SPARK_HOME set. Two dp-shell runs (40 to 50 s each on 2 shared cores:
 * jshell, its agent JVM and a local Spark session) plus two dp-ledger calls (about 2 s each).
 */
class DpShellScriptIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPTS = HOME.resolve("submit-scripts");

    @TempDir Path dir;

    private record Result(int code, String out, String err) {}

    private Result run(String script, String... args) throws IOException, InterruptedException {
        return run(null, script, args);
    }

    private Result run(Path sparkHome, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPTS.resolve(script).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("SPARK_HOME");
        if (sparkHome != null) {
            pb.environment().put("SPARK_HOME", sparkHome.toString());
        }
        pb.environment().put("DPSPARK_DRIVER_MEMORY", "1g");
        Path out = dir.resolve(script + ".out");
        Path err = dir.resolve(script + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The session of the README's "Notebooks and shells", with the scratch ledger's path and a few checks. */
    private static String session(Path ledger) {
        return """
            String ledger = "%s";
            Dataset<Row> rows = spark.range(4000).select(rand(11).multiply(2).minus(1).as("a"), rand(12).multiply(2).minus(1).as("b"), rand(13).multiply(2).minus(1).as("c"));
            Dataset<Row> data = rows.withColumn("label", when(col("a").multiply(3).minus(col("b").multiply(2)).plus(col("c")).gt(0), 1.0).otherwise(0.0));
            VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features");
            DpLogisticRegression lr = new DpLogisticRegression().setEpsilon(2.0).setDelta(1e-5).setEpochs(2).setBatchSize(100).setLedger(ledger).setDatasetId("toy").setJobId("shell-fit-1");
            PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, lr}).fit(data);
            System.out.printf(java.util.Locale.ROOT, "accuracy: %%.4f%%n", model.transform(data).filter("prediction = label").count() / 4000.0);
            System.out.println("guarantee: " + ((DpLogisticRegressionModel) model.stages()[1]).privacyGuarantee());
            Dataset<Row> entries = LedgerFrames.entries(spark, ledger);
            System.out.println("ledger entries: " + entries.count());
            System.out.printf(java.util.Locale.ROOT, "commit epsilon: %%.4f%%n", entries.filter(col("type").equalTo("commit")).first().<Double>getAs("epsilon"));
            System.out.println("agent opens sun.nio.ch: " + java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
            /exit
            """.formatted(ledger);
    }

    @Test
    void script_fitsAPipelineAgainstTheLedger_andReadsTheLedgerBack() throws Exception {
        Path ledger = dir.resolve("ledger");
        Result init = run("dp-ledger", "init", "--ledger", ledger.toString());
        assertEquals(0, init.code(), init.err());
        Result budget = run("dp-ledger", "set-budget", "--ledger", ledger.toString(), "--dataset-id", "toy",
                "--epsilon", "5", "--delta", "1e-5");
        assertEquals(0, budget.code(), budget.err());
        Path script = Files.writeString(dir.resolve("session.jsh"), session(ledger));

        Result r = run("dp-shell", "--master", "local[2]", "-q", script.toString());

        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("Error:") || r.err().contains("Error:"), "a snippet failed: " + r.out() + r.err());
        assertTrue(r.out().contains("`spark` is ready (Spark ") && r.out().contains(", master local[2]; dpspark "),
                r.out());
        Matcher acc = Pattern.compile("accuracy: (\\d\\.\\d{4})").matcher(r.out());
        assertTrue(acc.find(), r.out());
        assertTrue(Double.parseDouble(acc.group(1)) > 0.8, "accuracy " + acc.group(1));
        assertTrue(r.out().contains("guarantee: (epsilon = 2.0000, delta = 1.00e-05)-DP per row"), r.out());
        // budget, reservation, commit
        assertTrue(r.out().contains("ledger entries: 3"), r.out());
        assertTrue(r.out().contains("commit epsilon: 2.0000"), r.out());
        // the --add-opens reached the agent JVM, where Spark runs (-R options)
        assertTrue(r.out().contains("agent opens sun.nio.ch: true"), r.out());
        assertFalse(r.err().contains(" INFO SparkContext") || r.err().contains("Exception"), r.err());
    }

    /** With SPARK_HOME set, Spark comes from its jars/ (here: links to the Maven-resolved jars, as dp-local-cluster). */
    @Test
    void withSparkHome_theDistributionsJarsAreUsed() throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark-home/jars"));
        Path cp = HOME.resolve("spark-jobs/target/embedded-classpath.txt");
        for (String jar : Files.readString(cp).strip().split(":")) {
            if (jar.endsWith(".jar")) {
                Files.createSymbolicLink(home.resolve(Path.of(jar).getFileName()), Path.of(jar));
            }
        }
        // jshell resolves the links to their targets; a jar that exists only in jars/ shows the folder is used
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(home.resolve("marker.jar")))) {
            jar.putNextEntry(new java.util.jar.JarEntry("dpspark-shell-marker.txt"));
            jar.write("from SPARK_HOME/jars".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        Path script = Files.writeString(dir.resolve("count.jsh"), """
            var marker = SparkSession.class.getClassLoader().getResourceAsStream("dpspark-shell-marker.txt");
            System.out.println("marker: " + (marker == null ? "absent" : new String(marker.readAllBytes())));
            System.out.println("rows over 4: " + spark.range(10).filter(col("id").gt(4)).count());
            /exit
            """);
        Result r = run(home.getParent(), "dp-shell", "-q", script.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("marker: from SPARK_HOME/jars"), r.out());
        assertTrue(r.out().contains("rows over 4: 5"), r.out());
    }
}
