package dev.simclr.eval.state;

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
    public enum Status { RUNNING, COMPLETED, FAILED, CANCELLED }

    public enum RunStatus { PLANNED, ISSUED, COMPLETED, FAILED }

    /**
     * One planned run. Instants of its latest attempt: {@code issuedAt} the coordinator sent the request;
     * {@code startedAt} a worker took it up (its run-started, the worker's clock); {@code firstStepAt} its first
     * progress event (after the first training step; evaluations have none); {@code completedAt} the worker's
     * run-completed; {@code noticedAt} the coordinator took the result in.
     */
    public static final class Run {
        public RunStatus status = RunStatus.PLANNED;
        /** What the run computes, as the plan names it (kept so a finished experiment still says). */
        public String stage;
        public String study;
        public Map<String, String> labels;
        public int attempts;
        /** Re-sent without counting an attempt: the request showed no sign of life (lost with a broker or a worker). */
        public int reissues;
        public String lastError;
        public Instant issuedAt;
        public Instant startedAt;
        public Instant firstStepAt;
        public Instant completedAt;
        public Instant noticedAt;
        /** The experiment that had finished this run before this one asked for it (reused, not run); else null. */
        public String reusedFrom;
        /** The service instance that took up its latest slice (run-started's {@code instance}); else null. */
        public String instance;
    }

    public String experimentId;
    /** The recipe the submission named (null in states stored before it was kept here). */
    public String recipe;
    public Status status = Status.RUNNING;
    /**
     * When the submission was sent: its Kafka record's timestamp (the producer's clock), not the event's
     * {@code submittedAt}, which a client may write as it likes (a fixed date in a script gave days, a clock ahead
     * negative seconds).
     */
    public Instant submittedAt;
    /** When this coordinator had planned it and stored its state. */
    public Instant plannedAt;
    public Instant finishedAt;
    public List<String> reasons = new ArrayList<>();
    public Map<String, Run> runs = new LinkedHashMap<>();
}
