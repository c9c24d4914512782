package dev.simclr.eval.status;

import dev.simclr.contracts.RunProgress;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.scheduler.Scheduler;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.state.StateStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What {@code GET /experiments/{id}} and the CLI show: state, and per run its stage, labels, status and progress. */
public final class StatusView {
    private final Scheduler scheduler;
    private final StateStore states;

    public StatusView(Scheduler scheduler, StateStore states) {
        this.scheduler = scheduler;
        this.states = states;
    }

    /**
     * A page of the stored experiments, newest submission first: id, recipe, state, runs done of all, submitted.
     * Running ones are read from memory, the rest from their stored state (one read each: fine for hundreds).
     */
    public Map<String, Object> list(int offset, int limit) {
        return list(offset, limit, null);
    }

    /** {@code only}: just the experiments in that state (null: all); {@code total} counts those. */
    public Map<String, Object> list(int offset, int limit, ExperimentState.Status only) {
        List<ExperimentState> all = new ArrayList<>(states.all());
        all.replaceAll(s -> scheduler.active(s.experimentId).map(Scheduler.Active::state).orElse(s));
        all.removeIf(s -> only != null && s.status != only);
        all.sort(java.util.Comparator.comparing((ExperimentState s) -> s.submittedAt,
                java.util.Comparator.nullsLast(java.util.Comparator.reverseOrder())));
        List<Map<String, Object>> page = new ArrayList<>();
        for (ExperimentState s : all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("experimentId", s.experimentId);
            m.put("recipe", s.recipe != null ? s.recipe
                    : states.submitted(s.experimentId).map(e -> e.recipe()).orElse(null));
            m.put("status", s.status);
            m.put("runsDone", s.runs.values().stream()
                    .filter(r -> r.status == ExperimentState.RunStatus.COMPLETED).count());
            m.put("runsTotal", s.runs.size());
            m.put("submittedAt", s.submittedAt);
            m.put("finishedAt", s.finishedAt);
            page.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", all.size());
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("experiments", page);
        return out;
    }

    public Optional<Map<String, Object>> describe(String id) {
        Scheduler.Active a = scheduler.active(id).orElse(null);
        ExperimentState state = a != null ? a.state() : states.load(id).orElse(null);
        if (state == null) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("experimentId", id);
        out.put("status", state.status);
        out.put("recipe", state.recipe);
        out.put("submittedAt", state.submittedAt);
        out.put("finishedAt", state.finishedAt);
        out.put("reasons", state.reasons);
        List<Map<String, Object>> list = new ArrayList<>();
        state.runs.forEach((runId, r) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", runId);
            if (a != null) {
                a.plan().stream().filter(n -> n.runId().equals(runId)).findFirst().ifPresent(n -> {
                    m.put("stage", n.stage().wireName());
                    m.put("study", n.study());
                    m.put("labels", new TreeMap<>(n.labels()));
                });
            } else if (r.stage != null) {
                m.put("stage", r.stage);
                m.put("study", r.study);
                m.put("labels", r.labels);
            }
            m.put("status", r.status);
            m.put("attempts", r.attempts);
            m.put("issuedAt", r.issuedAt);
            m.put("startedAt", r.startedAt);
            m.put("completedAt", r.completedAt);
            if (r.instance != null) {
                m.put("instance", r.instance); // the service instance running it (its latest slice)
            }
            if (r.reusedFrom != null) {
                m.put("reusedFrom", r.reusedFrom); // finished before by that experiment: not run again
            }
            RunProgress p = scheduler.progress(runId).orElse(null);
            if (p != null && r.status == ExperimentState.RunStatus.ISSUED) {
                m.put("step", p.step());
                m.put("totalSteps", p.totalSteps());
                m.put("loss", p.loss());
            }
            list.add(m);
        });
        out.put("runs", list);
        if (state.status == ExperimentState.Status.COMPLETED) {
            out.put("report", Report.prefix(id));
        }
        return Optional.of(out);
    }
}
