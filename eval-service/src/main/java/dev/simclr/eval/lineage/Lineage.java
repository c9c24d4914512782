package dev.simclr.eval.lineage;

import dev.simclr.contracts.CodeVersion;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.run.RunStore;
import dev.simclr.eval.plan.Planner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where an experiment's numbers come from: the datasets its runs read, with every shard's sha256; the coordinator's
 * code version (each run's worker version is in its completion); each checkpoint's sha256.
 */
public final class Lineage {
    private final DatasetStore datasets;
    private final RunStore runs;

    public Lineage(DatasetStore datasets, RunStore runs) {
        this.datasets = datasets;
        this.runs = runs;
    }

    /**
     * {@code reusedFrom}: the runs another experiment finished (its request ran the last slice; the run's id says
     * what it computes, so it is the same run this experiment asked for), by that experiment's id.
     */
    public Map<String, Object> of(String experimentId, List<Planner.Node> plan, Map<String, RunCompleted> results) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> data = new TreeMap<>();
        for (Planner.Node n : plan) {
            Event request = n.request().apply(results);
            for (DatasetRef ref : datasetsOf(request)) {
                data.computeIfAbsent(ref.name() + "/" + ref.version(), k -> dataset(ref));
            }
        }
        out.put("datasets", data);
        out.put("codeVersion", CodeVersion.current());
        // the checkpoint a run's result names, by the sha256 its manifest holds
        Map<String, String> checkpoints = new TreeMap<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            if (r != null && r.checkpointKey() != null) {
                runs.latest(n.runId()).filter(l -> l.key().equals(r.checkpointKey()))
                        .ifPresent(l -> checkpoints.put(n.runId(), l.sha256()));
            }
        }
        out.put("checkpointSha256", checkpoints);
        Map<String, String> reused = new TreeMap<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            if (r != null && r.experimentId() != null && !r.experimentId().equals(experimentId)) {
                reused.put(n.runId(), r.experimentId());
            }
        }
        out.put("reusedFrom", reused);
        return out;
    }

    private Map<String, Object> dataset(DatasetRef ref) {
        DatasetManifest m = datasets.requireManifest(ref.name(), ref.version());
        DatasetManifest root = m.parent() == null ? m
                : datasets.requireManifest(m.parent().name(), m.parent().version());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("parent", m.parent() == null ? null : m.parent().name() + "/" + m.parent().version());
        d.put("source", m.source());
        d.put("channels", m.imageShape().channels());
        Map<String, Integer> images = new TreeMap<>();
        m.splits().forEach((split, sp) -> images.put(split, sp.count()));
        d.put("images", images);
        Map<String, String> shards = new TreeMap<>();
        root.splits().values().forEach(s -> s.shards().forEach(sh -> shards.put(sh.key(), sh.sha256())));
        d.put("shards", shards);
        return d;
    }

    private static List<DatasetRef> datasetsOf(Event request) {
        if (request instanceof TrainRequested t) {
            return List.of(t.dataset());
        }
        if (request instanceof DistillRequested d) {
            return List.of(d.unlabelled(), d.labelled());
        }
        if (request instanceof EvalRequested e) {
            return List.of(e.dataset());
        }
        return List.of();
    }
}
