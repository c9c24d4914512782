package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.Topics;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.ServiceProcesses;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestInfrastructure;
import dev.simclr.core.testing.TestKafka;
import dev.simclr.infra.Ports;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /experiments/{id}} while a pretraining is under way (eval-service and trainer-service as processes,
 * 2-second slices): the experiment is cancelled with an experiment-cancelled event, the run stops within a slice,
 * its last checkpoint is whole, nothing after it is issued; a second cancel is a conflict, an unknown id not found.
 */
class CancelIT {
    private final ServiceProcesses processes = new ServiceProcesses();

    @AfterEach
    void stop() {
        processes.close();
    }

    @Test
    void aCancelledExperimentStopsWithinASliceAndLeavesWholeCheckpoints() throws Exception {
        ObjectStore store = new ObjectStore(TestInfrastructure.get());
        String dataset = TestImages.publishStripes(store, "cancel-it");
        Path logs = Files.createTempDirectory("cancel-it");
        int port = Ports.free();
        processes.start("trainer-service", Ports.free(), Map.of("TRAINER_SLICE_SECONDS", "2"),
                logs.resolve("trainer.log"));
        processes.start("eval-service", port, Map.of(), logs.resolve("eval.log"));
        String eval = "http://127.0.0.1:" + port;
        String id = "cancel-" + UUID.randomUUID().toString().substring(0, 8);
        String spec = """
                {"studies": ["transfer-classes-batch"], "seeds": [1], "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": 200, "batchSize": 16, "policy": "crop", "temperature": 0.5,
                              "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [4], "batchSizes": [16], "epochs": 1}}
                """.formatted(dataset);
        HttpResponse<String> posted = EvalHttp.submit(eval, id, "cancel", spec);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        String[] pretrain = new String[1];
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode s = status(eval, id);
            for (JsonNode r : s == null ? Json.MAPPER.createArrayNode() : s.path("runs")) {
                if (r.path("stage").asText().equals("pretrain") && r.path("step").asLong() > 0) {
                    pretrain[0] = r.path("runId").asText();
                    return true;
                }
            }
            return false;
        });

        HttpResponse<String> cancelled = send(HttpRequest.newBuilder(URI.create(eval + "/experiments/" + id
                + "?reason=wrong%20spec")).DELETE());
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
        var event = TestKafka.await(Topics.EXPERIMENT_EVENTS, r -> id.equals(r.key())
                && r.value().contains("experiment-cancelled"), Duration.ofSeconds(60));
        assertThat(event.value()).contains("\"reason\":\"wrong spec\"").contains("\"runsDone\":0")
                .contains("\"runsCancelled\":2");
        JsonNode end = status(eval, id);
        assertThat(end.path("status").asText()).isEqualTo("CANCELLED");

        // the slice under way ends (2 s, a checkpoint), then nothing more of the run
        RunStore runs = new RunStore(store);
        Thread.sleep(6_000);
        RunStore.Latest last = runs.latest(pretrain[0]).orElseThrow();
        Thread.sleep(8_000);
        assertThat(runs.latest(pretrain[0]).orElseThrow()).as("no slice after the cancellation").isEqualTo(last);
        assertThat(last.step()).isLessThan(200L * 4);
        assertThat(store.exists(RunStore.resultKey(pretrain[0]))).isFalse();
        // whole: every checkpoint left reads back with the sha256 it was written with
        for (String key : store.list(RunStore.prefix(pretrain[0]) + "checkpoints/")) {
            assertThat(runs.loadByKey("checkpoint", key)).isNotNull();
        }
        assertThat(store.get(last.key(), last.sha256())).hasSize((int) last.bytes());
        // an ended experiment still says what each run was: the evaluation never issued
        assertThat(status(eval, id).path("runs")).hasSize(2)
                .filteredOn(r -> r.path("stage").asText().equals("eval"))
                .singleElement().satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("PLANNED"));

        HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(eval + "/experiments/" + id)).DELETE());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("has already ended (cancelled)");
        assertThat(send(HttpRequest.newBuilder(URI.create(eval + "/experiments/no-such-one")).DELETE())
                .statusCode()).isEqualTo(404);
        JsonNode list = Json.MAPPER.readTree(send(HttpRequest.newBuilder(URI.create(eval + "/experiments"))).body());
        assertThat(list.path("experiments")).anySatisfy(e -> {
            assertThat(e.path("experimentId").asText()).isEqualTo(id);
            assertThat(e.path("status").asText()).isEqualTo("CANCELLED");
        });
        assertThat(Files.readString(logs.resolve("trainer.log"))).contains("is cancelled, the run stops here");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return EvalHttp.send(request);
    }

    private static JsonNode status(String eval, String id) {
        return EvalHttp.status(eval, id);
    }
}
