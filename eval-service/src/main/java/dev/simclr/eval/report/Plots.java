package dev.simclr.eval.report;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.category.StatisticalLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's figures, drawn with JFreeChart: accuracy per policy (the reference's Figure 2), per student and
 * mode, and accuracy against the number of classes with a line per batch size (its Figure 6). Error bars are the
 * 95 % confidence intervals. Each figure as PNG and SVG.
 */
public final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** One figure in both formats. */
    public record Figure(String name, byte[] png, String svg) {}

    public static Map<String, Figure> of(Report report) {
        Map<String, Figure> out = new LinkedHashMap<>();
        report.tables().forEach((study, table) -> {
            boolean lines = study.equals("transfer-classes-batch");
            // a series per column (a line per batch size in the transfer study), the rows along the x axis
            DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
            table.rows().forEach((row, cells) -> cells.forEach((column, cell) ->
                    data.add(100 * cell.mean(), ci(cell), column, row)));
            CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(lines ? "number of classes"
                    : table.rowHeader()), new NumberAxis("test top-1 (%)"), lines
                    ? new StatisticalLineAndShapeRenderer(true, true) : new StatisticalBarRenderer());
            ((NumberAxis) plot.getRangeAxis()).setRange(0, 100); // accuracy: an interval past 100 % is cut off
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            if (!lines) {
                plot.getDomainAxis().setMaximumCategoryLabelLines(3);
            }
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            chart.setTitle(new TextTitle(table.title() + " (mean, 95 % CI)"));
            chart.setBackgroundPaint(Color.WHITE);
            out.put(study, new Figure(study, png(chart), svg(chart)));
        });
        return out;
    }

    private static double ci(Report.Cell cell) {
        return Double.isNaN(cell.ci95()) ? 0 : 100 * cell.ci95();
    }

    private static byte[] png(JFreeChart chart) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(bytes, chart, 800, 480);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String svg(JFreeChart chart) {
        SVGGraphics2D g = new SVGGraphics2D(800, 480);
        chart.draw(g, new Rectangle2D.Double(0, 0, 800, 480));
        return g.getSVGElement();
    }
}
