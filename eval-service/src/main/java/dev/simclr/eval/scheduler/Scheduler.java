package dev.simclr.eval.scheduler;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentCancelled;
import dev.simclr.contracts.ExperimentCompleted;
import dev.simclr.contracts.ExperimentFailed;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.core.Transient;
import dev.simclr.core.run.Cancellations;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.eval.lineage.Lineage;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Drives the experiments under way, one pass at a time: takes in what run events said, notices a run's end by its
 * stored result (so nothing is missed across restarts), issues a run when its inputs exist (the critical path
 * first), retries a failed run up to {@code maxAttempts}, re-sends a request that showed no sign of life, and ends
 * an experiment with its report or its reasons. A pass that meets an unavailable store or broker changes nothing
 * it could not keep and is simply repeated: an outage costs time, never an experiment.
 */
public final class Scheduler {
    private static final Logger LOG = Logger.getLogger(Scheduler.class);
    private static final long POLL_NANOS = 5_000_000_000L;

    /** Where the coordinator's messages go: run requests and experiment events. */
    public interface Outbox {
        void request(String topic, String key, String json);

        void experiment(String experimentId, Event event);
    }

    /**
     * {@code staleTolerance}: run events stamped this long before the request was issued belong to an earlier
     * attempt (worker clocks differ a little). {@code silence}: an issued run with no event for this long, while
     * its stage's workers were quiet too, is re-sent (doubling each time). {@code maxInFlightPerStage}: at most this
     * many runs of one stage issued and not finished, over all experiments (0: no cap) — workers share their time
     * among the runs they hold, so without a cap 35 ready fine-tunes all finish together at the end and the teacher
     * that the students wait for finishes last; with it, runs go in issue order (the critical path first).
     */
    public record Settings(int maxAttempts, Duration staleTolerance, Duration silence, int maxInFlightPerStage) {
        public Settings(int maxAttempts, Duration staleTolerance, Duration silence) {
            this(maxAttempts, staleTolerance, silence, 0);
        }

        public static Settings defaults() {
            return new Settings(3, Duration.ofSeconds(2), Duration.ofMinutes(5), DEFAULT_MAX_IN_FLIGHT_PER_STAGE);
        }
    }

    /** About two runs per worker of a stage: each worker has the next run at hand, none starves the critical path. */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_STAGE = 4;

    /** An experiment under way: its submission, plan (in issue order too), state and the results seen. */
    public record Active(ExperimentSubmitted submitted, ExperimentSpec spec, List<Planner.Node> plan,
                         List<Planner.Node> issueOrder, ExperimentState state, Map<String, RunCompleted> results,
                         long[] lastPoll) {
        public Active(ExperimentSubmitted submitted, ExperimentSpec spec, List<Planner.Node> plan,
                      ExperimentState state) {
            this(submitted, spec, plan, Planner.issueOrder(plan), state, new ConcurrentHashMap<>(), new long[] {0});
        }
    }

    private final ObjectStore store;
    private final RunStore runs;
    private final StateStore states;
    private final Lineage lineage;
    private final Outbox outbox;
    private final Settings settings;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final Map<String, RunProgress> progress = new ConcurrentHashMap<>();
    private final RunSignals signals = new RunSignals();
    private volatile Runnable wake = () -> { };

    public Scheduler(ObjectStore store, StateStore states, Lineage lineage, Outbox outbox, Settings settings) {
        this.store = store;
        this.runs = new RunStore(store);
        this.states = states;
        this.lineage = lineage;
        this.outbox = outbox;
        this.settings = settings;
    }

    public void wakeWith(Runnable wake) {
        this.wake = wake;
    }

    public void add(Active a) {
        active.put(a.state().experimentId, a);
    }

    public Optional<Active> active(String experimentId) {
        return Optional.ofNullable(active.get(experimentId));
    }

    public Collection<Active> all() {
        return active.values();
    }

    public Optional<RunProgress> progress(String runId) {
        return Optional.ofNullable(progress.get(runId));
    }

    // ---- run events: memory only, no lock, no storage ----

    public void runFailed(RunFailed f) {
        if (known(f.experimentId(), f.runId())) {
            signals.failed.put(f.runId(), f);
            signals.heard(f.runId(), f.stage());
            wake.run();
        }
    }

    /**
     * Taken at once (the stored result is what counts; it is also polled for), and a pass run now — by every
     * experiment that has the run in its plan: a run is shared by the experiments that ask for the same computation,
     * and its completion names the one whose request finished it.
     */
    public void runCompleted(RunCompleted c) {
        if (c.runId() == null) {
            return;
        }
        boolean taken = false;
        for (Active a : active.values()) {
            if (a.state().runs.containsKey(c.runId())) {
                a.results().put(c.runId(), c);
                taken = true;
            }
        }
        if (taken) {
            progress.remove(c.runId());
            signals.heard(c.runId(), c.stage());
            wake.run();
        }
    }

    public void runStarted(RunStarted s) {
        if (known(s.experimentId(), s.runId())) {
            RunSignals.earliest(signals.started, s.runId(), s.at());
            signals.heard(s.runId(), s.stage());
            if (s.instance() != null) {
                // the latest slice's: stored with the state's next save, shown while it runs and after
                active.get(s.experimentId()).state().runs.get(s.runId()).instance = s.instance();
            }
        }
    }

    public void progress(RunProgress p) {
        if (known(p.experimentId(), p.runId())) {
            progress.put(p.runId(), p);
            RunSignals.earliest(signals.firstStep, p.runId(), p.at());
            signals.heard(p.runId(), p.stage());
        }
    }

    private boolean known(String experimentId, String runId) {
        Active a = experimentId == null || runId == null ? null : active.get(experimentId);
        return a != null && a.state().runs.containsKey(runId);
    }

    // ---- passes ----

    /** One pass over every experiment under way. */
    public synchronized void tick() {
        for (Active a : List.copyOf(active.values())) {
            try {
                tick(a);
            } catch (RuntimeException e) {
                if (Transient.in(e)) {
                    LOG.warnf("experiment %s waits: %s (tried again on the next pass)", a.state().experimentId,
                            e.getMessage());
                } else {
                    LOG.errorf(e, "experiment %s: coordination failed this pass (tried again on the next)",
                            a.state().experimentId);
                }
            }
        }
    }

    private void tick(Active a) {
        ExperimentState st = a.state();
        boolean changed = false;
        // events say when a run ends; the stored results are read too, now and then, in case an event was missed
        boolean poll = System.nanoTime() - a.lastPoll()[0] > POLL_NANOS;
        if (poll) {
            a.lastPoll()[0] = System.nanoTime();
        }
        for (Planner.Node n : a.issueOrder()) {
            ExperimentState.Run run = st.runs.computeIfAbsent(n.runId(), k -> new ExperimentState.Run());
            changed |= takeSignals(n.runId(), run);
            if (run.status == ExperimentState.RunStatus.COMPLETED) {
                if (!a.results().containsKey(n.runId())) {
                    a.results().put(n.runId(), result(n.runId()).orElseThrow(() -> new IllegalStateException(
                            "run " + n.runId() + " is marked completed but has no stored result")));
                }
                continue;
            }
            Optional<RunCompleted> done = run.status == ExperimentState.RunStatus.PLANNED ? Optional.empty()
                    : a.results().containsKey(n.runId()) ? Optional.of(a.results().get(n.runId()))
                    : poll ? result(n.runId()) : Optional.empty();
            if (done.isPresent()) {
                completed(a, n, run, done.get(), done.get().at() != null ? done.get().at() : Instant.now());
                changed = true;
                continue;
            }
            if (run.status == ExperimentState.RunStatus.FAILED) {
                if (run.attempts >= settings.maxAttempts()) {
                    st.reasons.add(n.runId() + " (" + n.stage().wireName() + " " + n.labels() + ") failed "
                            + run.attempts + " times: " + run.lastError);
                    end(a, ExperimentState.Status.FAILED, new ExperimentFailed(Event.SCHEMA_VERSION,
                            st.experimentId, List.copyOf(st.reasons), Instant.now()));
                    return;
                }
                issue(a, n, run, true);
                changed = true;
            } else if (run.status == ExperimentState.RunStatus.PLANNED
                    && n.needs().stream().allMatch(a.results()::containsKey)) {
                if (!roomFor(n.stage())) {
                    continue; // its stage is at its cap: looked at again in a later pass, when a run of it ends
                }
                // finished before, by another experiment that asked for the same computation: reused, not run
                Optional<RunCompleted> stored = result(n.runId());
                if (stored.isPresent()) {
                    // completed for this experiment now (the stored result keeps its own instant)
                    completed(a, n, run, stored.get(), Instant.now());
                    run.reusedFrom = stored.get().experimentId();
                    LOG.infof("run %s (experiment %s): finished before by experiment %s, its result reused",
                            n.runId(), st.experimentId, run.reusedFrom);
                } else {
                    issue(a, n, run, true);
                }
                changed = true;
            } else if (run.status == ExperimentState.RunStatus.ISSUED && silent(n, run)) {
                LOG.warnf("run %s (experiment %s) shows no sign of life since %s: request sent again",
                        n.runId(), st.experimentId, run.issuedAt);
                run.reissues++;
                issue(a, n, run, false);
                changed = true;
            }
        }
        if (st.runs.values().stream().allMatch(r -> r.status == ExperimentState.RunStatus.COMPLETED)) {
            Report.of(a.submitted(), a.spec(), a.plan(), a.results(),
                    lineage.of(st.experimentId, a.plan(), a.results()), st)
                    .publish(store);
            end(a, ExperimentState.Status.COMPLETED, new ExperimentCompleted(Event.SCHEMA_VERSION,
                    st.experimentId, Report.prefix(st.experimentId), Instant.now()));
            LOG.infof("experiment %s completed: report under %s", st.experimentId, Report.prefix(st.experimentId));
            return;
        }
        if (changed) {
            states.save(st);
        }
    }

    /**
     * Whether another run of {@code stage} may be issued under {@link Settings#maxInFlightPerStage}: runs issued and
     * not finished, counted once per run id over every experiment under way.
     */
    private boolean roomFor(dev.simclr.contracts.Stage stage) {
        int cap = settings.maxInFlightPerStage();
        if (cap <= 0) {
            return true;
        }
        java.util.Set<String> inFlight = new java.util.HashSet<>();
        for (Active other : active.values()) {
            for (Planner.Node n : other.plan()) {
                ExperimentState.Run r = other.state().runs.get(n.runId());
                if (n.stage() == stage && r != null && r.status == ExperimentState.RunStatus.ISSUED) {
                    inFlight.add(n.runId());
                }
            }
        }
        return inFlight.size() < cap;
    }

    private static void completed(Active a, Planner.Node n, ExperimentState.Run run, RunCompleted result,
                                  Instant at) {
        run.status = ExperimentState.RunStatus.COMPLETED;
        run.completedAt = at;
        run.noticedAt = Instant.now();
        a.results().put(n.runId(), result);
    }

    /** Sends the run's request; {@code attempt}: a new attempt (first or retry), else the same one re-sent. */
    private void issue(Active a, Planner.Node n, ExperimentState.Run run, boolean attempt) {
        Event request = n.request().apply(a.results());
        // taken before the send: a worker in this process can start the run before the send returns
        Instant issuedAt = Instant.now();
        outbox.request(n.topic(), n.runId(), EventCodec.encode(request));
        run.status = ExperimentState.RunStatus.ISSUED;
        if (attempt) {
            run.attempts++;
            run.reissues = 0;
            run.startedAt = null;
            run.firstStepAt = null;
        }
        run.issuedAt = issuedAt;
        run.completedAt = null;
        run.noticedAt = null;
        signals.failed.remove(n.runId());
    }

    /**
     * No event of the run since it was issued (or last heard of) for the silence, doubled per re-send, while no run
     * on its topic was heard of either: the request or its worker is gone (a busy worker's queue is not silence).
     */
    private boolean silent(Planner.Node n, ExperimentState.Run run) {
        if (run.issuedAt == null) {
            return false;
        }
        Duration quiet = settings.silence().multipliedBy(1L << Math.min(run.reissues, 6));
        Instant now = Instant.now();
        Instant heard = signals.lastHeard.get(n.runId());
        Instant since = heard != null && heard.isAfter(run.issuedAt) ? heard : run.issuedAt;
        Instant topicHeard = signals.lastHeardOnTopic.get(n.topic());
        boolean topicQuiet = topicHeard == null || Duration.between(topicHeard, now).compareTo(quiet) > 0;
        return Duration.between(since, now).compareTo(quiet) > 0 && topicQuiet;
    }

    /**
     * Takes in the run's signals since the last pass: started and first-step instants for an issued run that has
     * none yet, and a failure of the attempt under way. Older ones (an earlier attempt's, from before this issue)
     * are dropped. True when the state changed.
     */
    private boolean takeSignals(String runId, ExperimentState.Run run) {
        Instant started = signals.started.remove(runId);
        Instant firstStep = signals.firstStep.remove(runId);
        RunFailed failed = signals.failed.remove(runId);
        if (run.status != ExperimentState.RunStatus.ISSUED || run.issuedAt == null) {
            return false;
        }
        Instant earliest = run.issuedAt.minus(settings.staleTolerance());
        boolean changed = false;
        if (run.startedAt == null && started != null && !started.isBefore(earliest)) {
            run.startedAt = started;
            changed = true;
        }
        if (run.firstStepAt == null && firstStep != null && !firstStep.isBefore(earliest)) {
            run.firstStepAt = firstStep;
            changed = true;
        }
        if (failed != null && failed.at() != null && !failed.at().isBefore(earliest)) {
            run.status = ExperimentState.RunStatus.FAILED;
            run.lastError = failed.reason();
            changed = true;
        } else if (failed != null) {
            LOG.infof("run %s: a failure of an earlier attempt (%s) ignored", runId, failed.at());
        }
        return changed;
    }

    /**
     * The experiment is over: its event sent, then its final state stored and the experiment let go. A pass that
     * fails between the two sends the event again next time (at least once), never loses it.
     */
    /**
     * Cancels an experiment under way: the workers' marker first (a run's next slice will not start), then the state
     * and the experiment-cancelled event; finished runs stay as they are. False when it is not under way here.
     */
    public synchronized boolean cancel(String experimentId, String reason) {
        Active a = active.get(experimentId);
        if (a == null) {
            return false;
        }
        Cancellations.mark(store, experimentId, reason);
        ExperimentState st = a.state();
        int done = (int) st.runs.values().stream().filter(r -> r.status == ExperimentState.RunStatus.COMPLETED)
                .count();
        st.reasons.add("cancelled" + (reason == null || reason.isBlank() ? "" : ": " + reason));
        end(a, ExperimentState.Status.CANCELLED, new ExperimentCancelled(Event.SCHEMA_VERSION, experimentId, done,
                st.runs.size() - done, reason, Instant.now()));
        LOG.infof("experiment %s cancelled (%d runs done, %d not run)", experimentId, done, st.runs.size() - done);
        return true;
    }

    private void end(Active a, ExperimentState.Status status, Event event) {
        ExperimentState st = a.state();
        outbox.experiment(st.experimentId, event);
        st.status = status;
        st.finishedAt = Instant.now();
        try {
            states.save(st);
        } catch (RuntimeException e) {
            st.status = ExperimentState.Status.RUNNING;
            st.finishedAt = null;
            throw e;
        }
        active.remove(st.experimentId);
    }

    private Optional<RunCompleted> result(String runId) {
        return runs.result(runId).map(j -> EventCodec.decode(j.toString(), RunCompleted.class));
    }
}
