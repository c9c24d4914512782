package dev.simclr.eval.report;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a reader sees of a report — verdicts and tables as display text — built once from the {@link Report}, and
 * rendered by templates ({@code templates/report.md}, {@code templates/tables.html}, Qute) into Markdown and HTML:
 * one model, so both show the same numbers.
 */
public record ReportView(String experimentId, String protocol, String reference, List<FindingView> findings,
                         List<TableView> tables) {

    public record FindingView(String id, String claim, String heldEqual, String verdict) {}

    /** {@code header}: the row header, the columns, the reference's column if any, n; each row likewise. */
    public record TableView(String study, String title, List<String> header, List<List<String>> rows, String note) {}

    public static ReportView of(Report r) {
        List<FindingView> findings = r.findings().stream()
                .map(f -> new FindingView(f.id(), f.claim(), f.heldEqual(), f.text())).toList();
        List<TableView> tables = new ArrayList<>();
        r.tables().forEach((study, t) -> {
            boolean ref = !t.referenceValues().isEmpty();
            List<String> header = new ArrayList<>();
            header.add(t.rowHeader());
            header.addAll(t.columns());
            if (ref) {
                header.add(Report.REFERENCE);
            }
            header.add("n");
            List<List<String>> rows = new ArrayList<>();
            t.rows().forEach((row, cells) -> {
                List<String> line = new ArrayList<>();
                line.add(row);
                int n = 0;
                for (String c : t.columns()) {
                    Report.Cell cell = cells.get(c);
                    line.add(cell == null ? "–" : cell.text());
                    n = Math.max(n, cell == null ? 0 : cell.n());
                }
                if (ref) {
                    Double v = t.referenceValues().get(row);
                    line.add(v == null ? "–" : String.format(Locale.ROOT, "%.1f", 100 * v));
                }
                Integer bad = t.degenerate().get(row);
                line.add(n + (bad == null ? "" : " (" + bad + " degenerate)"));
                rows.add(line);
            });
            tables.add(new TableView(study, t.title(), header, rows,
                    t.reference() + "." + (ref ? " " + Reference.NOTE : "")));
        });
        return new ReportView(r.experimentId(), r.protocol(), Report.REFERENCE, findings, tables);
    }

    private static final Engine ENGINE = Engine.builder().addDefaults()
            .addValueResolver(new ReflectionValueResolver())
            .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML)))
            .build();
    private static final Template MARKDOWN = template("templates/report.md", Variant.forContentType("text/plain"));
    private static final Template HTML = template("templates/tables.html", Variant.forContentType(Variant.TEXT_HTML));

    private static Template template(String resource, Variant variant) {
        try (InputStream in = ReportView.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing template " + resource);
            }
            return ENGINE.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), variant);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Title, protocol, verdicts and tables in Markdown. */
    public String markdown() {
        return MARKDOWN.data("view", this).render();
    }

    /** Protocol, verdicts and tables as HTML (escaped), one figure slot after each table. */
    public String html(java.util.function.Function<String, String> figureOf) {
        return HTML.data("view", this).data("figures", new Figures(figureOf)).render();
    }

    /** The SVG of a study's figure, raw (it is our own markup), or nothing. */
    public record Figures(java.util.function.Function<String, String> svg) {
        public io.quarkus.qute.RawString of(String study) {
            String s = svg.apply(study);
            return new io.quarkus.qute.RawString(s == null ? "" : "<figure>" + s + "</figure>");
        }
    }
}
