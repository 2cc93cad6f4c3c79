package org.dpspark.jobs.ml;

import java.util.UUID;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Placeholder for a private k-fold search: NOT IMPLEMENTED. Its trials would fit k models each (every row in k - 1
 * of them) and its final refit is one more training, which need their own accounting in the search's reservation.
 * Every call refuses, naming {@link DpTrainValidationSplit}, the private search that exists.
 */
public final class DpCrossValidator extends Estimator<DpTrainValidationSplitModel> {
    private static final long serialVersionUID = 1L;
    private final String uid = "dpCv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @Override
    public String uid() {
        return uid;
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("DpCrossValidator is not implemented: use DpTrainValidationSplit "
                + "(a private search on one keyed validation split, one ledger event for the whole search)");
    }

    @Override
    public DpTrainValidationSplitModel fit(Dataset<?> dataset) {
        throw unsupported();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        throw unsupported();
    }

    @Override
    public DpCrossValidator copy(ParamMap extra) {
        throw unsupported();
    }
}
