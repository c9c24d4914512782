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

    public Optional<Map<String, Object>> describe(String id) {
        Scheduler.Active a = scheduler.active(id).orElse(null);
        ExperimentState state = a != null ? a.state() : states.load(id).orElse(null);
        if (state == null) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("experimentId", id);
        out.put("status", state.status);
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
            }
            m.put("status", r.status);
            m.put("attempts", r.attempts);
            m.put("issuedAt", r.issuedAt);
            m.put("startedAt", r.startedAt);
            m.put("completedAt", r.completedAt);
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
