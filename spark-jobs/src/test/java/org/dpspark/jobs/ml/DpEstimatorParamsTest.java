package org.dpspark.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleFunction;
import org.apache.spark.ml.param.Param;
import org.junit.jupiter.api.Test;

/**
 * The estimators' Params, as MLlib's JavaTestParams checks its own: setters chain on the concrete type, every Param
 * has a getter that returns what was set, defaults are dp-train's, and every rule rejects NaN and both infinities
 * with a message naming the Param (never a dp-train flag). No SparkSession is needed.
 */
class DpEstimatorParamsTest {

    @Test
    void setters_chainOnTheConcreteType_andGettersReturnWhatWasSet() {
        DpLogisticRegression lr = new DpLogisticRegression().setEpsilon(1.5).setDelta(1e-6).setEpochs(3)
                .setBatchSize(64).setClipNorm(0.5).setLearningRate(0.2).setOptimizer("adam").setNumPartitions(3)
                .setJobId("j").setLedger("/l").setDatasetId("d").setUnbudgeted(true).setAllowWeakPrivacy(true)
                .setNumClasses(3).setFeaturesCol("f").setLabelCol("y").setPredictionCol("p")
                .setProbabilityCol("pr").setRawPredictionCol("raw");
        assertEquals(1.5, lr.getEpsilon());
        assertEquals(1e-6, lr.getDelta());
        assertEquals(3.0, lr.getEpochs());
        assertEquals(64, lr.getBatchSize());
        assertEquals(0.5, lr.getClipNorm());
        assertEquals(0.2, lr.getLearningRate());
        assertEquals("adam", lr.getOptimizer());
        assertEquals(3, lr.getNumPartitions());
        assertEquals("j", lr.getJobId());
        assertEquals("/l", lr.getLedger());
        assertEquals("d", lr.getDatasetId());
        assertTrue(lr.getUnbudgeted());
        assertTrue(lr.getAllowWeakPrivacy());
        assertEquals(3, lr.getNumClasses());
        assertEquals("f", lr.getFeaturesCol());
        assertEquals("y", lr.getLabelCol());
        assertEquals("p", lr.getPredictionCol());
        assertEquals("pr", lr.getProbabilityCol());
        assertEquals("raw", lr.getRawPredictionCol());
        DpMultilayerPerceptronClassifier mlp = new DpMultilayerPerceptronClassifier().setEpsilon(1)
                .setHiddenLayers(8, 4).setActivation("tanh").setNumClasses(10);
        assertEquals(List.of(8, 4), java.util.Arrays.stream(mlp.getHiddenLayers()).boxed().toList());
        assertEquals("tanh", mlp.getActivation());
        DpLinearRegression lin = new DpLinearRegression().setNoiseMultiplier(1.1).setLabelBounds(-1, 2);
        assertEquals(1.1, lin.getNoiseMultiplier());
        assertEquals(-1.0, lin.getLabelMin());
        assertEquals(2.0, lin.getLabelMax());
    }

    @Test
    void defaults_areDpTrainsDefaults() {
        DpLogisticRegression lr = new DpLogisticRegression();
        assertEquals(1e-5, lr.getDelta());
        assertEquals(10.0, lr.getEpochs());
        assertEquals(256, lr.getBatchSize());
        assertEquals(1.0, lr.getClipNorm());
        assertEquals(1.0, lr.getLearningRate());
        assertEquals("sgd", lr.getOptimizer());
        assertFalse(lr.getUnbudgeted());
        assertFalse(lr.getAllowWeakPrivacy());
        assertFalse(lr.isSet(lr.epsilon()) || lr.isSet(lr.noiseMultiplier()));
    }

    private static void refused(String param, DoubleFunction<Object> set) {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -1.0}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.apply(bad),
                    param + " = " + bad);
            assertTrue(e.getMessage().startsWith(param + " must be"), e.getMessage());
            assertFalse(e.getMessage().contains("--"), "an MLlib user reads Param names, not flags: " + e.getMessage());
        }
    }

    @Test
    void everyNumericRule_rejectsNaNBothInfinitiesZeroAndNegatives_namingTheParam() {
        DpLogisticRegression lr = new DpLogisticRegression();
        refused("epsilon", lr::setEpsilon);
        refused("noiseMultiplier", lr::setNoiseMultiplier);
        refused("delta", lr::setDelta);
        refused("epochs", lr::setEpochs);
        refused("clipNorm", lr::setClipNorm);
        refused("learningRate", lr::setLearningRate);
        assertThrows(IllegalArgumentException.class, () -> lr.setDelta(1.0));
        assertThrows(IllegalArgumentException.class, () -> lr.setBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> lr.setNumPartitions(0));
        assertThrows(IllegalArgumentException.class, () -> lr.setNumClasses(1));
        assertThrows(IllegalArgumentException.class, () -> lr.setOptimizer("lbfgs"));
        assertThrows(IllegalArgumentException.class, () -> lr.setDatasetId("-bad"));
        assertThrows(IllegalArgumentException.class, () -> new DpLinearRegression().setLabelBounds(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new DpMultilayerPerceptronClassifier().setActivation("gelu"));
    }

    @Test
    void userLevelParams_chain_defaultToDpTrainsFlags_andBecomeTheRunsConfig() {
        DpLogisticRegression rowLevel = new DpLogisticRegression().setEpsilon(1);
        assertFalse(rowLevel.isSet(rowLevel.userCol()) || rowLevel.isSet(rowLevel.maxRowsPerUser()));
        assertEquals("refuse", rowLevel.getNullUsers());
        assertEquals("dp-sgd", rowLevel.getAlgorithm());
        assertEquals(1, rowLevel.getLocalEpochs());
        assertEquals(0.1, rowLevel.getLocalLearningRate());
        assertEquals(10, rowLevel.getLocalBatchSize());
        assertEquals("row", rowLevel.trainConfig().privacyUnit());

        DpMultilayerPerceptronClassifier mlp = new DpMultilayerPerceptronClassifier().setUserCol("customer_id")
                .setMaxRowsPerUser(20).setNullUsers("drop").setAlgorithm("fedavg").setLocalEpochs(3)
                .setLocalLearningRate(0.05).setLocalBatchSize(8).setEpsilon(1).setNumClasses(3);
        assertEquals("customer_id", mlp.getUserCol());
        assertEquals(20, mlp.getMaxRowsPerUser());
        assertEquals("drop", mlp.getNullUsers());
        org.dpspark.jobs.train.TrainConfig cfg = mlp.trainConfig();
        assertEquals("user", cfg.privacyUnit());
        assertEquals("customer_id", cfg.userColumn().orElseThrow());
        assertEquals(20, cfg.maxRowsPerUser());
        assertTrue(cfg.dropNullUsers());
        assertEquals("fedavg", cfg.algorithm());
        assertEquals(new org.dpspark.core.user.LocalTraining(3, 0.05, 8), cfg.localTraining());

        DpLogisticRegression lr = new DpLogisticRegression();
        refused("localLearningRate", lr::setLocalLearningRate);
        for (int bad : new int[] {0, -1}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> lr.setMaxRowsPerUser(bad)).getMessage()
                    .startsWith("maxRowsPerUser must be >= 1"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> lr.setLocalEpochs(bad)).getMessage()
                    .startsWith("localEpochs must be >= 1"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> lr.setLocalBatchSize(bad)).getMessage()
                    .startsWith("localBatchSize must be >= 1"));
        }
        assertThrows(IllegalArgumentException.class, () -> lr.setAlgorithm("fedsgd"));
        assertThrows(IllegalArgumentException.class, () -> lr.setNullUsers("keep"));
    }

    @Test
    void pdpParams_defaultToNone_becomeTheRunsConfig_andRefuseNegativeStrength() {
        DpLogisticRegression plain = new DpLogisticRegression().setEpsilon(1);
        assertEquals("none", plain.getRegularizer());
        assertEquals("none", plain.trainConfig().regularizer());
        assertEquals(0.0, plain.trainConfig().pdpStrength(), 0);
        DpLogisticRegression lr = new DpLogisticRegression().setEpsilon(1).setRegularizer("pdp").setPdpStrength(0.3);
        assertEquals("pdp", lr.trainConfig().regularizer());
        assertEquals(0.3, lr.trainConfig().pdpStrength(), 0);
        for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lr.setPdpStrength(bad));
            assertTrue(e.getMessage().startsWith("pdpStrength must be"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> lr.setRegularizer("l2"));
        // a strength without the regularizer is refused when the fit's configuration is built, naming both Params
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DpLogisticRegression().setEpsilon(1).setPdpStrength(0.3).trainConfig());
        assertTrue(e.getMessage().contains("pdpStrength") && e.getMessage().contains("regularizer"), e.getMessage());
    }

    @Test
    void precision_defaultsToFloat64_float32ReachesTheConfig_otherValuesRefused() {
        assertEquals(org.dpspark.datasets.Precision.FLOAT64,
                new DpLogisticRegression().setEpsilon(1).trainConfig().precision());
        assertEquals(org.dpspark.datasets.Precision.FLOAT32,
                new DpLogisticRegression().setEpsilon(1).setPrecision("float32").trainConfig().precision());
        assertThrows(IllegalArgumentException.class, () -> new DpLogisticRegression().setPrecision("half"));
    }

    @Test
    void theInsecureSeed_isNoParam_andCopiesKeepIt() {
        DpLogisticRegression lr = new DpLogisticRegression().setEpsilon(1);
        for (Param<?> p : lr.params()) {
            assertFalse(p.name().toLowerCase(java.util.Locale.ROOT).contains("seed"), p.name());
        }
        lr.setInsecureTestSeedForTestsOnly(7);
        assertTrue(lr.copy(org.apache.spark.ml.param.ParamMap.empty()).trainConfig().insecureTestSeed().isPresent());
        assertFalse(new DpLogisticRegression().setEpsilon(1).trainConfig().insecureTestSeed().isPresent());
    }
}
