package dev.simclr.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import dev.simclr.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * An experiment's results as a researcher publishes them: per study a table of test accuracy, mean ± 95 %
 * confidence interval over seeds (Student's t), with the reference analysis's finding beside ours, and every run's
 * metrics, lineage and cost. Written to {@code reports/<experiment>/} as results.json, results.csv and results.md.
 */
public record Report(String experimentId, Map<String, Table> tables, List<Map<String, Object>> runs,
                     JsonNode spec, Map<String, Object> lineage, Timing timing) {

    /** The reference: Nguyen, Nguyen, Le, "Semi-Supervising Learning, Transfer Learning, and Knowledge
     * Distillation with SimCLR", arXiv:2108.00587 (2021). Its table values are not available offline here; its
     * stated findings are. */
    public static final String REFERENCE = "arXiv:2108.00587";
    static final Map<String, String> REFERENCE_FINDING = Map.of(
            ExperimentSpec.ABLATION, "which augmentations matter when fine-tuning (Table 1, Figure 2)",
            ExperimentSpec.DISTILLATION, "distillation works better when teacher and student share the base "
                    + "model (Table 2)",
            ExperimentSpec.TRANSFER, "transfer learning performs better when the number of classes is smaller "
                    + "(Table 4, Figure 6)");

    /** Between the dataset and the number of classes in the transfer table's rows when it has several domains. */
    public static final String DOMAIN_SEPARATOR = " / ";

    /** One row of a table: the mean ± CI of a metric per column, over seeds. */
    public record Cell(int n, double mean, double ci95, List<Double> values) {
        static Cell of(List<Double> v) {
            int n = v.size();
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ci = Double.NaN;
            if (n > 1) {
                double var = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (n - 1);
                ci = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(var / n);
            }
            return new Cell(n, mean, ci, v);
        }

        String text() {
            if (n == 0) {
                return "–";
            }
            return Double.isNaN(ci95) ? String.format(Locale.ROOT, "%.1f", 100 * mean)
                    : String.format(Locale.ROOT, "%.1f ± %.1f", 100 * mean, 100 * ci95);
        }
    }

    public record Table(String title, String rowHeader, List<String> columns, Map<String, Map<String, Cell>> rows,
                        String reference) {}

    public static String prefix(String experimentId) {
        return "reports/" + experimentId + "/";
    }

    /**
     * {@code lineage}: what the results rest on — datasets with their shards' sha256, the code version;
     * {@code state}: the runs' instants, for the coordination figures ({@link Timing}).
     */
    public static Report of(ExperimentSubmitted submitted, ExperimentSpec spec, List<Planner.Node> plan,
                            Map<String, RunCompleted> results, Map<String, Object> lineage, ExperimentState state) {
        Timing timing = Timing.of(state, plan);
        Map<String, Table> tables = new LinkedHashMap<>();
        if (spec.studies().contains(ExperimentSpec.ABLATION)) {
            tables.put(ExperimentSpec.ABLATION, table("Fine-tuning augmentation ablation: test top-1 %", "policy",
                    plan, results, ExperimentSpec.ABLATION, n -> n.labels().get("policy"), n -> "top-1", "top1"));
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION)) {
            Table students = table("Distillation: student test top-1 %", "student", plan, results,
                    ExperimentSpec.DISTILLATION, n -> n.labels().get("student") + ", " + n.labels().get("mode"),
                    n -> "student top-1", "top1");
            Table teachers = table("", "student", plan, results, ExperimentSpec.DISTILLATION,
                    n -> n.labels().get("student") + ", " + n.labels().get("mode"), n -> "teacher top-1",
                    "teacherTop1");
            students.rows().forEach((row, cells) -> cells.putAll(teachers.rows().get(row)));
            tables.put(ExperimentSpec.DISTILLATION, new Table(students.title(), students.rowHeader(),
                    List.of("student top-1", "teacher top-1"), students.rows(),
                    REFERENCE_FINDING.get(ExperimentSpec.DISTILLATION)));
        }
        if (spec.studies().contains(ExperimentSpec.TRANSFER)) {
            // one domain: a row per number of classes; more (e.g. sklearn's digits beside Fashion-MNIST): a row
            // per domain and number of classes, "<dataset> / <k>"
            boolean domains = plan.stream().filter(n -> ExperimentSpec.TRANSFER.equals(n.study()))
                    .map(n -> n.labels().get("domain")).distinct().count() > 1;
            tables.put(ExperimentSpec.TRANSFER, table("Transfer (linear evaluation): test top-1 % by number of "
                    + "classes and batch size", domains ? "dataset / classes" : "classes", plan, results,
                    ExperimentSpec.TRANSFER, n -> domains ? n.labels().get("domain") + DOMAIN_SEPARATOR
                            + n.labels().get("classes") : n.labels().get("classes"),
                    n -> "batch " + n.labels().get("batch"), "top1"));
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", n.runId());
            m.put("stage", n.stage().wireName());
            m.put("study", n.study());
            m.put("labels", n.labels());
            m.put("metrics", r == null ? Map.of() : r.metrics());
            m.put("checkpointKey", r == null ? null : r.checkpointKey());
            m.put("cpuSeconds", r == null ? null : r.cpuSeconds());
            m.put("times", timing.runs().get(n.runId()));
            runs.add(m);
        }
        return new Report(submitted.experimentId(), tables, runs, submitted.spec(), lineage, timing);
    }

    private static Table table(String title, String rowHeader, List<Planner.Node> plan,
                               Map<String, RunCompleted> results, String study, Function<Planner.Node, String> row,
                               Function<Planner.Node, String> column, String metric) {
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        List<String> columns = new ArrayList<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            if (!study.equals(n.study()) || r == null || !r.metrics().containsKey(metric)) {
                continue;
            }
            String c = column.apply(n);
            if (!columns.contains(c)) {
                columns.add(c);
            }
            values.computeIfAbsent(row.apply(n), k -> new LinkedHashMap<>()).computeIfAbsent(c,
                    k -> new ArrayList<>()).add(r.metrics().get(metric));
        }
        Map<String, Map<String, Cell>> rows = new LinkedHashMap<>();
        values.forEach((r, cols) -> {
            Map<String, Cell> cells = new LinkedHashMap<>();
            cols.forEach((c, v) -> cells.put(c, Cell.of(v)));
            rows.put(r, cells);
        });
        return new Table(title, rowHeader, columns, rows, REFERENCE_FINDING.get(study));
    }

    /** The tables as Markdown: what the CLI prints and results.md holds. */
    public String markdown() {
        StringBuilder b = new StringBuilder("# Experiment " + experimentId + "\n\n");
        b.append("Test accuracy in %, mean ± 95 % CI over seeds (Student's t). Reference: ").append(REFERENCE)
                .append(" — its table values are not available offline, so its findings are quoted instead.\n");
        tables.forEach((study, t) -> {
            b.append("\n## ").append(study).append("\n\n").append(t.title()).append("\n\n");
            b.append("| ").append(t.rowHeader()).append(" | ").append(String.join(" | ", t.columns())).append(" | n |\n");
            b.append("|---|").append("---|".repeat(t.columns().size())).append("---|\n");
            t.rows().forEach((row, cells) -> {
                b.append("| ").append(row);
                int n = 0;
                for (String c : t.columns()) {
                    Cell cell = cells.get(c);
                    b.append(" | ").append(cell == null ? "–" : cell.text());
                    n = Math.max(n, cell == null ? 0 : cell.n());
                }
                b.append(" | ").append(n).append(" |\n");
            });
            b.append("\nReference finding: ").append(t.reference()).append(".\n");
        });
        if (timing != null) {
            b.append(timing.markdown());
        }
        return b.toString();
    }

    public String csv() {
        StringBuilder b = new StringBuilder("study,row,column,seed_index,value\n");
        tables.forEach((study, t) -> t.rows().forEach((row, cells) -> cells.forEach((c, cell) -> {
            for (int i = 0; i < cell.values().size(); i++) {
                b.append(study).append(',').append(quote(row)).append(',').append(quote(c)).append(',').append(i)
                        .append(',').append(cell.values().get(i)).append('\n');
            }
        })));
        return b.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    public void publish(ObjectStore store) {
        try {
            store.put(prefix(experimentId) + "results.json", Json.PRETTY.writeValueAsBytes(this), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.put(prefix(experimentId) + "results.csv", csv().getBytes(StandardCharsets.UTF_8), "text/csv");
        store.put(prefix(experimentId) + "results.md", markdown().getBytes(StandardCharsets.UTF_8), "text/markdown");
        Map<String, Plots.Figure> figures = Map.of();
        try {
            figures = Plots.of(this);
            for (Plots.Figure f : figures.values()) {
                store.put(prefix(experimentId) + f.name() + ".png", f.png(), "image/png");
                store.put(prefix(experimentId) + f.name() + ".svg", f.svg().getBytes(StandardCharsets.UTF_8),
                        "image/svg+xml");
            }
        } catch (RuntimeException | LinkageError e) {
            // a machine without fonts cannot draw text: the tables still stand
            org.jboss.logging.Logger.getLogger(Report.class).warnf("no plots for %s: %s", experimentId, e);
        }
        store.put(prefix(experimentId) + "report.html", Html.page(this, figures).getBytes(StandardCharsets.UTF_8),
                "text/html");
    }
}
