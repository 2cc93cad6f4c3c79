package org.dpspark.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search loop and its grid, without Spark. */
class RandomSearchTest {
    private static final Hyperparameters BASE = new Hyperparameters(1.0, 1.0, 0.9);

    @Test
    void grid_isTheProductOfItsAxes_withTheOtherSettingsFromTheBase() {
        SearchSpace s = SearchSpace.grid(List.of("learning-rate=0.5,1,2", "clip-norm=0.5,1"), BASE);
        assertEquals(6, s.points().size());
        assertTrue(s.points().contains(new Hyperparameters(2, 0.5, 0.9)));
        assertTrue(s.points().stream().allMatch(p -> p.momentum() == 0.9));
    }

    @Test
    void grid_refusesFixedUnknownRepeatedEmptyAndInvalidAxes_namingThem() {
        for (String bad : List.of("batch-size=1,2", "epochs=1", "lr=1", "learning-rate=", "clip-norm=0",
                "momentum=1.5", "learning-rate=a")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SearchSpace.grid(List.of(bad), BASE));
            assertTrue(e.getMessage().contains(bad.substring(0, bad.indexOf('='))), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> SearchSpace.grid(List.of("clip-norm=1", "clip-norm=2"), BASE));
    }

    @Test
    void run_keepsTheHighestNoisyScore_andRunsExactlyKTrials() {
        SearchSpace s = SearchSpace.grid(List.of("learning-rate=1,2,3,4"), BASE);
        List<RandomSearch.Trial> seen = new ArrayList<>();
        RandomSearch.Result r = RandomSearch.run(7, s, new SecureRandom(),
                (i, p) -> new RandomSearch.Scored(new double[] {p.learningRate()}, (i * 37 % 11) / 10.0, null),
                seen::add);
        assertEquals(7, r.trials().size());
        assertEquals(r.trials(), seen);
        int best = 0;
        for (int i = 1; i < 7; i++) {
            best = (i * 37 % 11) > (best * 37 % 11) ? i : best;
        }
        assertEquals(best, r.best());
        assertEquals(-1, RandomSearch.run(0, s, new SecureRandom(), (i, p) -> null, t -> { }).best());
    }

    @Test
    void draws_areUniformOverThePoints() {
        // 4 points, 40,000 draws: each count ~ Binomial(40000, 1/4), std 86.6; a 6-sigma band fails with
        // probability about 4e-9 per point.
        SearchSpace s = SearchSpace.grid(List.of("learning-rate=1,2", "clip-norm=1,2"), BASE);
        Map<Hyperparameters, Integer> counts = new HashMap<>();
        SecureRandom rng = new SecureRandom();
        for (int i = 0; i < 40_000; i++) {
            counts.merge(s.draw(rng), 1, Integer::sum);
        }
        assertEquals(4, counts.size());
        counts.values().forEach(c -> assertTrue(Math.abs(c - 10_000) < 6 * 86.6, "count " + c));
    }
}
