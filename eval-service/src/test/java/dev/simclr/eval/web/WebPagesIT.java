package dev.simclr.eval.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.contracts.Stage;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.InfrastructureResource;
import dev.simclr.core.testing.TestImages;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.report.Findings;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.report.Timing;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.state.StateStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The web pages' HTML for an experiment planned, running, completed (with its report), failed and cancelled, seeded
 * in the object store as the coordinator stores them (a running one submitted through the form for real); every
 * value escaped; errors as HTML pages; downloads streamed from the store.
 */
@QuarkusTest
@QuarkusTestResource(InfrastructureResource.class)
class WebPagesIT {
    static final String XSS = "<script>alert(1)</script>";

    @Inject
    ObjectStore store;

    @Inject
    Coordinator coordinator;

    private static String id(String what) {
        return "web-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode demoSpec() throws Exception {
        return Json.MAPPER.readTree(Files.readString(Path.of("../recipes/demo.json"))).path("scales").path("demo");
    }

    /** A stored experiment as the coordinator keeps it: its submission and its state with these runs. */
    private ExperimentState seed(String id, String recipe, JsonNode spec, ExperimentState.Status status,
                                 Map<String, ExperimentState.RunStatus> runs) {
        StateStore states = new StateStore(store);
        Instant submitted = Instant.now().minusSeconds(600);
        states.saveSubmitted(new ExperimentSubmitted(Event.SCHEMA_VERSION, id, recipe, spec, "test", submitted));
        ExperimentState s = new ExperimentState();
        s.experimentId = id;
        s.recipe = recipe;
        s.status = status;
        s.submittedAt = submitted;
        s.plannedAt = submitted.plusSeconds(1);
        s.finishedAt = status == ExperimentState.Status.RUNNING ? null : submitted.plusSeconds(125);
        runs.forEach((runId, runStatus) -> {
            ExperimentState.Run r = new ExperimentState.Run();
            r.stage = runId.substring(0, runId.indexOf('-'));
            r.study = r.stage.equals("pretrain") ? "pretrain" : "augmentation-ablation";
            r.labels = new TreeMap<>(Map.of("seed", "1"));
            r.status = runStatus;
            r.attempts = runStatus == ExperimentState.RunStatus.PLANNED ? 0 : 1;
            s.runs.put(runId, r);
        });
        states.save(s);
        return s;
    }

    private static Map<String, ExperimentState.RunStatus> runs(String tag, ExperimentState.RunStatus pretrain,
                                                              ExperimentState.RunStatus finetune) {
        return Map.of("pretrain-" + tag, pretrain, "finetune-" + tag, finetune);
    }

    private static String page(String path, int status) {
        Response r = given().get(path);
        assertThat(r.statusCode()).as(path + ": " + r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("text/html");
        return r.asString();
    }

    @Test
    void plannedFailedAndCancelledExperiments() throws Exception {
        String planned = id("planned");
        seed(planned, "demo", demoSpec(), ExperimentState.Status.RUNNING,
                runs(planned, ExperimentState.RunStatus.PLANNED, ExperimentState.RunStatus.PLANNED));
        String html = page("/ui/experiments/" + planned, 200);
        assertThat(html).contains("<h1>Experiment <code>" + planned + "</code></h1>")
                .contains("Recipe demo, scale demo.")
                .contains("0 / 2 runs done").contains("data-settled=\"false\"")
                .contains("id=\"cancel\"").contains("data-url=\"/experiments/" + planned + "\"")
                .contains("<caption>pretrain: 0 / 1 done</caption>").contains("<caption>finetune: 0 / 1 done</caption>")
                .contains("&quot;fashion-mnist&quot;") // the spec as submitted, escaped
                .doesNotContain("Results");

        String failed = id("failed");
        ExperimentState f = seed(failed, "demo", demoSpec(), ExperimentState.Status.FAILED,
                runs(failed, ExperimentState.RunStatus.FAILED, ExperimentState.RunStatus.PLANNED));
        f.reasons.add("run pretrain-" + failed + " failed 3 times: out of memory");
        new StateStore(store).save(f);
        html = page("/ui/experiments/" + failed, 200);
        assertThat(html).contains("<span class=\"state state-failed\">failed</span>")
                .contains("failed 3 times: out of memory").contains("data-settled=\"true\"")
                .doesNotContain("id=\"cancel\"").contains("wall time 2 min 05 s");

        String cancelled = id("cancelled");
        ExperimentState c = seed(cancelled, "demo", demoSpec(), ExperimentState.Status.CANCELLED,
                runs(cancelled, ExperimentState.RunStatus.COMPLETED, ExperimentState.RunStatus.PLANNED));
        c.reasons.add("cancelled: enough");
        new StateStore(store).save(c);
        html = page("/ui/experiments/" + cancelled, 200);
        assertThat(html).contains("state-cancelled").contains("1 / 2 runs done").contains("cancelled: enough")
                .contains("data-settled=\"true\"").doesNotContain("id=\"cancel\"")
                // a completed pretraining offers its checkpoint
                .contains("href=\"/ui/experiments/" + cancelled + "/runs/pretrain-" + cancelled + "/checkpoint\"");

        // the list: newest first, each with its state and progress; the filter shows only that state
        html = page("/?limit=500", 200);
        assertThat(html).contains("href=\"/ui/experiments/" + planned + "\"").contains(failed).contains(cancelled)
                .contains("<progress max=\"2\" value=\"1\"");
        html = page("/?state=failed&limit=500", 200);
        assertThat(html).contains(failed).doesNotContain(planned).doesNotContain(cancelled)
                .contains("aria-current=\"page\">failed</a>");

        // errors are HTML pages
        assertThat(page("/?state=sleeping", 400)).contains("state: one of running");
        assertThat(page("/ui/experiments/no-such-" + UUID.randomUUID(), 404)).contains("no experiment no-such-");
        assertThat(page("/ui/experiments/Bad..Id", 400)).contains("experimentId: must match [a-z0-9]");
        assertThat(page("/ui/experiments/" + failed + "/files/secret.txt", 400)).contains("Not a file of a report");
        assertThat(page("/ui/experiments/" + failed + "/files/results.json", 404)).contains("has no results.json");
        // the REST API's answers stay JSON
        given().get("/experiments/no-such-exp").then().statusCode(404).contentType("application/json");
    }

    @Test
    void aCompletedExperimentShowsItsReportAndStreamsItsFiles() throws Exception {
        String id = id("completed");
        String tag = id;
        seed(id, "demo", demoSpec(), ExperimentState.Status.COMPLETED,
                runs(tag, ExperimentState.RunStatus.COMPLETED, ExperimentState.RunStatus.COMPLETED));
        // completed, the report not yet written: the page says so and goes on asking
        assertThat(page("/ui/experiments/" + id, 200)).contains("the report is being written")
                .contains("data-settled=\"false\"");

        Report.Table table = new Report.Table("Fine-tuning augmentation ablation: test top-1 %", "policy",
                List.of("top-1"), Map.of("crop", Map.of("top-1", new Report.Cell(3, 0.70, 0.038,
                List.of(0.70, 0.72, 0.69)))), "which augmentations matter");
        Findings.Finding finding = new Findings.Finding("ablation-all-vs-none", "augmentation-ablation",
                "all − none > 0", "the pretrained encoder", 3, 0.05, 0.02, "confirmed");
        Timing timing = new Timing(1.0, 2.0, new Timing.Stat(0, null, null), new Timing.Stat(0, null, null),
                new Timing.Stat(0, null, null), Map.of(), new Timing.Cost(125.0, 200.0, 2, 0, 0.0));
        new Report(id, Report.PROTOCOL, List.of(finding), Map.of("augmentation-ablation", table), List.of(),
                JsonNodeFactory.instance.objectNode(), Map.of("codeVersion", "abc"), timing).publish(store);
        // the pretraining's checkpoint, as its worker stored it
        String key = RunStore.checkpointKey("pretrain-" + tag, 27);
        byte[] checkpoint = "not really an npz".getBytes(StandardCharsets.UTF_8);
        store.put(key, checkpoint, "application/x-npz");
        new RunStore(store).saveResult("pretrain-" + tag, Json.MAPPER.writeValueAsString(Map.of("checkpointKey", key)));

        String html = page("/ui/experiments/" + id, 200);
        assertThat(html).contains("data-settled=\"true\"").contains("<h2 id=\"results-h\">Results</h2>")
                .contains("confirmed: +5.0 ± 2.0 points over 3 seeds")
                .contains("<td>70.0 ± 3.8</td>")
                .contains("href=\"/ui/experiments/" + id + "/files/results.csv\"")
                .contains("href=\"/ui/experiments/" + id + "/files/results.json\"")
                .doesNotContain("id=\"cancel\"").doesNotContain("being written");
        assertThat(html).contains(new Timing(null, null, null, null, null, null,
                new Timing.Cost(125.0, 200.0, 2, 0, 0.0)).costText().replace("'", "&#39;"));
        if (store.exists(Report.prefix(id) + "augmentation-ablation.svg")) { // plots need fonts on the machine
            assertThat(html).contains("<img src=\"/ui/experiments/" + id + "/files/augmentation-ablation.svg\"");
            given().get("/ui/experiments/" + id + "/files/augmentation-ablation.svg").then().statusCode(200)
                    .contentType("image/svg+xml");
        }
        // the live part alone is what the page asks for
        assertThat(given().get("/ui/experiments/" + id + "/live").asString()).startsWith("<div class=\"live\"")
                .doesNotContain("<html");

        // downloads: streamed from the store, byte for byte
        Response csv = given().get("/ui/experiments/" + id + "/files/results.csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.header("Content-Disposition")).contains("attachment");
        assertThat(csv.asByteArray()).isEqualTo(store.get(Report.prefix(id) + "results.csv"));
        Response ckpt = given().redirects().follow(false).get("/ui/experiments/" + id + "/runs/pretrain-" + tag
                + "/checkpoint");
        assertThat(ckpt.statusCode()).isEqualTo(200);
        assertThat(ckpt.asByteArray()).isEqualTo(checkpoint);
        assertThat(ckpt.header("Content-Disposition")).contains("pretrain-" + tag + "-step-0000000027.npz");
        // a run of another experiment is not served under this one
        assertThat(page("/ui/experiments/" + id + "/runs/pretrain-other/checkpoint", 404)).contains("has no run");
        assertThat(page("/ui/experiments/" + id + "/runs/finetune-" + tag + "/checkpoint", 404))
                .contains("has written no checkpoint");

        assertThat(page("/?state=completed&limit=500", 200)).contains(id).contains("2 min 05 s");
    }

    @Test
    void everyValueIsEscaped() throws Exception {
        String id = id("xss");
        JsonNode spec = Json.MAPPER.readTree("{\"dataset\": {\"name\": \"" + XSS.replace("/", "\\/")
                + "\", \"version\": \"v1\"}}");
        ExperimentState s = seed(id, XSS, spec, ExperimentState.Status.FAILED,
                runs(id, ExperimentState.RunStatus.FAILED, ExperimentState.RunStatus.PLANNED));
        s.reasons.add("dataset: no dataset " + XSS);
        s.runs.values().forEach(r -> r.labels.put("policy", XSS));
        new StateStore(store).save(s);

        for (String html : List.of(page("/ui/experiments/" + id, 200), page("/?limit=500", 200))) {
            assertThat(html).doesNotContain("<script>alert").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        }
        // the submit form gives back what was typed, escaped, with the problems beside their fields
        Response r = given().contentType("application/x-www-form-urlencoded")
                .formParam("recipe", "custom").formParam("scale", "demo")
                .formParam("spec", "{\"seeds\": \"" + XSS + "\"}").formParam("experimentId", XSS)
                .post("/ui/submit");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("text/html");
        String html = r.asString();
        assertThat(html).doesNotContain("<script>alert").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(section(html, "id-problems")).contains("experimentId: must match [a-z0-9]");
        assertThat(section(html, "spec-problems")).contains("seeds");
        assertThat(html).contains("aria-invalid=\"true\" aria-describedby=\"id-problems\"");
    }

    /** The problems list with this id. */
    private static String section(String html, String id) {
        int at = html.indexOf("id=\"" + id + "\"");
        assertThat(at).as("no " + id + " in " + html).isPositive();
        return html.substring(at, html.indexOf("</ul>", at));
    }

    @Test
    void submittedFromTheFormItRunsShowsProgressAndIsCancelled() throws Exception {
        String form = page("/ui/submit", 200);
        assertThat(form).contains("<option value=\"demo\" selected>demo").contains("<label for=\"experimentId\">");

        // the demo recipe's dataset is not in this store: refused by the coordinator's own check, beside the scale
        Response refused = given().contentType("application/x-www-form-urlencoded").formParam("recipe", "demo")
                .formParam("scale", "demo").post("/ui/submit");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(section(refused.asString(), "scale-problems")).contains("dataset");

        String dataset = TestImages.publishStripes(store, "web-it");
        String spec = """
                {"studies": ["transfer-classes-batch"], "seeds": [1],
                 "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": 1, "batchSize": 16, "policy": "crop+flip", "temperature": 0.5,
                              "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": true, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [2], "batchSizes": [8], "epochs": 1}}
                """.formatted(dataset);
        String id = id("submitted");
        Response sent = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("recipe", "custom").formParam("scale", "demo").formParam("spec", spec)
                .formParam("experimentId", id).formParam("fresh", "true").post("/ui/submit");
        assertThat(sent.statusCode()).as(sent.asString()).isEqualTo(303);
        assertThat(sent.header("Location")).endsWith("/ui/experiments/" + id + "?sent=1");

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                given().get("/ui/experiments/" + id).statusCode() == 200);
        // no worker in this test: the pretraining stays issued; a progress event as a worker sends it shows
        String pretrain = coordinator.describe(id).orElseThrow().get("runs") instanceof List<?> l
                ? l.stream().map(r -> (Map<?, ?>) r).filter(r -> "pretrain".equals(r.get("stage")))
                        .map(r -> (String) r.get("runId")).findFirst().orElseThrow() : null;
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "ISSUED".equals(String.valueOf(
                ((List<?>) coordinator.describe(id).orElseThrow().get("runs")).stream().map(r -> (Map<?, ?>) r)
                        .filter(r -> pretrain.equals(r.get("runId"))).findFirst().orElseThrow().get("status"))));
        coordinator.runStarted(new RunStarted(Event.SCHEMA_VERSION, id, pretrain, Stage.PRETRAIN, Instant.now(),
                "trainer-service@test-host/4242"));
        coordinator.progress(new RunProgress(Event.SCHEMA_VERSION, id, pretrain, Stage.PRETRAIN, 0, 3, 12, 4.2,
                0.1, 50, null, Instant.now()));
        String live = given().get("/ui/experiments/" + id + "/live").asString();
        assertThat(live).contains("<span class=\"step\">3 / 12</span>")
                .contains("<td>trainer-service@test-host/4242</td>") // the instance running it, from run-started
                .contains("<progress max=\"100\" value=\"25\"").contains("state-issued");
        String html = page("/ui/experiments/" + id, 200);
        assertThat(html).contains("Recipe custom, scale custom.").contains("&quot;fresh&quot; : true")
                .contains("id=\"cancel\"");

        // the cancel button's request: the REST API's DELETE, as the CLI sends it
        given().delete("/experiments/" + id).then().statusCode(202);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                given().get("/ui/experiments/" + id + "/live").asString().contains("state-cancelled"));
        assertThat(page("/ui/experiments/" + id, 200)).doesNotContain("id=\"cancel\"")
                .contains("data-settled=\"true\"");
    }
}
