package dev.simclr.eval.coordinator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentCompleted;
import dev.simclr.contracts.ExperimentFailed;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import dev.simclr.eval.report.Report;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * Runs experiments: plans each as a DAG of runs ({@link Planner}), issues a run when its inputs exist, notices a
 * run's end by its stored result (so nothing is missed across restarts), retries a failed run up to
 * {@code maxAttempts}, fails the experiment with the reasons when it cannot go on, and writes the report at the end.
 * State lives in object storage ({@code experiments/<id>/}); requests go out at least once — a duplicate is
 * harmless, a finished run answers from its result and a running one continues from its checkpoint.
 */
public final class Coordinator {
    private static final Logger LOG = Logger.getLogger(Coordinator.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Where the coordinator's messages go: run requests and experiment events. */
    public interface Outbox {
        void request(String topic, String key, String json);

        void experiment(String experimentId, Event event);
    }

    private final ObjectStore store;
    private final RunStore runs;
    private final DatasetStore datasets;
    private final Outbox outbox;
    private final int maxAttempts;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final Map<String, RunProgress> progress = new ConcurrentHashMap<>();
    // instants from run events, by run id, taken into the state by the next pass (the event thread takes no lock)
    private final Map<String, Instant> startedSeen = new ConcurrentHashMap<>();
    private final Map<String, Instant> firstStepSeen = new ConcurrentHashMap<>();
    private volatile Runnable wake = () -> { };

    private record Active(ExperimentSubmitted submitted, ExperimentSpec spec, List<Planner.Node> plan,
                          List<Planner.Node> issueOrder, ExperimentState state, Map<String, RunCompleted> results,
                          long[] lastPoll) {
        Active(ExperimentSubmitted submitted, ExperimentSpec spec, List<Planner.Node> plan, ExperimentState state) {
            this(submitted, spec, plan, Planner.issueOrder(plan), state, new ConcurrentHashMap<>(), new long[] {0});
        }
    }

    private static final long POLL_NANOS = 5_000_000_000L;
    /** Run events stamped this long before the request was issued belong to an earlier attempt. */
    private static final java.time.Duration STALE_TOLERANCE = java.time.Duration.ofSeconds(2);

    public Coordinator(ObjectStore store, Outbox outbox, int maxAttempts) {
        this.store = store;
        this.runs = new RunStore(store);
        this.datasets = new DatasetStore(store);
        this.outbox = outbox;
        this.maxAttempts = maxAttempts;
    }

    /** What to call when a run ends, so the next pass comes now rather than at the next clock tick. */
    public void wakeWith(Runnable wake) {
        this.wake = wake;
    }

    public static String submittedKey(String id) {
        return "experiments/" + id + "/submitted.json";
    }

    public static String stateKey(String id) {
        return "experiments/" + id + "/state.json";
    }

    /**
     * Accepts an experiment sent at {@code sentAt} (its Kafka record's timestamp); returns every problem of a spec
     * that cannot run (nothing is stored then). The same id submitted again is not planned twice.
     */
    public synchronized List<String> submit(ExperimentSubmitted e, Instant sentAt) {
        if (e.experimentId() == null || !e.experimentId().matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            return List.of("experimentId: lower-case letters, digits, '.', '_' and '-', at most 63, got '"
                    + e.experimentId() + "'");
        }
        if (active.containsKey(e.experimentId()) || store.exists(submittedKey(e.experimentId()))) {
            LOG.infof("experiment %s was submitted before: not planned again", e.experimentId());
            return List.of();
        }
        ExperimentSpec spec;
        try {
            spec = ExperimentSpec.read(e.spec());
        } catch (IllegalArgumentException ex) {
            return List.of(ex.getMessage());
        }
        List<String> problems = new ArrayList<>(spec.problems());
        if (!problems.isEmpty()) {
            return problems;
        }
        Planner.Datasets data;
        try {
            data = prepareDatasets(spec);
        } catch (RuntimeException ex) {
            return List.of("dataset: " + ex.getMessage());
        }
        List<Planner.Node> plan = Planner.plan(e.experimentId(), spec, data);
        if (plan.size() > ExperimentSpec.MAX_RUNS) {
            return List.of("the spec plans " + plan.size() + " runs, more than " + ExperimentSpec.MAX_RUNS
                    + ": fewer seeds, policies, students or batch sizes");
        }
        ExperimentState state = new ExperimentState();
        state.experimentId = e.experimentId();
        state.submittedAt = sentAt;
        state.plannedAt = Instant.now();
        plan.forEach(n -> state.runs.put(n.runId(), new ExperimentState.Run()));
        put(submittedKey(e.experimentId()), EventCodec.encode(e).getBytes());
        save(state);
        active.put(e.experimentId(), new Active(e, spec, plan, state));
        LOG.infof("experiment %s planned: %d runs", e.experimentId(), plan.size());
        tick();
        return List.of();
    }

    /** After a restart: every experiment still running is taken up again from its stored state. */
    public synchronized void recover() {
        for (String key : store.list("experiments/")) {
            if (!key.endsWith("/state.json")) {
                continue;
            }
            ExperimentState state = read(key, ExperimentState.class);
            if (state.status != ExperimentState.Status.RUNNING || active.containsKey(state.experimentId)) {
                continue;
            }
            ExperimentSubmitted e = EventCodec.decode(new String(store.get(submittedKey(state.experimentId))),
                    ExperimentSubmitted.class);
            ExperimentSpec spec = ExperimentSpec.read(e.spec());
            List<Planner.Node> plan = Planner.plan(e.experimentId(), spec, prepareDatasets(spec));
            active.put(e.experimentId(), new Active(e, spec, plan, state));
            LOG.infof("experiment %s taken up again", e.experimentId());
        }
    }

    public void runFailed(RunFailed f) {
        synchronized (this) {
            Active a = f.experimentId() == null ? null : active.get(f.experimentId());
            if (a == null || f.runId() == null || !a.state().runs.containsKey(f.runId())) {
                return;
            }
            ExperimentState.Run run = a.state().runs.get(f.runId());
            if (run.status == ExperimentState.RunStatus.ISSUED) {
                run.status = ExperimentState.RunStatus.FAILED;
                run.lastError = f.reason();
                save(a.state());
            }
        }
        wake.run();
    }

    /**
     * A run-completed event: taken at once (the stored result is what counts; it is also polled for), and a pass
     * run now to issue what waited for it. No lock: the event thread never waits for a pass.
     */
    public void runCompleted(RunCompleted c) {
        Active a = c.experimentId() == null ? null : active.get(c.experimentId());
        if (a != null && a.state().runs.containsKey(c.runId())) {
            a.results().put(c.runId(), c);
            progress.remove(c.runId());
            wake.run();
        }
    }

    /** A worker took a run up: the earliest instant since the last pass is kept for it. */
    public void runStarted(RunStarted s) {
        if (s.experimentId() != null && s.runId() != null && active.containsKey(s.experimentId())) {
            startedSeen.merge(s.runId(), s.at(), (x, y) -> x.isBefore(y) ? x : y);
        }
    }

    public void progress(RunProgress p) {
        progress.put(p.runId(), p);
        if (p.experimentId() != null && active.containsKey(p.experimentId())) {
            firstStepSeen.merge(p.runId(), p.at(), (x, y) -> x.isBefore(y) ? x : y);
        }
    }

    /** The experiments under way. */
    public int experimentsRunning() {
        return active.size();
    }

    /** The runs of the experiments under way with the given status. */
    public synchronized long runs(ExperimentState.RunStatus status) {
        return active.values().stream().flatMap(a -> a.state().runs.values().stream())
                .filter(r -> r.status == status).count();
    }

    /** One pass over every running experiment: notice results, issue what is ready, retry, finish. */
    public synchronized void tick() {
        for (Active a : List.copyOf(active.values())) {
            try {
                tick(a);
            } catch (RuntimeException ex) {
                LOG.errorf(ex, "experiment %s: coordination failed this pass", a.state().experimentId);
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
            changed |= takeInstants(n.runId(), run);
            if (run.status == ExperimentState.RunStatus.COMPLETED) {
                a.results().computeIfAbsent(n.runId(), k -> result(k).orElseThrow());
                continue;
            }
            Optional<RunCompleted> done = run.status == ExperimentState.RunStatus.PLANNED ? Optional.empty()
                    : a.results().containsKey(n.runId()) ? Optional.of(a.results().get(n.runId()))
                    : poll ? result(n.runId()) : Optional.empty();
            if (done.isPresent()) {
                run.status = ExperimentState.RunStatus.COMPLETED;
                run.completedAt = done.get().at() != null ? done.get().at() : Instant.now();
                run.noticedAt = Instant.now();
                a.results().put(n.runId(), done.get());
                changed = true;
                continue;
            }
            if (run.status == ExperimentState.RunStatus.FAILED) {
                if (run.attempts >= maxAttempts) {
                    st.reasons.add(n.runId() + " (" + n.stage().wireName() + " " + n.labels() + ") failed "
                            + run.attempts + " times: " + run.lastError);
                    end(st, ExperimentState.Status.FAILED, new ExperimentFailed(Event.SCHEMA_VERSION,
                            st.experimentId, List.copyOf(st.reasons), Instant.now()));
                    return;
                }
                issue(a, n, run);
                changed = true;
            } else if (run.status == ExperimentState.RunStatus.PLANNED
                    && n.needs().stream().allMatch(a.results()::containsKey)) {
                issue(a, n, run);
                changed = true;
            }
        }
        if (st.runs.values().stream().allMatch(r -> r.status == ExperimentState.RunStatus.COMPLETED)) {
            Report.of(a.submitted(), a.spec(), a.plan(), a.results(), lineage(a), st).publish(store);
            end(st, ExperimentState.Status.COMPLETED, new ExperimentCompleted(Event.SCHEMA_VERSION,
                    st.experimentId, Report.prefix(st.experimentId), Instant.now()));
            LOG.infof("experiment %s completed: report under %s", st.experimentId, Report.prefix(st.experimentId));
            return;
        }
        if (changed) {
            save(st);
        }
    }

    private void issue(Active a, Planner.Node n, ExperimentState.Run run) {
        Event request = n.request().apply(a.results());
        // taken before the send: a worker in this process can start the run before the send returns
        Instant issuedAt = Instant.now();
        outbox.request(n.topic(), n.runId(), EventCodec.encode(request));
        run.status = ExperimentState.RunStatus.ISSUED;
        run.attempts++;
        run.issuedAt = issuedAt;
        run.startedAt = null;
        run.firstStepAt = null;
        run.completedAt = null;
        run.noticedAt = null;
    }

    /**
     * The run-started and first-progress instants seen since the last pass, kept for an issued run that has none
     * yet; older ones (a previous attempt's, from before this issue) are dropped. True when the state changed.
     */
    private boolean takeInstants(String runId, ExperimentState.Run run) {
        Instant started = startedSeen.remove(runId);
        Instant firstStep = firstStepSeen.remove(runId);
        if (run.status != ExperimentState.RunStatus.ISSUED || run.issuedAt == null) {
            return false;
        }
        Instant earliest = run.issuedAt.minus(STALE_TOLERANCE);
        boolean changed = false;
        if (run.startedAt == null && started != null && !started.isBefore(earliest)) {
            run.startedAt = started;
            changed = true;
        }
        if (run.firstStepAt == null && firstStep != null && !firstStep.isBefore(earliest)) {
            run.firstStepAt = firstStep;
            changed = true;
        }
        return changed;
    }

    /** The experiment is over: its final state stored, then the event that says so. */
    private void end(ExperimentState st, ExperimentState.Status status, Event event) {
        st.status = status;
        st.finishedAt = Instant.now();
        save(st);
        active.remove(st.experimentId);
        outbox.experiment(st.experimentId, event);
    }

    /** What GET /experiments/{id} and the CLI show: state, and per run its stage, labels, status and progress. */
    public Optional<Map<String, Object>> describe(String id) {
        Active a = active.get(id);
        ExperimentState state = a != null ? a.state()
                : store.getIfExists(stateKey(id)).map(b -> read(b, ExperimentState.class)).orElse(null);
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
            RunProgress p = progress.get(runId);
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

    /**
     * The datasets the plan uses: the main one sampled to {@code sample} of every split (when below 1), and for
     * the transfer study a class subset per class count (the first k classes), sampled the same way — of the main
     * dataset and of each of {@code transfer.datasets} (sampled to its own {@code sample}, whole by default).
     */
    private Planner.Datasets prepareDatasets(ExperimentSpec spec) {
        DatasetRef root = spec.dataset();
        DatasetManifest m = datasets.requireManifest(root.name(), root.version());
        double sample = spec.sample() == null ? 1.0 : spec.sample();
        DatasetRef main = sampled(root, sample);
        Map<String, Map<Integer, DatasetRef>> transfer = new LinkedHashMap<>();
        if (spec.transfer() != null && spec.studies().contains(ExperimentSpec.TRANSFER)) {
            transfer.put(root.name(), classSubsets(root, m, spec.transfer().classCounts(), sample));
            if (spec.transfer().datasets() != null) {
                for (ExperimentSpec.TransferDataset d : spec.transfer().datasets()) {
                    DatasetManifest dm = datasets.requireManifest(d.name(), d.version());
                    if (dm.imageShape().channels() != m.imageShape().channels()) {
                        throw new IllegalArgumentException("transfer dataset " + d.name() + " has "
                                + dm.imageShape().channels() + "-channel images, the encoder is pretrained on "
                                + m.imageShape().channels() + "-channel " + root.name());
                    }
                    transfer.put(d.name(), classSubsets(d.ref(), dm, d.classCounts() != null ? d.classCounts()
                            : spec.transfer().classCounts(), d.sample() == null ? 1.0 : d.sample()));
                }
            }
        }
        return new Planner.Datasets(main, transfer);
    }

    private Map<Integer, DatasetRef> classSubsets(DatasetRef root, DatasetManifest m, List<Integer> classCounts,
                                                  double sample) {
        Map<Integer, DatasetRef> byClasses = new TreeMap<>();
        for (int k : classCounts) {
            if (k > m.classNames().size()) {
                throw new IllegalArgumentException(root.name() + " has " + m.classNames().size()
                        + " classes, the transfer study asks for " + k);
            }
            DatasetRef subset = root;
            if (k < m.classNames().size()) {
                String name = root.name() + "-classes-" + k;
                if (datasets.manifest(name, root.version()).isEmpty()) {
                    datasets.deriveClassSubset(root.name(), root.version(), name,
                            IntStream.range(0, k).boxed().toList());
                }
                subset = new DatasetRef(name, root.version());
            }
            byClasses.put(k, sampled(subset, sample));
        }
        return byClasses;
    }

    private DatasetRef sampled(DatasetRef ref, double sample) {
        if (sample >= 1) {
            return ref;
        }
        String name = ref.name() + "-sample-" + Math.round(sample * 10000) + "bp";
        if (datasets.manifest(name, ref.version()).isEmpty()) {
            datasets.deriveSample(ref.name(), ref.version(), name, sample, 0);
        }
        return new DatasetRef(name, ref.version());
    }

    /** The datasets the runs read, with every shard's sha256, and the code that ran them. */
    private Map<String, Object> lineage(Active a) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> data = new TreeMap<>();
        for (Planner.Node n : a.plan()) {
            Event request = n.request().apply(a.results());
            for (DatasetRef ref : datasetsOf(request)) {
                data.computeIfAbsent(ref.name() + "/" + ref.version(), k -> {
                    DatasetManifest m = datasets.requireManifest(ref.name(), ref.version());
                    DatasetManifest root = m.parent() == null ? m
                            : datasets.requireManifest(m.parent().name(), m.parent().version());
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("parent", m.parent() == null ? null : m.parent().name() + "/" + m.parent().version());
                    d.put("source", m.source());
                    Map<String, String> shards = new TreeMap<>();
                    root.splits().values().forEach(s -> s.shards().forEach(sh -> shards.put(sh.key(), sh.sha256())));
                    d.put("shards", shards);
                    return d;
                });
            }
        }
        out.put("datasets", data);
        out.put("codeVersion", System.getenv().getOrDefault("SIMCLR_CODE_VERSION", "unknown"));
        return out;
    }

    private static List<DatasetRef> datasetsOf(Event request) {
        if (request instanceof dev.simclr.contracts.TrainRequested t) {
            return List.of(t.dataset());
        }
        if (request instanceof dev.simclr.contracts.DistillRequested d) {
            return List.of(d.unlabelled(), d.labelled());
        }
        if (request instanceof dev.simclr.contracts.EvalRequested e) {
            return List.of(e.dataset());
        }
        return List.of();
    }

    private Optional<RunCompleted> result(String runId) {
        return runs.result(runId).map(j -> EventCodec.decode(j.toString(), RunCompleted.class));
    }

    private void save(ExperimentState state) {
        try {
            put(stateKey(state.experimentId), JSON.writeValueAsBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void put(String key, byte[] bytes) {
        store.put(key, bytes, "application/json");
    }

    private <T> T read(String key, Class<T> type) {
        return read(store.get(key), type);
    }

    private static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
