package org.dpspark.jobs.ml;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The outcome of a {@link DpTrainValidationSplit}: the chosen trial's model (which transforms, and whose guarantee
 * is the whole search's), every trial's noisy validation score, and the search's report section.
 */
public final class DpTrainValidationSplitModel extends Model<DpTrainValidationSplitModel> {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final DpPredictionModel<?> bestModel;
    private final double[] noisyScores;
    private final int chosen;
    private final double epsilon;
    private final String report;

    DpTrainValidationSplitModel(String uid, DpPredictionModel<?> bestModel, double[] noisyScores, int chosen,
            double epsilon, String report) {
        this.uid = uid;
        this.bestModel = bestModel;
        this.noisyScores = noisyScores.clone();
        this.chosen = chosen;
        this.epsilon = epsilon;
        this.report = report;
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The chosen trial's model. */
    public DpPredictionModel<?> bestModel() {
        return bestModel;
    }

    /** Every trial's noisy validation accuracy, in the order run (released, DP). */
    public double[] noisyValidationScores() {
        return noisyScores.clone();
    }

    /** The index of the chosen trial (the highest noisy score). */
    public int chosenTrial() {
        return chosen;
    }

    /** The whole search's epsilon at the estimator's delta (RDP). */
    public double epsilon() {
        return epsilon;
    }

    /** The search's report section (JSON): the plan, K, every trial's point and noisy score, the theorem. */
    public String report() {
        return report;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return bestModel.transform(dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return bestModel.transformSchema(schema);
    }

    @Override
    public DpTrainValidationSplitModel copy(ParamMap extra) {
        DpTrainValidationSplitModel copy = new DpTrainValidationSplitModel(uid, bestModel, noisyScores, chosen, epsilon,
                report);
        copy.setParent(parent());
        return copyValues(copy, extra);
    }
}
