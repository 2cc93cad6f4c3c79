package org.dpspark.jobs.ml;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Refuses inputs shaped by a stage that was fitted on the data: a StandardScaler, MinMaxScaler, StringIndexer, PCA,
 * ... fitted on the private rows encodes statistics of them (means, ranges, vocabularies) that no DP mechanism
 * protected, and a DP estimator downstream would launder that leak into a model with a privacy claim.
 *
 * <p>How it is detected: a fitted MLlib {@link Model} transforms through a user-defined function whose code is
 * defined in the model's class, so the input's analyzed plan names it. Every such model is refused, unless it was
 * wrapped in {@link PublicFit} (the user's explicit declaration that it was fitted on public data). Fitted stages
 * that do not transform through a function (e.g. {@code ImputerModel}) cannot be seen in the plan: for whole
 * pipelines, {@link #check(Pipeline)} refuses any non-DP estimator placed before a DP one.
 */
public final class PipelineGuard {

    private PipelineGuard() {}

    /**
     * Throws IllegalArgumentException naming the fitted stages found in {@code input}'s plan.
     *
     * @param estimator the DP estimator about to fit, for the message
     */
    public static void requireNoDataFittedStages(Dataset<?> input, String estimator) {
        Set<String> fitted = fittedModelsIn(input.queryExecution().analyzed());
        if (!fitted.isEmpty()) {
            throw new IllegalArgumentException(estimator + " refuses its input: it was transformed by "
                    + String.join(", ", fitted) + ", fitted on the data, which leaks the private rows outside the DP"
                    + " guarantee; use public bounds (BoundedScaler) or wrap a stage fitted on public data in PublicFit");
        }
    }

    /**
     * Refuses a pipeline in which an ordinary (non-DP) Estimator comes before a DP estimator: it would be fitted on
     * the private data. A {@link PublicFit} stage is a Transformer and passes.
     */
    public static void check(Pipeline pipeline) {
        PipelineStage[] stages = pipeline.getStages();
        String fittedBefore = null;
        for (PipelineStage s : stages) {
            if (s instanceof DpEstimator<?, ?>) {
                if (fittedBefore != null) {
                    throw new IllegalArgumentException("pipeline refused: " + fittedBefore + " is fitted on the data before "
                            + s.getClass().getSimpleName() + " (" + s.uid() + "), which leaks the private rows;"
                            + " use public bounds (BoundedScaler) or a PublicFit stage fitted on public data");
                }
            } else if (s instanceof Estimator<?> && fittedBefore == null) {
                fittedBefore = s.getClass().getSimpleName() + " (" + s.uid() + ")";
            }
        }
    }

    static Set<String> fittedModelsIn(LogicalPlan root) {
        Set<String> found = new TreeSet<>();
        Deque<LogicalPlan> plans = new ArrayDeque<>();
        plans.add(root);
        while (!plans.isEmpty()) {
            LogicalPlan p = plans.pop();
            Deque<Expression> exprs = new ArrayDeque<>(CollectionConverters.asJava(p.expressions()));
            while (!exprs.isEmpty()) {
                Expression e = exprs.pop();
                if (e instanceof ScalaUDF udf) {
                    String model = definingModel(udf.function().getClass().getName());
                    if (model != null) {
                        found.add(model);
                    }
                }
                exprs.addAll(CollectionConverters.asJava(e.children()));
            }
            plans.addAll(CollectionConverters.asJava(p.children()));
        }
        return found;
    }

    /** The simple name of the fitted {@link Model} class that defined a UDF's function class, or null. */
    static String definingModel(String functionClass) {
        int lambda = functionClass.indexOf("$$");
        String owner = lambda < 0 ? functionClass : functionClass.substring(0, lambda);
        while (owner.endsWith("$")) {
            owner = owner.substring(0, owner.length() - 1); // a Scala companion object
        }
        try {
            Class<?> c = Class.forName(owner, false, PipelineGuard.class.getClassLoader());
            if (Model.class.isAssignableFrom(c) && !DpPredictionModel.class.isAssignableFrom(c)) {
                return c.getSimpleName();
            }
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        return null;
    }
}
