package dev.simclr.eval.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.ExperimentCancelRequested;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.core.Transient;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.eval.datasets.DerivedDatasets;
import dev.simclr.eval.lineage.Lineage;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import dev.simclr.eval.scheduler.Scheduler;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.state.StateStore;
import dev.simclr.eval.status.StatusView;
import dev.simclr.eval.submission.SubmissionCheck;
import dev.simclr.eval.submission.WorkEstimate;
import java.time.Instant;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs experiments. The parts, each with one job: {@link SubmissionCheck} (is the submission well formed),
 * {@link DerivedDatasets} (the sampled and class-subset datasets a plan reads), {@link Planner} (the DAG of runs),
 * {@link WorkEstimate} (is it within the budget), {@link StateStore} (what survives a restart), {@link Scheduler}
 * (issue, retry, re-send, end), {@link Lineage} and {@link StatusView}. This class accepts submissions, takes
 * running experiments up again after a restart, and hands run events to the scheduler.
 */
public final class Coordinator {
    private static final Logger LOG = Logger.getLogger(Coordinator.class);

    /** How a submission was taken. */
    public enum Taken { ACCEPTED, DUPLICATE, REFUSED, RETRY }

    /** {@code problems}: why it was refused, or (RETRY) what was unavailable. */
    public record Submitted(Taken taken, List<String> problems) {
        static Submitted of(Taken t, String... problems) {
            return new Submitted(t, List.of(problems));
        }
    }

    private final StateStore states;
    private final DerivedDatasets derived;
    private final DatasetStore datasets;
    private final Scheduler scheduler;
    private final StatusView status;
    private final long maxSteps;
    private final AtomicBoolean recovered = new AtomicBoolean();

    public Coordinator(ObjectStore store, Scheduler.Outbox outbox, Scheduler.Settings settings, long maxSteps) {
        this.states = new StateStore(store);
        this.datasets = new DatasetStore(store);
        this.derived = new DerivedDatasets(datasets);
        this.scheduler = new Scheduler(store, states, new Lineage(datasets, new RunStore(store)), outbox,
                settings);
        this.status = new StatusView(scheduler, states);
        this.maxSteps = maxSteps;
    }

    public void wakeWith(Runnable wake) {
        scheduler.wakeWith(wake);
    }

    /**
     * Takes an experiment sent at {@code sentAt} (its Kafka record's timestamp). The same id with the same spec is
     * a duplicate (not planned twice); with another spec it is refused, saying so. RETRY: the store was away; the
     * caller offers the submission again later.
     */
    public synchronized Submitted submit(ExperimentSubmitted e, Instant sentAt) {
        Planned p = plan(e);
        if (p.outcome() != null) {
            return p.outcome();
        }
        try {
            ExperimentState state = new ExperimentState();
            state.experimentId = e.experimentId();
            state.recipe = e.recipe();
            state.submittedAt = sentAt;
            state.plannedAt = Instant.now();
            p.plan().forEach(n -> {
                ExperimentState.Run run = new ExperimentState.Run();
                run.stage = n.stage().wireName();
                run.study = n.study();
                run.labels = new java.util.TreeMap<>(n.labels());
                state.runs.put(n.runId(), run);
            });
            states.saveSubmitted(e);
            states.save(state);
            scheduler.add(new Scheduler.Active(e, p.spec(), p.plan(), state));
            LOG.infof("experiment %s planned: %d runs, about %d training steps", e.experimentId(), p.plan().size(),
                    p.steps());
        } catch (RuntimeException ex) {
            if (Transient.in(ex)) {
                return Submitted.of(Taken.RETRY, ex.getMessage());
            }
            throw ex;
        }
        scheduler.tick();
        return Submitted.of(Taken.ACCEPTED);
    }

    /**
     * Every rule {@link #submit} applies, without storing anything: what the REST resource answers before it sends
     * a submission on (ACCEPTED here means "would be accepted").
     */
    public Submitted check(ExperimentSubmitted e) {
        Planned p = plan(e);
        return p.outcome() != null ? p.outcome() : Submitted.of(Taken.ACCEPTED);
    }

    /** A plan, or the outcome that stops it (refused, duplicate, retry). */
    private record Planned(Submitted outcome, ExperimentSpec spec, List<Planner.Node> plan, long steps) {
        static Planned stop(Submitted s) {
            return new Planned(s, null, null, 0);
        }
    }

    private Planned plan(ExperimentSubmitted e) {
        SubmissionCheck.Checked checked = SubmissionCheck.check(e.experimentId(), e.recipe(), e.spec());
        if (!checked.ok()) {
            return Planned.stop(new Submitted(Taken.REFUSED, checked.problems()));
        }
        String id = e.experimentId();
        try {
            Optional<JsonNode> known = scheduler.active(id).map(a -> a.submitted().spec())
                    .or(() -> states.submitted(id).map(ExperimentSubmitted::spec));
            if (known.isPresent()) {
                if (known.get().equals(e.spec())) {
                    LOG.infof("experiment %s was submitted before: not planned again", id);
                    return Planned.stop(Submitted.of(Taken.DUPLICATE));
                }
                return Planned.stop(Submitted.of(Taken.REFUSED, "experimentId: " + id + " was submitted before "
                        + "with another spec; submit this one under a new id"));
            }
            ExperimentSpec spec = checked.spec();
            Planner.Datasets data;
            try {
                data = derived.prepare(spec);
            } catch (IllegalArgumentException | dev.simclr.core.dataset.DatasetImportException ex) {
                return Planned.stop(Submitted.of(Taken.REFUSED, "dataset: " + ex.getMessage()));
            }
            List<Planner.Node> plan = Planner.plan(id, spec, data);
            if (plan.size() > ExperimentSpec.MAX_RUNS) {
                return Planned.stop(Submitted.of(Taken.REFUSED, "the spec plans " + plan.size() + " runs, more "
                        + "than " + ExperimentSpec.MAX_RUNS + ": fewer seeds, policies, students or batch sizes"));
            }
            long steps = WorkEstimate.steps(spec, datasets);
            if (steps > maxSteps) {
                return Planned.stop(Submitted.of(Taken.REFUSED, "the spec asks for about " + steps + " training "
                        + "steps, more than this coordinator's budget of " + maxSteps + " (COORDINATOR_MAX_STEPS): "
                        + "fewer epochs, seeds or runs, or a larger budget"));
            }
            return new Planned(null, spec, plan, steps);
        } catch (RuntimeException ex) {
            if (Transient.in(ex)) {
                return Planned.stop(Submitted.of(Taken.RETRY, ex.getMessage()));
            }
            throw ex;
        }
    }

    /**
     * After a restart: every experiment still running is taken up again from its stored state. Called at start
     * and by every pass until it has succeeded once (the store may be away when the service starts).
     */
    public synchronized void recover() {
        if (recovered.get()) {
            return;
        }
        for (ExperimentState state : states.all()) {
            if (state.status != ExperimentState.Status.RUNNING || scheduler.active(state.experimentId).isPresent()) {
                continue;
            }
            ExperimentSubmitted e = states.submitted(state.experimentId).orElseThrow(() -> new IllegalStateException(
                    "experiment " + state.experimentId + " has a state but no submission"));
            ExperimentSpec spec = ExperimentSpec.read(e.spec());
            List<Planner.Node> plan = Planner.plan(e.experimentId(), spec, derived.prepare(spec));
            scheduler.add(new Scheduler.Active(e, spec, plan, state));
            LOG.infof("experiment %s taken up again", e.experimentId());
        }
        recovered.set(true);
    }

    /** One pass: take up what is left from before a restart (until that has worked), then drive every experiment. */
    public void tick() {
        try {
            recover();
        } catch (RuntimeException e) {
            LOG.warnf("running experiments not taken up yet (tried again on the next pass): %s", e.getMessage());
        }
        scheduler.tick();
    }

    public void runFailed(RunFailed f) {
        scheduler.runFailed(f);
    }

    public void runCompleted(RunCompleted c) {
        scheduler.runCompleted(c);
    }

    public void runStarted(RunStarted s) {
        scheduler.runStarted(s);
    }

    public void progress(RunProgress p) {
        scheduler.progress(p);
    }

    public int experimentsRunning() {
        return scheduler.all().size();
    }

    public long runs(ExperimentState.RunStatus s) {
        return scheduler.all().stream().flatMap(a -> a.state().runs.values().stream())
                .filter(r -> r.status == s).count();
    }

    public Optional<Map<String, Object>> describe(String id) {
        return SubmissionCheck.idProblems(id).isEmpty() ? status.describe(id) : Optional.empty();
    }

    /**
     * A cancellation: ACCEPTED when the experiment was under way and now is cancelled; REFUSED naming why (unknown,
     * or already ended, with its state); RETRY when the store is away.
     */
    public synchronized Submitted cancel(ExperimentCancelRequested r) {
        List<String> bad = SubmissionCheck.idProblems(r.experimentId());
        if (!bad.isEmpty()) {
            return new Submitted(Taken.REFUSED, bad);
        }
        try {
            recover(); // an experiment under way but not yet taken up after a restart is cancelled too
            if (scheduler.cancel(r.experimentId(), r.reason())) {
                return Submitted.of(Taken.ACCEPTED);
            }
            return states.load(r.experimentId())
                    .map(s -> Submitted.of(Taken.REFUSED, "experiment " + r.experimentId() + " has already ended ("
                            + s.status.name().toLowerCase(Locale.ROOT) + "): nothing to cancel"))
                    .orElse(Submitted.of(Taken.REFUSED, "no experiment " + r.experimentId()));
        } catch (RuntimeException ex) {
            if (Transient.in(ex)) {
                return Submitted.of(Taken.RETRY, ex.getMessage());
            }
            throw ex;
        }
    }

    /** {@code GET /experiments}: a page of every stored experiment, newest submission first. */
    public Map<String, Object> list(int offset, int limit) {
        return status.list(offset, limit);
    }

    /** The same page of only the experiments in state {@code only} (null: all): the web page's filter. */
    public Map<String, Object> list(int offset, int limit, ExperimentState.Status only) {
        return status.list(offset, limit, only);
    }
}
