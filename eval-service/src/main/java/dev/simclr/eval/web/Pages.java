package dev.simclr.eval.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.report.ReportView;
import dev.simclr.eval.report.Timing;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.state.StateStore;
import io.quarkus.qute.RawString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds what the web pages show from the coordinator's view of the experiments ({@link Coordinator#list},
 * {@link Coordinator#describe}: memory for the running ones, the stored state for the rest, so a page is right
 * after a restart) and the published report. Display text only; the templates escape it.
 */
public final class Pages {
    /** The report's files the page offers, as the report wrote them ({@link Report#publish}). */
    static final List<String> DOWNLOADS = List.of("results.json", "results.csv", "results.md", "report.html");
    /** Stages whose runs write a checkpoint (an evaluation's result is its metrics). */
    static final Set<String> CHECKPOINTED = Set.of("pretrain", "finetune", "distill");
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Coordinator coordinator;
    private final ObjectStore store;
    private final StateStore states;
    private final Recipes recipes;

    public Pages(Coordinator coordinator, ObjectStore store, Recipes recipes) {
        this.coordinator = coordinator;
        this.store = store;
        this.states = new StateStore(store);
        this.recipes = recipes;
    }

    public static String experimentHref(String id) {
        return "/ui/experiments/" + url(id);
    }

    static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A page of the list, newest first, of the experiments in state {@code only} (null: all). */
    @SuppressWarnings("unchecked")
    public Views.ListPage list(int offset, int limit, ExperimentState.Status only) {
        Map<String, Object> page = coordinator.list(offset, limit, only);
        List<Views.Row> rows = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) page.get("experiments")) {
            String id = (String) m.get("experimentId");
            String recipe = (String) m.get("recipe");
            long done = ((Number) m.get("runsDone")).longValue();
            int total = ((Number) m.get("runsTotal")).intValue();
            Instant submitted = (Instant) m.get("submittedAt");
            rows.add(new Views.Row(id, experimentHref(id), recipe == null ? "" : recipe, scale(id, recipe),
                    String.valueOf(m.get("status")).toLowerCase(Locale.ROOT), done, total, percent(done, total),
                    when(submitted),
                    wall(submitted, (Instant) m.get("finishedAt"))));
        }
        int total = (Integer) page.get("total");
        String state = only == null ? "" : only.name().toLowerCase(Locale.ROOT);
        List<Views.Link> filters = new ArrayList<>();
        filters.add(new Views.Link("all", "/?limit=" + limit, only == null));
        for (ExperimentState.Status s : ExperimentState.Status.values()) {
            filters.add(new Views.Link(s.name().toLowerCase(Locale.ROOT), "/?state=" + s.name() + "&limit=" + limit,
                    s == only));
        }
        String filter = only == null ? "" : "&state=" + only.name();
        String previous = offset == 0 ? null : "/?offset=" + Math.max(0, offset - limit) + "&limit=" + limit + filter;
        String next = offset + limit >= total ? null : "/?offset=" + (offset + limit) + "&limit=" + limit + filter;
        return new Views.ListPage(rows, filters, state, rows.isEmpty() ? 0 : offset + 1, offset + rows.size(), total,
                previous, next);
    }

    /** Which scale of its recipe an experiment's spec is ("custom" for a pasted or edited one). */
    private String scale(String id, String recipe) {
        return states.submitted(id).flatMap(e -> recipes.scaleOf(recipe, e.spec())).orElse("custom");
    }

    public Optional<Views.ExperimentPage> experiment(String id) {
        Optional<Views.Live> live = live(id);
        if (live.isEmpty()) {
            return Optional.empty();
        }
        Optional<ExperimentSubmitted> submitted = states.submitted(id);
        String recipe = submitted.map(ExperimentSubmitted::recipe).orElse("");
        String spec = submitted.map(e -> pretty(e.spec())).orElse("");
        String scale = submitted.flatMap(e -> recipes.scaleOf(recipe, e.spec())).orElse("custom");
        return Optional.of(new Views.ExperimentPage(id, recipe, scale, spec, live.get(),
                experimentHref(id) + "/live", "/experiments/" + url(id)));
    }

    /** The part of the experiment page that changes while it runs. */
    @SuppressWarnings("unchecked")
    public Optional<Views.Live> live(String id) {
        Optional<Map<String, Object>> described = coordinator.describe(id);
        if (described.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> d = described.get();
        String status = String.valueOf(d.get("status"));
        boolean running = ExperimentState.Status.RUNNING.name().equals(status);
        Map<String, List<Views.Run>> byStage = new LinkedHashMap<>();
        Map<String, long[]> doneByStage = new LinkedHashMap<>();
        long done = 0;
        List<Map<String, Object>> runs = (List<Map<String, Object>>) d.get("runs");
        for (Map<String, Object> r : runs) {
            String stage = r.get("stage") == null ? "(unknown)" : (String) r.get("stage");
            String runStatus = String.valueOf(r.get("status"));
            boolean completed = ExperimentState.RunStatus.COMPLETED.name().equals(runStatus);
            done += completed ? 1 : 0;
            doneByStage.computeIfAbsent(stage, k -> new long[1])[0] += completed ? 1 : 0;
            String progress = "";
            int percent = -1;
            if (r.get("step") instanceof Number step && r.get("totalSteps") instanceof Number totalSteps) {
                progress = step + " / " + totalSteps;
                percent = percent(step.longValue(), totalSteps.longValue());
            }
            String reusedFrom = (String) r.get("reusedFrom");
            String runId = (String) r.get("runId");
            String checkpoint = completed && CHECKPOINTED.contains(stage)
                    ? experimentHref(id) + "/runs/" + url(runId) + "/checkpoint" : null;
            byStage.computeIfAbsent(stage, k -> new ArrayList<>()).add(new Views.Run(runId,
                    r.get("study") == null ? "" : String.valueOf(r.get("study")), labels(r.get("labels")),
                    runStatus.toLowerCase(Locale.ROOT),
                    ((Number) r.get("attempts")).intValue(), progress, percent,
                    r.get("instance") == null ? "" : (String) r.get("instance"), reusedFrom,
                    reusedFrom == null ? null : experimentHref(reusedFrom), checkpoint));
        }
        List<Views.Stage> stages = new ArrayList<>();
        byStage.forEach((stage, list) -> stages.add(new Views.Stage(stage, doneByStage.get(stage)[0], list.size(),
                list)));
        Instant submittedAt = (Instant) d.get("submittedAt");
        Instant finishedAt = (Instant) d.get("finishedAt");
        boolean completed = ExperimentState.Status.COMPLETED.name().equals(status);
        Views.Results results = completed ? results(id).orElse(null) : null;
        boolean pending = completed && results == null;
        return Optional.of(new Views.Live(id, status.toLowerCase(Locale.ROOT), (List<String>) d.get("reasons"), done,
                runs.size(),
                percent(done, runs.size()), when(submittedAt), when(finishedAt), wall(submittedAt, finishedAt),
                stages, results, pending, running, !running && !pending));
    }

    /** The published report's verdicts, tables, plots, cost and downloads; empty until it is written. */
    Optional<Views.Results> results(String id) {
        Optional<byte[]> json = store.getIfExists(Report.prefix(id) + "results.json");
        if (json.isEmpty()) {
            return Optional.empty();
        }
        Report report = Report.read(json.get());
        Set<String> files = store.list(Report.prefix(id)).stream()
                .map(k -> k.substring(Report.prefix(id).length())).collect(Collectors.toSet());
        String files0 = experimentHref(id) + "/files/";
        String tables = ReportView.of(report).html(study -> files.contains(study + ".svg")
                ? "<img src=\"" + escape(files0 + url(study + ".svg")) + "\" alt=\"" + escape("Plot of the "
                + study + " table") + "\">" : null);
        List<Views.Download> downloads = new ArrayList<>();
        for (String f : DOWNLOADS) {
            if (files.contains(f)) {
                downloads.add(new Views.Download(f, files0 + f));
            }
        }
        Timing t = report.timing();
        List<String> coordination = new ArrayList<>();
        String cost = null;
        if (t != null) {
            cost = t.costText();
            coordination.add("submit → first run started: " + Timing.fmt(t.submitToFirstStartSeconds())
                    + "; → first training step: " + Timing.fmt(t.submitToFirstStepSeconds()));
        }
        return Optional.of(new Views.Results(new RawString(tables), cost, coordination, downloads));
    }

    /** The report's own markup around our URLs: the only HTML this class writes itself. */
    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String labels(Object labels) {
        if (!(labels instanceof Map<?, ?> m) || m.isEmpty()) {
            return "";
        }
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    static int percent(long done, long total) {
        return total <= 0 ? 0 : (int) Math.min(100, Math.max(0, done * 100 / total));
    }

    static String when(Instant t) {
        return t == null ? "" : WHEN.format(t);
    }

    /** From the submission to its end, or to now while it runs. */
    static String wall(Instant from, Instant to) {
        if (from == null) {
            return "";
        }
        long s = Math.max(0, Duration.between(from, to == null ? Instant.now() : to).toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
    }

    private static String pretty(JsonNode spec) {
        try {
            return Json.PRETTY.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            return String.valueOf(spec);
        }
    }

    /** The checkpoint a completed run wrote, by its stored result: empty when the run wrote none. */
    Optional<String> checkpointKey(String runId) {
        return new RunStore(store).result(runId).map(r -> r.path("checkpointKey").asText(null))
                .filter(k -> !k.isBlank());
    }

    /** Whether the run is one of the experiment's (a page never serves another experiment's runs by its URL). */
    boolean hasRun(String id, String runId) {
        return coordinator.describe(id).map(d -> ((List<?>) d.get("runs")).stream()
                .anyMatch(r -> runId.equals(((Map<?, ?>) r).get("runId")))).orElse(false);
    }
}
