package org.dpspark.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.dpspark.core.optim.OptimizerState;

/**
 * A training run's state at a step boundary, from which {@code --resume} continues (issue #18). It holds what the
 * driver has after step {@code step}: the (noised, hence public) parameters, the optimizer's buffers, the DP
 * estimates already released per epoch, and who may continue it ({@link Identity}). It never holds data,
 * per-example gradients, pre-noise sums, the sampling secret or the noise stream's key: a resumed run under secure
 * randomness draws a fresh sampling secret and fresh noise (see the README, "Checkpoints").
 *
 * <p>Format 1, JSON; doubles are stored as their IEEE-754 bits (base64, little-endian) so that a resumed run under
 * a test seed reproduces the uninterrupted run bit for bit.
 *
 * @param identity whose checkpoint it is: job, ledger attempt, plan, code version
 * @param step steps done (the next step to run has this 0-based index)
 * @param epochsDone epochs whose progress line was released
 * @param params the model's parameters after {@code step} steps
 * @param optimizer the optimizer's state after {@code step} steps
 * @param noiseDraws draws taken from the noise stream on the seeded test path, else -1 (not continued)
 * @param lossPerEpoch the DP loss estimate of each epoch done (released)
 * @param lossStdPerEpoch its standard deviation
 * @param secondsPerEpoch training seconds of each epoch done
 * @param epochLossSum the sum of the DP loss estimates of the current epoch's steps so far
 * @param epochSteps the current epoch's steps so far
 */
public record Checkpoint(Identity identity, long step, int epochsDone, double[] params, OptimizerState optimizer,
        long noiseDraws, List<Double> lossPerEpoch, List<Double> lossStdPerEpoch, List<Double> secondsPerEpoch,
        double epochLossSum, long epochSteps) {

    /** The format written. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public Checkpoint {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(optimizer, "optimizer");
        if (!(step >= 0 && step <= identity.steps())) {
            throw new IllegalArgumentException("step must be in [0, " + identity.steps() + "], got " + step);
        }
        lossPerEpoch = List.copyOf(lossPerEpoch);
        lossStdPerEpoch = List.copyOf(lossStdPerEpoch);
        secondsPerEpoch = List.copyOf(secondsPerEpoch);
    }

    /**
     * Who may continue a checkpoint: the same job, ledger attempt, plan and code.
     *
     * @param jobId the job id
     * @param datasetId the ledger dataset charged, or null when the run is not recorded
     * @param attempt the ledger attempt whose reservation covers the run (0 when not recorded)
     * @param codeVersion the code version that wrote it
     * @param plan every parameter that determines the DP plan and the training, by name (ordered)
     * @param samplingRate q of the plan
     * @param noiseMultiplier sigma of the plan
     * @param steps T, the planned steps
     */
    public record Identity(String jobId, String datasetId, int attempt, String codeVersion, Map<String, String> plan,
            double samplingRate, double noiseMultiplier, long steps) {
        public Identity {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(codeVersion, "codeVersion");
            plan = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(plan));
        }

        /**
         * The first difference that forbids {@code resumed} (this run) to continue this checkpoint, as one phrase
         * naming it and both values; null when it may continue.
         */
        public String refusal(Identity resumed) {
            if (!jobId.equals(resumed.jobId)) {
                return "its job id is '" + jobId + "', this run's is '" + resumed.jobId + "'";
            }
            if (!codeVersion.equals(resumed.codeVersion)) {
                return "it was written by code version " + codeVersion + ", this is " + resumed.codeVersion;
            }
            for (Map.Entry<String, String> e : plan.entrySet()) {
                String now = resumed.plan.get(e.getKey());
                if (!e.getValue().equals(now)) {
                    return "its plan's " + e.getKey() + " is " + e.getValue() + ", this run's is " + now;
                }
            }
            for (String k : resumed.plan.keySet()) {
                if (!plan.containsKey(k)) {
                    return "its plan has no " + k + " (this run's is " + resumed.plan.get(k) + ")";
                }
            }
            return null;
        }
    }

    /**
     * The accountant's state at this checkpoint: the plan's events up to {@code step} (Poisson-subsampled Gaussian,
     * rate q, noise multiplier sigma, {@code step} compositions). Informative: the ledger's reservation holds the
     * whole run's events and is what is charged.
     */
    public Map<String, Object> eventsSoFar() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sampling_rate", identity.samplingRate());
        m.put("noise_multiplier", identity.noiseMultiplier());
        m.put("steps", step);
        return m;
    }

    /** The checkpoint as JSON bytes. */
    public byte[] toBytes() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("job_id", identity.jobId());
        if (identity.datasetId() != null) {
            root.put("dataset_id", identity.datasetId());
        }
        root.put("ledger_attempt", identity.attempt());
        root.put("code_version", identity.codeVersion());
        ObjectNode plan = root.putObject("plan");
        identity.plan().forEach(plan::put);
        root.put("planned_steps", identity.steps());
        ObjectNode events = root.putObject("events_so_far");
        events.put("type", "poisson_sampled_gaussian");
        events.put("sampling_rate", identity.samplingRate());
        events.put("noise_multiplier", identity.noiseMultiplier());
        events.put("steps", step);
        root.put("step", step);
        root.put("epochs_done", epochsDone);
        root.put("params", bits(params));
        ObjectNode opt = root.putObject("optimizer");
        opt.put("steps", optimizer.steps());
        ArrayNode buffers = opt.putArray("buffers");
        optimizer.buffers().forEach(b -> buffers.add(bits(b)));
        root.put("noise_draws", noiseDraws);
        root.put("loss_per_epoch", bits(unbox(lossPerEpoch)));
        root.put("loss_std_per_epoch", bits(unbox(lossStdPerEpoch)));
        root.put("seconds_per_epoch", bits(unbox(secondsPerEpoch)));
        root.put("epoch_loss_sum", bits(new double[] {epochLossSum}));
        root.put("epoch_steps", epochSteps);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@link #toBytes()}; refuses another format. */
    public static Checkpoint fromBytes(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + where + " is not JSON: " + e.getMessage());
        }
        if (root == null || root.path("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("checkpoint " + where + " has format " + (root == null ? "none"
                    : root.path("format").asText()) + "; this code reads format " + FORMAT);
        }
        Map<String, String> plan = new LinkedHashMap<>();
        root.path("plan").fields().forEachRemaining(e -> plan.put(e.getKey(), e.getValue().asText()));
        JsonNode events = root.path("events_so_far");
        Identity id = new Identity(root.path("job_id").asText(), root.hasNonNull("dataset_id")
                ? root.get("dataset_id").asText() : null, root.path("ledger_attempt").asInt(),
                root.path("code_version").asText(), plan, events.path("sampling_rate").asDouble(),
                events.path("noise_multiplier").asDouble(), root.path("planned_steps").asLong());
        List<double[]> buffers = new ArrayList<>();
        root.path("optimizer").path("buffers").forEach(b -> buffers.add(unbits(b.asText())));
        return new Checkpoint(id, root.path("step").asLong(), root.path("epochs_done").asInt(),
                unbits(root.path("params").asText()),
                new OptimizerState(root.path("optimizer").path("steps").asLong(), buffers),
                root.path("noise_draws").asLong(), box(unbits(root.path("loss_per_epoch").asText())),
                box(unbits(root.path("loss_std_per_epoch").asText())),
                box(unbits(root.path("seconds_per_epoch").asText())),
                unbits(root.path("epoch_loss_sum").asText())[0], root.path("epoch_steps").asLong());
    }

    private static String bits(double[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putLong(Double.doubleToRawLongBits(d));
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static double[] unbits(String s) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s)).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[b.remaining() / Double.BYTES];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.longBitsToDouble(b.getLong());
        }
        return v;
    }

    private static double[] unbox(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static List<Double> box(double[] v) {
        List<Double> l = new ArrayList<>();
        for (double d : v) {
            l.add(d);
        }
        return l;
    }
}
