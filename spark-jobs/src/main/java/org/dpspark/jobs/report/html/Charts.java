package org.dpspark.jobs.report.html;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.util.List;
import java.util.function.Supplier;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages' charts: JFreeChart drawn into JFreeSVG's {@link SVGGraphics2D}, inlined as one {@code <svg>} per
 * {@code <figure class="chart" id="chart-NAME" data-series="A|B">}, every series named in {@code data-series} in
 * the chart's legend. A chart that cannot be drawn (no fonts, a headless AWT that fails) becomes a one-line note and a
 * WARN log naming the chart and the error's class, never the data: the page is written anyway.
 */
final class Charts {
    private static final Logger LOG = LoggerFactory.getLogger(Charts.class);
    static final int WIDTH = 720;
    static final int HEIGHT = 380;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private Charts() {}

    /** A named series of points (x, y); a NaN y is a gap. */
    record Series(String name, double[] x, double[] y) {}

    /** A band (lower, upper) around a line, e.g. a noise band. */
    record Band(String name, double[] x, double[] lower, double[] upper) {}

    /**
     * Appends the figure {@code chart-NAME} drawn by {@code chart}, or a one-line note in its place when drawing
     * fails.
     *
     * @param series the names the chart's legend shows, for {@code data-series} (none may contain '|')
     */
    static void figure(Html page, String name, List<String> series, Supplier<JFreeChart> chart) {
        String svg;
        try {
            System.setProperty("java.awt.headless", "true");
            svg = svg(chart.get(), "chart-" + name + "-");
        } catch (RuntimeException | LinkageError | InternalError | java.awt.AWTError e) {
            LOG.warn("report chart '{}' could not be drawn ({}); the page shows a note in its place", name,
                    e.getClass().getName());
            page.raw("<p class=\"chart-missing\" id=\"chart-").text(name).raw("-missing\">The chart '").text(name)
                    .raw("' could not be drawn on this machine (").text(e.getClass().getSimpleName())
                    .raw("); its numbers are in the tables and the JSON.</p>\n");
            return;
        }
        page.raw("<figure class=\"chart\" id=\"chart-").text(name).raw("\" data-series=\"")
                .text(String.join("|", series)).raw("\">\n").raw(svg).raw("\n</figure>\n");
    }

    /** The chart as an {@code <svg>} element (no XML namespace URLs: it is inlined in HTML). */
    static String svg(JFreeChart chart, String defsPrefix) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix(defsPrefix);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        String svg = g.getSVGElement(null, true, new ViewBox(0, 0, WIDTH, HEIGHT), null, null);
        return svg.replaceAll(" xmlns(:\\w+)?=(['\"])[^'\"]*\\2", "");
    }

    /** Lines over a numeric x axis, with optional bands drawn beneath them. */
    static JFreeChart lines(String title, String xLabel, String yLabel, List<Band> bands, List<Series> lines,
            boolean shapes) {
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis(xLabel));
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(true);
        plot.setRangeAxis(y);
        int color = 0;
        XYSeriesCollection lineData = new XYSeriesCollection();
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, shapes);
        for (Series s : lines) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                xy.add(s.x()[i], Double.isNaN(s.y()[i]) ? null : s.y()[i]);
            }
            lineRenderer.setSeriesPaint(lineData.getSeriesCount(), COLORS[color++ % COLORS.length]);
            lineRenderer.setSeriesStroke(lineData.getSeriesCount(), new BasicStroke(2f));
            lineData.addSeries(xy);
        }
        plot.setDataset(0, lineData);
        plot.setRenderer(0, lineRenderer);
        if (!bands.isEmpty()) {
            YIntervalSeriesCollection bandData = new YIntervalSeriesCollection();
            // the band's own midline (the loss again) is drawn so that its legend item has a mark
            DeviationRenderer bandRenderer = new DeviationRenderer(true, false);
            for (Band b : bands) {
                YIntervalSeries ys = new YIntervalSeries(b.name(), false, true);
                for (int i = 0; i < b.x().length; i++) {
                    double mid = (b.lower()[i] + b.upper()[i]) / 2;
                    if (!Double.isNaN(mid)) {
                        ys.add(b.x()[i], mid, b.lower()[i], b.upper()[i]);
                    }
                }
                int k = bandData.getSeriesCount();
                bandRenderer.setSeriesFillPaint(k, new Color(0x1f77b4));
                bandRenderer.setSeriesPaint(k, new Color(0x1f77b4));
                bandData.addSeries(ys);
            }
            bandRenderer.setAlpha(0.25f);
            plot.setDataset(1, bandData);
            boolean polygon = bands.stream().allMatch(b -> b.x().length >= 2);
            if (polygon) {
                plot.setRenderer(1, bandRenderer);
            } else {
                // one point has no area to fill: its interval as a vertical bar
                org.jfree.chart.renderer.xy.YIntervalRenderer bar = new org.jfree.chart.renderer.xy.YIntervalRenderer();
                bar.setSeriesPaint(0, new Color(0x1f77b4));
                plot.setRenderer(1, bar);
            }
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        return chart(title, plot);
    }

    /** Step lines over a time axis (x in epoch milliseconds). */
    static JFreeChart timeSteps(String title, String yLabel, List<Series> lines) {
        XYPlot plot = new XYPlot();
        DateAxis x = new DateAxis("time (UTC)");
        x.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
        plot.setDomainAxis(x);
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(true);
        plot.setRangeAxis(y);
        XYSeriesCollection data = new XYSeriesCollection();
        XYStepRenderer r = new XYStepRenderer();
        for (Series s : lines) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                xy.add(s.x()[i], Double.isNaN(s.y()[i]) ? null : s.y()[i]);
            }
            int k = data.getSeriesCount();
            r.setSeriesPaint(k, COLORS[k % COLORS.length]);
            r.setSeriesStroke(k, new BasicStroke(2f));
            data.addSeries(xy);
        }
        plot.setDataset(data);
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        return chart(title, plot);
    }

    /**
     * Stacked bars: one bar per row label, stacked by column, e.g. a confusion matrix's rows (true labels) split by
     * predicted class.
     */
    static JFreeChart stackedBars(String title, String categoryLabel, String valueLabel, List<String> rows,
            List<String> columns, double[][] values) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int c = 0; c < columns.size(); c++) {
            for (int r = 0; r < rows.size(); r++) {
                data.addValue(values[r][c], columns.get(c), rows.get(r));
            }
        }
        StackedBarRenderer renderer = new StackedBarRenderer();
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        for (int c = 0; c < columns.size(); c++) {
            renderer.setSeriesPaint(c, COLORS[c % COLORS.length]);
        }
        CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(categoryLabel), new NumberAxis(valueLabel),
                renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        return chart(title, plot);
    }

    private static JFreeChart chart(String title, org.jfree.chart.plot.Plot plot) {
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        return chart;
    }
}
