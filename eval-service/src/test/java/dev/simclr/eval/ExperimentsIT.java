package dev.simclr.eval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simclr.contracts.CodeVersion;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentFailed;
import dev.simclr.contracts.Topics;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.Importers;
import dev.simclr.infra.Ports;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.InfrastructureResource;
import dev.simclr.core.testing.ServiceProcesses;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One submitted experiment runs the three studies end to end on the real broker and S3 server: eval-service here
 * (coordinator and evaluations), trainer-service and distill-service as their own processes. The report holds the
 * three tables with mean ± CI over two seeds. Bad specs are refused with every reason, over REST (400) and over
 * plain Kafka (experiment-failed).
 */
@QuarkusTest
@QuarkusTestResource(InfrastructureResource.class)
class ExperimentsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ServiceProcesses WORKERS = new ServiceProcesses();

    @Inject
    ObjectStore store;

    private static boolean workersStarted;
    private static int trainerPort;

    /** trainer-service and distill-service as their own processes, once for the class's tests. */
    static synchronized void startWorkers() throws Exception {
        if (!workersStarted) {
            Path logs = Files.createTempDirectory("experiments-it");
            trainerPort = Ports.free();
            WORKERS.start("trainer-service", trainerPort, Map.of(), logs.resolve("trainer-service.log"));
            WORKERS.start("distill-service", Ports.free(), Map.of(), logs.resolve("distill-service.log"));
            workersStarted = true;
        }
    }

    @AfterAll
    static void stopWorkers() {
        WORKERS.close();
    }

    @Test
    void threeStudiesFromOneSubmission() throws Exception {
        String dataset = publish();
        // sklearn's digits (Debian's python3-sklearn; .ci/run installs it) as a second transfer domain, enlarged to
        // the encoder's 16×16 here, half of it, two classes only (4 more evaluations: the suite's time)
        String digits = Files.isRegularFile(Importers.SKLEARN_DIGITS) ? dataset + "-digits" : null;
        if (digits != null) {
            Importers.digits(new DatasetStore(store), digits, "v1", Importers.SKLEARN_DIGITS, 16);
        }
        startWorkers();
        String spec = """
                {"studies": ["augmentation-ablation", "distillation-architecture", "transfer-classes-batch"],
                 "seeds": [1, 2], "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": 1, "batchSize": 16, "policy": "simclr", "temperature": 0.5,
                              "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0.0001,
                                            "nesterov": true, "warmupEpochs": 0, "lrScaling": "none"}},
                 "finetune": {"epochs": 1, "batchSize": 16, "labelFraction": 1.0, "policies": ["none", "crop"],
                              "optimizer": {"name": "adam", "learningRate": 0.01, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "distill": {"teacherPolicy": "crop", "students": [{"family": "vgg", "depth": 11, "width": 0.125}],
                             "modes": ["full", "frozen-base"], "denseHidden": [16], "temperature": 4.0, "alpha": 0.0,
                             "epochs": 1, "batchSize": 16, "patienceEpochs": 1,
                             "optimizer": {"name": "adam", "learningRate": 0.01, "momentum": 0.9, "weightDecay": 0,
                                           "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [2, 4], "batchSizes": [8, 16], "epochs": 2%s}}
                """.formatted(dataset, digits == null ? "" : ", \"datasets\": [{\"name\": \"" + digits
                + "\", \"version\": \"v1\", \"sample\": 0.5, \"classCounts\": [2]}]");
        String id = "it-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType("application/json").body(Map.of("experimentId", id, "recipe", "it",
                        "spec", JSON.readTree(spec)))
                .post("/experiments").then().statusCode(202);
        Awaitility.await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            var r = given().get("/experiments/" + id);
            return r.statusCode() == 200 && !"RUNNING".equals(r.jsonPath().getString("status"));
        });
        JsonNode state = JSON.readTree(given().get("/experiments/" + id).asString());
        assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("COMPLETED");
        String md = new String(store.get("reports/" + id + "/results.md"), StandardCharsets.UTF_8);
        assertThat(md).contains("## augmentation-ablation").contains("## distillation-architecture")
                .contains("## transfer-classes-batch").contains("| none |").contains("vgg11 ×0.125, frozen-base")
                .contains("batch 8").contains("±");
        for (String file : List.of("results.csv", "results.json", "report.html", "augmentation-ablation.png",
                "augmentation-ablation.svg", "transfer-classes-batch.png", "distillation-architecture.svg")) {
            assertThat(store.exists("reports/" + id + "/" + file)).as(file).isTrue();
        }
        if (digits != null) {
            assertThat(md).contains("| " + digits + " / 2 |").doesNotContain("| " + digits + " / 4 |")
                    .contains("| " + dataset + " / 4 |");
        }
        // the coordinator's instants: every run issued, started by its worker and completed
        assertThat(md).contains("## coordination").contains("submit → first run started");
        JsonNode results = JSON.readTree(store.get("reports/" + id + "/results.json"));
        assertThat(results.path("runs")).allSatisfy(r -> assertThat(r.path("times").path("started").isNumber())
                .as(r.toString()).isTrue());
        // lineage per run: the worker's code version, the exact request, the checkpoint's sha256 where it has one
        assertThat(results.path("runs")).allSatisfy(r -> {
            // (CodeVersionTest checks the stamp against git where the build had a checkout)
            assertThat(r.path("codeVersion").asText()).as(r.toString()).isEqualTo(CodeVersion.current());
            assertThat(r.path("request").path("runId").asText()).isEqualTo(r.path("runId").asText());
            if (!r.path("checkpointKey").isNull()) {
                assertThat(r.path("checkpointSha256").asText()).isEqualTo(dev.simclr.core.store.Sha256.hex(
                        store.get(r.path("checkpointKey").asText())));
            }
        });
        assertThat(results.path("timing").path("completeToIssue").path("maxSeconds").asDouble()).isLessThan(5);
        String html = new String(store.get("reports/" + id + "/report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("<svg").contains("shards").contains("CPU s").contains("issued → started");
        var done = TestKafka.await(Topics.EXPERIMENT_EVENTS, r -> id.equals(r.key()), Duration.ofSeconds(30));
        assertThat(done.value()).contains("experiment-completed");
        // ./simclr export of a pretraining: encoder.npz as stored, the loader, TorchScript where python3-torch is
        String pretrain = null;
        for (JsonNode r : results.path("runs")) {
            pretrain = r.path("stage").asText().equals("pretrain") ? r.path("runId").asText() : pretrain;
        }
        Path exports = Files.createTempDirectory("exports");
        List<Path> files = dev.simclr.launcher.cli.ExportCommand.export(store, pretrain, exports,
                dev.simclr.infra.RepoLayout.locate().root(), new int[] {16, 16},
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertThat(Files.readAllBytes(exports.resolve(pretrain).resolve("encoder.npz")))
                .isEqualTo(store.get(dev.simclr.core.run.RunStore.encoderKey(pretrain)));
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("encoder.npz", "load_encoder.py");
        // with torch, the script has loaded the saved TorchScript again and compared its features with the loader's
        assertThat(Files.isRegularFile(exports.resolve(pretrain).resolve("encoder.pt")))
                .isEqualTo(dev.simclr.launcher.cli.ExportCommand.torchAvailable());
        // ./simclr embed: the test split's features under that encoder, in S3 and locally; where torch is, the
        // exported encoder in PyTorch gives the same features from the same uint8 images (load_encoder.py normalises)
        var test = new DatasetStore(store).load(dataset, "v1", "test");
        List<Path> embedded = dev.simclr.launcher.cli.EmbedCommand.embed(store, pretrain,
                new dev.simclr.contracts.DatasetRef(dataset, "v1"), "test", exports, "cpu",
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        var features = dev.simclr.core.npy.Npy.read(Files.readAllBytes(embedded.get(0)));
        assertThat(features.shape()[0]).isEqualTo(test.count());
        assertThat(dev.simclr.core.npy.Npy.read(Files.readAllBytes(embedded.get(1))).asLongs())
                .containsExactly(test.labels());
        assertThat(store.get(dev.simclr.runs.Embeddings.prefix(pretrain, new dev.simclr.contracts.DatasetRef(dataset,
                "v1"), "test") + "features.npy")).isEqualTo(Files.readAllBytes(embedded.get(0)));
        if (dev.simclr.launcher.cli.ExportCommand.torchAvailable()) {
            Path images = exports.resolve("test-images.npy");
            Files.write(images, dev.simclr.core.npy.Npy.write(dev.simclr.core.npy.Npy.uint8(test.pixels(), test.count(),
                    test.height(), test.width())));
            Process py = new ProcessBuilder("/usr/bin/python3", exports.resolve(pretrain).resolve("load_encoder.py")
                    .toString(), exports.resolve(pretrain).resolve("encoder.npz").toString(), images.toString(),
                    exports.resolve("torch-features.npy").toString()).redirectErrorStream(true).start();
            String said = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(py.waitFor()).as(said).isZero();
            float[] theirs = dev.simclr.core.npy.Npy.read(Files.readAllBytes(exports.resolve("torch-features.npy")))
                    .asFloats();
            float[] ours = features.asFloats();
            assertThat(theirs).hasSameSizeAs(ours);
            for (int i = 0; i < ours.length; i++) {
                assertThat((double) theirs[i]).as("feature " + i).isCloseTo(ours[i],
                        org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(ours[i]))));
            }
        }
        // the list: this experiment, completed, every run done; newest first
        JsonNode list = JSON.readTree(given().get("/experiments?limit=500").asString());
        JsonNode mine = null;
        java.time.Instant previous = null;
        for (JsonNode e : list.path("experiments")) {
            java.time.Instant at = java.time.Instant.parse(e.path("submittedAt").asText());
            assertThat(previous == null || !at.isAfter(previous)).as("newest first").isTrue();
            previous = at;
            mine = e.path("experimentId").asText().equals(id) ? e : mine;
        }
        assertThat(mine).as(list.toString()).isNotNull();
        assertThat(mine.path("recipe").asText()).isEqualTo("it");
        assertThat(mine.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(mine.path("runsDone").asInt()).isEqualTo(mine.path("runsTotal").asInt()).isPositive();
        given().get("/experiments?limit=0").then().statusCode(400)
                .body("problems", hasItem("limit: expected a whole number from 1 to 500, got '0'"));
    }

    @Test
    void openApiDocumentsTheExperimentLifecycle() throws Exception {
        JsonNode paths = JSON.readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract()
                .asString()).path("paths");
        assertThat(paths.path("/experiments").path("post").path("summary").asText()).isEqualTo("Submit an experiment");
        assertThat(paths.path("/experiments").path("post").path("responses").has("400")).isTrue();
        assertThat(paths.path("/experiments").path("get").path("summary").asText()).isEqualTo("List experiments");
        assertThat(paths.path("/experiments/{id}").path("get").path("responses").has("404")).isTrue();
        assertThat(paths.path("/experiments/{id}").path("delete").path("summary").asText())
                .isEqualTo("Cancel an experiment");
        assertThat(paths.path("/experiments/{id}").path("delete").path("responses").has("409")).isTrue();
    }

    @Test
    void badSpecsAreRefusedWithEveryReason() {
        given().contentType("application/json").body(Map.of("recipe", "x", "spec", Map.of("studies", List.of("nope"),
                        "seeds", List.of())))
                .post("/experiments").then().statusCode(400)
                .body("problems", hasItem("studies: unknown study 'nope' (one of " + dev.simclr.eval.plan
                        .ExperimentSpec.STUDIES + ")"))
                .body("problems", hasItem("pretrain: missing"));
        String id = "raw-" + UUID.randomUUID().toString().substring(0, 8);
        TestKafka.send(Topics.EXPERIMENTS, id, "{\"type\":\"experiment-submitted\",\"schemaVersion\":1,"
                + "\"experimentId\":\"" + id + "\",\"recipe\":\"x\",\"spec\":{\"studies\":[\"transfer-classes-batch\"],"
                + "\"seeds\":[1],\"dataset\":{\"name\":\"missing-data\",\"version\":\"v1\"}},"
                + "\"submittedAt\":\"2026-11-25T00:00:00Z\"}");
        var failed = TestKafka.await(Topics.EXPERIMENT_EVENTS, r -> id.equals(r.key()), Duration.ofSeconds(60));
        assertThat(EventCodec.decode(failed.value(), ExperimentFailed.class).reasons())
                .anyMatch(r -> r.startsWith("encoder: missing")).anyMatch(r -> r.startsWith("pretrain: missing"))
                .anyMatch(r -> r.startsWith("transfer: missing"));
    }

    /**
     * A submission produced by a plain Kafka client runs like one over REST, and its coordination figures count from
     * when the record was sent, not from the {@code submittedAt} the client wrote (here years ahead: the figures
     * were negative).
     */
    @Test
    void aPlainKafkaSubmissionRunsAndIsTimedFromItsRecord() throws Exception {
        startWorkers();
        String dataset = publish();
        String id = "raw-ok-" + UUID.randomUUID().toString().substring(0, 8);
        TestKafka.send(Topics.EXPERIMENTS, id, """
                {"type": "experiment-submitted", "schemaVersion": 1, "experimentId": "%s", "recipe": "raw",
                 "submittedAt": "2031-01-01T00:00:00Z",
                 "spec": {"studies": ["transfer-classes-batch"], "seeds": [1],
                          "dataset": {"name": "%s", "version": "v1"},
                          "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                          "pretrain": {"epochs": 1, "batchSize": 16, "policy": "crop", "temperature": 0.5,
                                       "projectionLayers": 2,
                                       "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9,
                                                     "weightDecay": 0, "nesterov": false, "warmupEpochs": 0,
                                                     "lrScaling": "none"}},
                          "transfer": {"classCounts": [4], "batchSizes": [16], "epochs": 1}}}
                """.formatted(id, dataset));
        var done = TestKafka.await(Topics.EXPERIMENT_EVENTS, r -> id.equals(r.key()), Duration.ofMinutes(3));
        assertThat(done.value()).contains("experiment-completed");
        JsonNode timing = JSON.readTree(store.get("reports/" + id + "/results.json")).path("timing");
        assertThat(timing.path("submitToFirstStartSeconds").asDouble()).as(timing.toString()).isBetween(0.0, 120.0);
    }

    /**
     * SimCLR's point: pretraining on images nobody labelled. An .npz of images without labels is imported, the
     * experiment pretrains on it ({@code pretrain.dataset}) and fine-tunes on a labelled dataset; naming the unlabelled
     * one as the studies' dataset is refused, saying why and what to do.
     */
    @Test
    void anUnlabelledImportPretrainsAndALabelledDatasetFineTunes() throws Exception {
        startWorkers();
        String labelled = publish();
        String unlabelled = labelled + "-unlabelled";
        Path npz = Files.createTempFile("unlabelled", ".npz");
        Files.write(npz, dev.simclr.core.npy.Npz.write(Map.of("images", dev.simclr.core.npy.Npy.uint8(
                TestImages.stripes(96, 16, 3).pixels(), 96, 16, 16, 1))));
        assertThat(Importers.npz(new DatasetStore(store), unlabelled, "v1", npz).splits().get("train")
                .labelledCount()).isZero();
        String spec = """
                {"studies": ["augmentation-ablation"], "seeds": [1], "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": 1, "batchSize": 16, "policy": "simclr", "temperature": 0.5,
                              "projectionLayers": 2, "dataset": {"name": "%s", "version": "v1"},
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "finetune": {"epochs": 1, "batchSize": 16, "labelFraction": 0.25, "policies": ["none"],
                              "optimizer": {"name": "adam", "learningRate": 0.01, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}}}
                """;
        String id = "unl-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType("application/json").body(Map.of("experimentId", id, "recipe", "it",
                "spec", JSON.readTree(spec.formatted(labelled, unlabelled)))).post("/experiments").then().statusCode(202);
        // the studies on the unlabelled one: refused at once, naming it, how much is labelled and the way out
        String refused = given().contentType("application/json").body(Map.of("experimentId", id + "-wrong",
                        "recipe", "it", "spec", JSON.readTree(spec.formatted(unlabelled, unlabelled))))
                .post("/experiments").then().statusCode(400).extract().asString();
        assertThat(refused).contains(unlabelled + "/v1 is not labelled").contains("train 0 of 96 labelled")
                .contains("pretrain.dataset");
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            var r = given().get("/experiments/" + id);
            return r.statusCode() == 200 && !"RUNNING".equals(r.jsonPath().getString("status"));
        });
        JsonNode state = JSON.readTree(given().get("/experiments/" + id).asString());
        assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("COMPLETED");
        JsonNode runs = JSON.readTree(store.get("reports/" + id + "/results.json")).path("runs");
        assertThat(runs).hasSize(2).allSatisfy(r -> assertThat(r.path("request").path("dataset").path("name")
                .asText()).isEqualTo(r.path("stage").asText().equals("pretrain") ? unlabelled : labelled));
    }

    /**
     * Runs are what they compute, not who asked: a second experiment whose pretraining is one a first experiment
     * finished gets that run's stored result (no pretraining step trained again, the same run id and checkpoint,
     * lineage naming the first experiment); two experiments asking for the same new pretraining at the same time
     * get one execution (the trainer trains its steps once); {@code fresh: true} runs it again.
     */
    @Test
    void finishedRunsAreReusedAcrossExperimentsAndConcurrentDuplicatesRunOnce() throws Exception {
        startWorkers();
        String dataset = publish();
        String pretrain = """
                "pretrain": {"epochs": 2, "batchSize": 16, "policy": "crop", "temperature": 0.5, "projectionLayers": 2,
                             "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                           "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}}""";
        String transfer = """
                {"studies": ["transfer-classes-batch"], "seeds": [%d], "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125}, %s%s,
                 "transfer": {"classCounts": [4], "batchSizes": [16], "epochs": 1}}""";
        String ablation = """
                {"studies": ["augmentation-ablation"], "seeds": [1], "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125}, %s,
                 "finetune": {"epochs": 1, "batchSize": 16, "labelFraction": 1.0, "policies": ["none"],
                              "optimizer": {"name": "adam", "learningRate": 0.01, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}}}""";
        String tag = UUID.randomUUID().toString().substring(0, 8);

        double before = pretrainSteps();
        String first = runToCompletion("reuse-a-" + tag, transfer.formatted(1, dataset, pretrain, ""));
        double steps = pretrainSteps() - before;
        assertThat(steps).as("pretraining steps of the first experiment").isPositive();
        JsonNode firstPretrain = pretrainRun(first);
        String pretrainId = firstPretrain.path("runId").asText();
        List<String> objects = store.list("runs/" + pretrainId + "/");

        // another study on the same pretraining: reused, nothing trained, nothing written under the run
        before = pretrainSteps();
        String second = runToCompletion("reuse-b-" + tag, ablation.formatted(dataset, pretrain));
        assertThat(pretrainSteps() - before).as("pretraining steps of the reusing experiment").isZero();
        JsonNode report = JSON.readTree(store.get("reports/" + second + "/results.json"));
        JsonNode reused = pretrainRun(second);
        assertThat(reused.path("runId").asText()).isEqualTo(pretrainId);
        assertThat(reused.path("ranBy").asText()).isEqualTo(first);
        assertThat(reused.path("checkpointKey")).isEqualTo(firstPretrain.path("checkpointKey"));
        assertThat(report.path("lineage").path("reusedFrom").path(pretrainId).asText()).isEqualTo(first);
        assertThat(report.path("timing").path("cost").path("reusedRuns").asInt()).isEqualTo(1);
        assertThat(store.list("runs/" + pretrainId + "/")).isEqualTo(objects);
        JsonNode state = JSON.readTree(given().get("/experiments/" + second).asString());
        assertThat(state.toString()).contains(first);

        // two experiments asking for a new pretraining (seed 2) at once: one execution, shared
        before = pretrainSteps();
        String c = "reuse-c-" + tag;
        String d = "reuse-d-" + tag;
        post(c, transfer.formatted(2, dataset, pretrain, ""));
        post(d, transfer.formatted(2, dataset, pretrain, ""));
        awaitCompleted(c);
        awaitCompleted(d);
        assertThat(pretrainSteps() - before).as("pretraining steps of two concurrent duplicates").isEqualTo(steps);
        // a real duplicate: the second asked (its own request) before the first's pretraining had finished
        JsonNode cRun = stateRun(c, "pretrain");
        JsonNode dRun = stateRun(d, "pretrain");
        assertThat(dRun.has("reusedFrom")).as(dRun.toString()).isFalse();
        assertThat(java.time.Instant.parse(dRun.path("issuedAt").asText()))
                .isBefore(java.time.Instant.parse(cRun.path("completedAt").asText()));
        assertThat(pretrainRun(c).path("runId")).isEqualTo(pretrainRun(d).path("runId"));
        assertThat(pretrainRun(c).path("runId").asText()).isNotEqualTo(pretrainId);

        // fresh: the first experiment's spec again, trained again under its own run id
        before = pretrainSteps();
        String fresh = runToCompletion("reuse-e-" + tag, transfer.formatted(1, dataset, pretrain, ", \"fresh\": true"));
        assertThat(pretrainSteps() - before).as("pretraining steps of a fresh experiment").isEqualTo(steps);
        assertThat(pretrainRun(fresh).path("runId").asText()).isNotEqualTo(pretrainId);
        assertThat(pretrainRun(fresh).path("ranBy").asText()).isEqualTo(fresh);
    }

    private void post(String id, String spec) throws Exception {
        given().contentType("application/json").body(Map.of("experimentId", id, "recipe", "it", "spec",
                JSON.readTree(spec))).post("/experiments").then().statusCode(202);
    }

    private void awaitCompleted(String id) throws Exception {
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var r = given().get("/experiments/" + id);
            return r.statusCode() == 200 && !"RUNNING".equals(r.jsonPath().getString("status"));
        });
        JsonNode state = JSON.readTree(given().get("/experiments/" + id).asString());
        assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("COMPLETED");
    }

    private String runToCompletion(String id, String spec) throws Exception {
        post(id, spec);
        awaitCompleted(id);
        return id;
    }

    private JsonNode stateRun(String experimentId, String stage) throws Exception {
        for (JsonNode r : JSON.readTree(given().get("/experiments/" + experimentId).asString()).path("runs")) {
            if (r.path("stage").asText().equals(stage)) {
                return r;
            }
        }
        throw new AssertionError("no " + stage + " run in " + experimentId + "'s state");
    }

    private JsonNode pretrainRun(String experimentId) throws Exception {
        for (JsonNode r : JSON.readTree(store.get("reports/" + experimentId + "/results.json")).path("runs")) {
            if (r.path("stage").asText().equals("pretrain")) {
                return r;
            }
        }
        throw new AssertionError("no pretrain run in " + experimentId + "'s report");
    }

    /** trainer-service's count of pretraining steps trained (Prometheus, /q/metrics). */
    private static double pretrainSteps() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        String body = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                + trainerPort + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith("simclr_train_steps_total{") && l.contains("stage=\"pretrain\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** 16×16 images in four classes (VGG needs 16 pixels a side), 64 to train on and 32 to test. */
    private String publish() {
        String name = "exp-it-" + UUID.randomUUID().toString().substring(0, 8);
        new DatasetStore(store).publish(name, "v1", List.of("a", "b", "c", "d"),
                Map.of("train", TestImages.stripes(64, 16, 1), "test", TestImages.stripes(32, 16, 2)), "test", 1000);
        return name;
    }
}
