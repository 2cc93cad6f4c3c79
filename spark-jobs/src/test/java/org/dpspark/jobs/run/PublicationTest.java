package org.dpspark.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Where report.html goes: beside the JSON report, its extension replaced. No Spark. */
class PublicationTest {
    private static String html(String report) {
        return new Publication("out/model", report, false).htmlPath();
    }

    @Test
    void htmlPath_replacesTheExtension_orAppendsOne() {
        assertEquals("out/model/report.html", html("out/model/report.json"));
        assertEquals("hdfs:///models/adult-dp.report.html", html("hdfs:///models/adult-dp.report.json"));
        assertEquals("out/rep.html", html("out/rep"));
        assertEquals("out.d/rep.html", html("out.d/rep"));
        assertEquals("out/.hidden.html", html("out/.hidden"));
    }

    @Test
    void aReportPathEndingInHtml_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> html("out/r.HTML"));
        assertTrue(e.getMessage().contains("--report") && e.getMessage().contains(".html"), e.getMessage());
    }
}
