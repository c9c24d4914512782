package dev.simclr.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Locale;
import java.util.Map;

/** One self-contained HTML page: tables, figures (inline SVG), the experiment's spec, lineage and cost per run. */
final class Html {

    private Html() {}

    static String page(Report r, Map<String, Plots.Figure> figures) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Experiment ")
                .append(esc(r.experimentId())).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;")
                .append("text-align:right}th:first-child,td:first-child{text-align:left}")
                .append("pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}")
                .append(".note{color:#555}")
                // the runs table has eleven columns: it scrolls inside the page instead of running off its edge
                .append(".wide{overflow-x:auto}.wide table{font-size:12px}.wide td{overflow-wrap:anywhere}")
                .append("</style></head><body>");
        b.append("<h1>Experiment ").append(esc(r.experimentId())).append("</h1>");
        // verdicts and tables from the same view model as the Markdown (templates/tables.html)
        b.append(ReportView.of(r).html(study -> {
            Plots.Figure f = figures.get(study);
            return f == null ? null : f.svg();
        }));
        if (r.timing() != null) {
            Timing t = r.timing();
            b.append("<h2>Coordination</h2><ul>")
                    .append("<li>submit → first run started: ").append(Timing.fmt(t.submitToFirstStartSeconds()))
                    .append("; → first training step: ").append(Timing.fmt(t.submitToFirstStepSeconds())).append("</li>")
                    .append("<li>request issued → run started, service idle: ").append(esc(t.issueToStartIdle().text()))
                    .append("</li><li>request issued → run started, all runs (includes waiting behind the service's ")
                    .append("other runs): ").append(esc(t.issueToStart().text()))
                    .append("</li><li>last input completed → run issued: ").append(esc(t.completeToIssue().text()))
                    .append("</li></ul>");
            if (t.costText() != null) {
                b.append("<h2>Cost</h2><p>").append(esc(t.costText())).append("</p>");
            }
        }
        b.append("<h2>Runs: lineage and cost</h2><p class=\"note\">Times in seconds after the submission: request ")
                .append("issued, run started (by the worker), completed; waits: issued → started (q: the service was ")
                .append("busy with other runs meanwhile), last input completed → issued.</p>")
                .append("<div class=\"wide\"><table><tr><th>run</th><th>study</th><th>labels</th>")
                .append("<th>metrics</th><th>CPU s</th><th>issued</th><th>started</th><th>completed</th>")
                .append("<th>issued → started</th><th>input done → issued</th><th>checkpoint</th></tr>");
        for (Map<String, Object> run : r.runs()) {
            Timing.RunTimes times = (Timing.RunTimes) run.get("times");
            Object ranBy = run.get("ranBy");
            b.append("<tr><td>").append(esc(run.get("runId")))
                    .append(ranBy == null || ranBy.equals(r.experimentId()) ? ""
                            : "<br><span class=\"note\">reused: run by " + esc(ranBy) + "</span>")
                    .append("</td><td>").append(esc(run.get("study")))
                    .append("</td><td>").append(esc(run.get("labels"))).append("</td><td>")
                    .append(esc(run.get("metrics"))).append("</td><td>")
                    .append(run.get("cpuSeconds") == null ? "" : String.format(Locale.ROOT, "%.1f", (Double) run.get("cpuSeconds")))
                    .append("</td><td>").append(times == null ? "" : secs(times.issued()))
                    .append("</td><td>").append(times == null ? "" : secs(times.started()))
                    .append("</td><td>").append(times == null ? "" : secs(times.completed()))
                    .append("</td><td>").append(times == null ? "" : secs(times.issueToStart())
                            + (times.queued() ? " q" : ""))
                    .append("</td><td>").append(times == null ? "" : secs(times.completeToIssue()))
                    .append("</td><td>").append(esc(run.get("checkpointKey"))).append("</td></tr>");
        }
        b.append("</table></div><h2>Lineage</h2><pre>").append(esc(json(r.lineage()))).append("</pre>");
        b.append("<h2>Spec</h2><pre>").append(esc(json(r.spec()))).append("</pre></body></html>\n");
        return b.toString();
    }

    private static String secs(Double s) {
        return s == null ? "" : String.format(java.util.Locale.ROOT, "%.2f", s);
    }

    private static String json(Object o) {
        try {
            return dev.simclr.contracts.Json.PRETTY.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            return String.valueOf(o);
        }
    }

    private static String esc(Object o) {
        String s = o == null ? "" : o.toString();
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
