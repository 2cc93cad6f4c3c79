package org.dpspark.jobs.train;

import java.util.ArrayList;
import java.util.List;
import org.dpspark.core.random.CsprngTap;

/**
 * Test only: collects the secrets a run draws (the sampling job key, the noise streams' keys and IVs, the barrier
 * channel's secret) through the package-private taps of {@code CsprngStream} and {@link BarrierStepRunner}.
 */
public final class SecretTaps {
    private static final List<byte[]> SECRETS = new ArrayList<>();

    private SecretTaps() {}

    public static synchronized void start() {
        SECRETS.clear();
        CsprngTap.set(SecretTaps::add);
        BarrierStepRunner.secretTapForTests = SecretTaps::add;
    }

    public static synchronized List<byte[]> stop() {
        CsprngTap.set(null);
        BarrierStepRunner.secretTapForTests = null;
        return new ArrayList<>(SECRETS);
    }

    private static synchronized void add(byte[] secret) {
        SECRETS.add(secret);
    }
}
