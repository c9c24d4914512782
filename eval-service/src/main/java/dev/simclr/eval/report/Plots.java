package dev.simclr.eval.report;

import dev.simclr.eval.plan.ExperimentSpec;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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
 * mode, accuracy against the number of classes with a line per batch size (its Figure 6), and the ablation's effect
 * (all − none) against the label fraction with a line per domain and budget. Error bars are the
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
            // the ablation's effect: a line per domain and budget over the label fraction, in points around zero
            boolean effect = study.equals(Report.ABLATION_EFFECT);
            boolean lines = study.startsWith(ExperimentSpec.TRANSFER) || effect;
            // a series per column (a line per batch size in the transfer study), the rows along the x axis;
            // several transfer domains ("<dataset> / <k>" rows): a line per dataset and batch size over k (in
            // numeric order), a colour per batch size, the first dataset's lines solid, the others' dashed
            record Point(String series, String category, Report.Cell cell) {}
            List<Point> points = new ArrayList<>();
            List<String> domains = new ArrayList<>();
            table.rows().forEach((row, cells) -> cells.forEach((column, cell) -> {
                int at = lines ? row.lastIndexOf(Report.DOMAIN_SEPARATOR) : -1;
                if (at < 0) {
                    points.add(new Point(column, row, cell));
                    return;
                }
                String domain = row.substring(0, at);
                if (!domains.contains(domain)) {
                    domains.add(domain);
                }
                points.add(new Point(domain + ", " + column, row.substring(at + Report.DOMAIN_SEPARATOR.length()),
                        cell));
            }));
            if (!domains.isEmpty()) {
                points.sort(Comparator.comparingDouble(p -> number(p.category())));
            }
            DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
            points.forEach(p -> data.add(100 * p.cell().mean(), ci(p.cell()), p.series(), p.category()));
            if (!lines) {
                // the reference's value beside ours, a bar of its own (no interval: one published number)
                table.referenceValues().forEach((row, v) -> data.add(100 * v, 0.0, "reference " + Report.REFERENCE,
                        row));
            }
            CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(lines && !effect ? "number of classes"
                    : table.rowHeader()), new NumberAxis(effect ? Findings.ALL_MINUS_NONE + " (test top-1 points)"
                    : "test top-1 (%)"), lines
                    ? new StatisticalLineAndShapeRenderer(true, true) : new StatisticalBarRenderer());
            if (effect) {
                ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true); // which side of zero is the verdict
                plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(0, Color.GRAY, new BasicStroke(1f)));
            } else {
                ((NumberAxis) plot.getRangeAxis()).setRange(0, 100); // accuracy: an interval past 100 % is cut off
            }
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            if (!lines) {
                plot.getDomainAxis().setMaximumCategoryLabelLines(3);
            } else if (domains.size() > 1) {
                // a colour per batch size, the same in every domain
                java.awt.Paint[] paints = org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_PAINT_SEQUENCE;
                for (int i = 0; i < data.getRowCount(); i++) {
                    String series = (String) data.getRowKey(i);
                    int column = table.columns().indexOf(series.substring(series.lastIndexOf(", ") + 2));
                    plot.getRenderer().setSeriesPaint(i, paints[Math.max(0, column) % paints.length]);
                    if (!series.startsWith(domains.get(0) + ", ")) {
                        plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_ROUND,
                                BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
                    }
                }
            }
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            chart.setTitle(new TextTitle(table.title() + " (mean, 95 % CI)"));
            chart.setBackgroundPaint(Color.WHITE);
            out.put(study, new Figure(study, png(chart), svg(chart)));
        });
        return out;
    }

    private static double number(String category) {
        try {
            return Double.parseDouble(category);
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
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
