package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Json;
import dev.simclr.core.store.ObjectStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.awaitility.Awaitility;

/** What the fault drills on the embedded stack share: a small experiment, its end, and comparing two of them. */
final class StackDrill {
    static final Duration PATIENCE = Duration.ofMinutes(6);

    private StackDrill() {}

    /**
     * A small transfer study (pretraining, two class counts) on {@code dataset}, never reusing earlier runs; SGD at
     * {@code learningRate} (0.1 once diverged to a NaN loss on this tiny encoder: keep drills that compare two runs
     * lower).
     */
    static String submit(String eval, String dataset, String name, int pretrainEpochs, double learningRate)
            throws Exception {
        return submit(eval, dataset, name, "in-process", pretrainEpochs, learningRate);
    }

    /** {@link #submit(String, String, String, int, double)} with the pretraining's views from {@code views}. */
    static String submit(String eval, String dataset, String name, String views, int pretrainEpochs,
                         double learningRate) throws Exception {
        String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        String spec = """
                {"studies": ["transfer-classes-batch"], "seeds": [1],
                 "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": %d, "batchSize": 32, "policy": "crop+flip", "temperature": 0.5,
                              "projectionLayers": 2, "views": "%s",
                              "optimizer": {"name": "sgd", "learningRate": %s, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": true, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [2, 4], "batchSizes": [16], "epochs": 2}, "fresh": true}
                """.formatted(dataset, pretrainEpochs, views, Double.toString(learningRate));
        HttpResponse<String> posted = EvalHttp.submit(eval, id, "drill", spec);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        return id;
    }

    /** The experiment's status once it is no longer running. */
    static JsonNode awaitEnd(String eval, String id) {
        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode s = EvalHttp.status(eval, id);
            return s != null && !s.path("status").asText().equals("RUNNING");
        });
        return EvalHttp.status(eval, id);
    }

    /** Both experiments computed the same runs with the same metrics (times and speeds aside). */
    static Map<String, String> assertSameMetrics(ObjectStore store, String reference, String other) throws Exception {
        JsonNode refRuns = Json.MAPPER.readTree(store.get("reports/" + reference + "/results.json")).path("runs");
        JsonNode gotRuns = Json.MAPPER.readTree(store.get("reports/" + other + "/results.json")).path("runs");
        Map<String, String> pairs = pairRuns(refRuns, gotRuns);
        assertThat(pairs).hasSize(refRuns.size()).hasSize(gotRuns.size());
        Map<String, JsonNode> byId = new HashMap<>();
        refRuns.forEach(r -> byId.put(r.path("runId").asText(), r));
        gotRuns.forEach(r -> byId.put(r.path("runId").asText(), r));
        pairs.forEach((ref, got) -> assertThat(metrics(byId.get(got))).as("metrics of %s vs %s", got, ref)
                .isNotEmpty().isEqualTo(metrics(byId.get(ref))));
        return pairs;
    }

    /** Runs of the two experiments paired by what they compute (stage, study, labels): reference id → other id. */
    static Map<String, String> pairRuns(JsonNode reference, JsonNode other) {
        Map<String, String> byWhat = new HashMap<>();
        other.forEach(r -> byWhat.put(what(r), r.path("runId").asText()));
        Map<String, String> pairs = new TreeMap<>();
        reference.forEach(r -> {
            assertThat(byWhat).as("a run like %s", r).containsKey(what(r));
            pairs.put(r.path("runId").asText(), byWhat.get(what(r)));
        });
        return pairs;
    }

    private static String what(JsonNode run) {
        return run.path("stage").asText() + "|" + run.path("study").asText() + "|" + run.path("labels");
    }

    /** A result's metrics without what measures time or speed. */
    static Map<String, Double> metrics(JsonNode result) {
        Map<String, Double> m = new TreeMap<>();
        result.path("metrics").fields().forEachRemaining(e -> {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (!k.contains("second") && !k.contains("time")) {
                m.put(e.getKey(), e.getValue().asDouble());
            }
        });
        return m;
    }

    /** kill -9, and wait until it is gone. */
    static void kill(long pid) throws Exception {
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get();
    }

    static String since(long t0) {
        return String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9);
    }
}
