package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void line_midRun_showsEpochBarStepEpsilonAndEta() {
        assertEquals("epoch 3/15 [####----------------] step 412/1907, epsilon 0.4346, ETA 0:03",
                ConsoleProgress.line(3, 15, 412, 1907, 0.43461, 3.2));
    }

    @Test
    void line_bounds_emptyBeforeTheFirstStepFullAtTheLast() {
        assertEquals("epoch 1/2 [--------------------] step 0/80, epsilon 0.0000, ETA ?",
                ConsoleProgress.line(1, 2, 0, 80, 0.0, Double.NaN));
        assertEquals("epoch 2/2 [####################] step 80/80, epsilon 2.0000, ETA 0:00",
                ConsoleProgress.line(2, 2, 80, 80, 2.0, 0.0));
    }

    @Test
    void line_unknownOrNoPrivacy_saysSo() {
        assertTrue(ConsoleProgress.line(2, 3, 50, 100, Double.NaN, 1).contains("epsilon ?,"));
        assertTrue(ConsoleProgress.line(2, 3, 50, 100, Double.POSITIVE_INFINITY, 1).contains("epsilon no DP,"));
    }

    @Test
    void clock_minutesAndHours() {
        assertEquals("0:59", ConsoleProgress.clock(59.4));
        assertEquals("2:05", ConsoleProgress.clock(125));
        assertEquals("1:00:01", ConsoleProgress.clock(3601));
        assertEquals("?", ConsoleProgress.clock(Double.NaN));
    }

    @Test
    void eta_meanPaceSoFar() {
        assertEquals(30.0, ConsoleProgress.eta(100, 400, 10.0), 1e-12);
        assertTrue(Double.isNaN(ConsoleProgress.eta(0, 400, 0.0)));
    }

    @Test
    void bar_redrawsOneLineWithCarriageReturns_andEndsItWithOneNewline() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ConsoleProgress bar = new ConsoleProgress(new PrintStream(sink, true, StandardCharsets.UTF_8));
        for (long s = 1; s <= 1000; s++) {
            bar.step(1, 2, s, 2000, 0.0, s * 1e-3); // throttled: at most a few redraws in this loop
        }
        bar.epoch(1, 2, 1000, 2000, 0.5, 1.0, "epoch 1/2: ...");
        bar.done();
        String out = sink.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);
        assertTrue(out.endsWith("epoch 1/2 [##########----------] step 1000/2000, epsilon 0.5000, ETA 0:01\n"), out);
        long redraws = out.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 2 && redraws < 100, "redraws: " + redraws);
    }

    @Test
    void resumedRun_stepNumbersContinue_andTheEtaIsAtThisRunsPace() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ConsoleProgress bar = new ConsoleProgress(new PrintStream(sink, true, StandardCharsets.UTF_8));
        // resumed from a checkpoint at step 500: 100 steps in 1 s, 400 left
        bar.step(2, 4, 501, 1000, 0.5, 0.01);
        bar.epoch(2, 4, 600, 1000, 0.6, 1.0, "epoch 2/4: ...");
        bar.done();
        String out = sink.toString(StandardCharsets.UTF_8);
        assertTrue(out.endsWith("epoch 2/4 [############--------] step 600/1000, epsilon 0.6000, ETA 0:04\n"), out);
    }

    @Test
    void forConsole_withoutATerminal_isOneLinePerEpoch() {
        // Surefire's JVM has no terminal: the console gets the epochs' log lines, as a file or CI does.
        assertSame(TrainingProgress.LINES, ConsoleProgress.forConsole());
    }
}
