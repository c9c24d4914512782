package dev.simclr.eval.coordinator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an experiment stands, stored as {@code experiments/<id>/state.json} after every change: the coordinator
 * reloads it after a restart and goes on (the plan itself is recomputed from the submitted spec).
 */
public final class ExperimentState {
    public enum Status { RUNNING, COMPLETED, FAILED }

    public enum RunStatus { PLANNED, ISSUED, COMPLETED, FAILED }

    public static final class Run {
        public RunStatus status = RunStatus.PLANNED;
        public int attempts;
        public String lastError;
        public Instant issuedAt;
        public Instant completedAt;
    }

    public String experimentId;
    public Status status = Status.RUNNING;
    public Instant submittedAt;
    public Instant finishedAt;
    public List<String> reasons = new ArrayList<>();
    public Map<String, Run> runs = new LinkedHashMap<>();
}
