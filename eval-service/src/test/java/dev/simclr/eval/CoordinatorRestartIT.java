package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.infra.Ports;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.ServiceProcesses;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * eval-service killed with SIGKILL while an experiment is half done, then started again: the experiment goes on
 * from its stored state and completes, and no run that had finished is trained again (its stored result is the
 * same object). eval-service and trainer-service run as processes; named to run before the @QuarkusTest classes.
 */
class CoordinatorRestartIT {
    private final ServiceProcesses processes = new ServiceProcesses();

    @AfterEach
    void stop() {
        processes.close();
    }

    @Test
    void aKilledCoordinatorGoesOnWithoutRedoingFinishedRuns() throws Exception {
        ObjectStore store = new ObjectStore(TestInfrastructure.get());
        String dataset = TestImages.publishStripes(store, "restart-it");
        Path logs = Files.createTempDirectory("restart-it");
        int port = Ports.free();
        processes.start("trainer-service", Ports.free(), Map.of(), logs.resolve("trainer.log"));
        Process eval = processes.start("eval-service", port, Map.of(), logs.resolve("eval-1.log"));
        String spec = """
                {"studies": ["transfer-classes-batch"], "seeds": [1, 2, 3],
                 "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": 2, "batchSize": 16, "policy": "crop+flip", "temperature": 0.5,
                              "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": true, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [2, 4], "batchSizes": [8, 16], "epochs": 2}}
                """.formatted(dataset);
        String id = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> posted = EvalHttp.submit("http://127.0.0.1:" + port, id, "restart", spec);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

        // kill -9 once some runs are finished and some are not
        Map<String, String> finishedBefore = new LinkedHashMap<>();
        RunStore runs = new RunStore(store);
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode s = status(port, id);
            if (s == null) {
                return false;
            }
            List<String> done = new ArrayList<>();
            s.path("runs").forEach(r -> {
                if (r.path("status").asText().equals("COMPLETED")) {
                    done.add(r.path("runId").asText());
                }
            });
            if (done.size() >= 3 && done.size() < s.path("runs").size()) {
                done.forEach(r -> finishedBefore.put(r, runs.result(r).orElseThrow().toString()));
                return true;
            }
            return false;
        });
        eval.destroyForcibly().waitFor();
        processes.start("eval-service", port, Map.of(), logs.resolve("eval-2.log"));
        Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode s = status(port, id);
            return s != null && !s.path("status").asText().equals("RUNNING");
        });
        JsonNode end = status(port, id);
        assertThat(end.path("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
        finishedBefore.forEach((run, result) -> assertThat(runs.result(run).orElseThrow().toString())
                .as("result of %s, finished before the kill", run).isEqualTo(result));
        assertThat(store.exists("reports/" + id + "/results.md")).isTrue();
        assertThat(Files.readString(logs.resolve("eval-2.log"))).contains("taken up again");
    }

    private static JsonNode status(int port, String id) {
        return EvalHttp.status("http://127.0.0.1:" + port, id);
    }
}
