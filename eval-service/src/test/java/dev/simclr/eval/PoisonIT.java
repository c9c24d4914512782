package dev.simclr.eval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.simclr.contracts.EventCodec;
import io.restassured.response.Response;
import dev.simclr.contracts.ExperimentFailed;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.Topics;
import dev.simclr.core.testing.InfrastructureResource;
import dev.simclr.core.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Malformed input from any client poisons nothing: on the experiments topic and on a request topic every record is
 * answered naming the field (experiment-failed / run-failed), dead-lettered with the reason, and the consumer goes
 * on to the next record; over REST every refusal is a JSON body naming the problem, never a 500.
 */
@QuarkusTest
@QuarkusTestResource(InfrastructureResource.class)
class PoisonIT {
    static final String OPTIMIZER = "{\"name\": \"sgd\", \"learningRate\": 0.1, \"momentum\": 0.9, \"weightDecay\": 0, "
            + "\"nesterov\": false, \"warmupEpochs\": 0, \"lrScaling\": \"none\"}";

    static String spec(String pretrainEpochs, String seeds, String classCounts, String dataset) {
        return ("{\"studies\": [\"transfer-classes-batch\"], \"seeds\": %s, \"dataset\": {\"name\": \"%s\", \"version\": "
                + "\"v1\"}, \"encoder\": {\"family\": \"resnet\", \"depth\": 18, \"width\": 0.125}, \"pretrain\": "
                + "{\"epochs\": %s, \"batchSize\": 8, \"policy\": \"crop\", \"temperature\": 0.5, \"projectionLayers\": "
                + "2, \"optimizer\": %s}, \"transfer\": {\"classCounts\": %s, \"batchSizes\": [8], \"epochs\": 1}}")
                .formatted(seeds, dataset, pretrainEpochs, OPTIMIZER, classCounts);
    }

    static String submission(String id, String spec) {
        return "{\"type\": \"experiment-submitted\", \"schemaVersion\": 1, \"experimentId\": \"" + id
                + "\", \"recipe\": \"poison\", \"submittedAt\": \"2026-12-01T00:00:00Z\", \"spec\": " + spec + "}";
    }

    @Test
    void malformedSubmissionsAreAnsweredByFieldAndTheConsumerGoesOn() {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String[]> corpus = new LinkedHashMap<>(); // id → {spec, what the answer must say}
        corpus.put("p-null-seed-" + tag, new String[] {spec("1", "[1, null]", "[4]", "d"), "spec.seeds[1]"});
        corpus.put("p-null-class-" + tag, new String[] {spec("1", "[1]", "[null]", "d"), "spec.transfer.classCounts[0]"});
        corpus.put("p-string-epochs-" + tag, new String[] {spec("\"3\"", "[1]", "[4]", "d"), "spec.pretrain.epochs"});
        corpus.put("p-huge-epochs-" + tag, new String[] {spec("1e9", "[1]", "[4]", "d"), "spec.pretrain.epochs"});
        corpus.put("p-many-epochs-" + tag, new String[] {spec("1000000", "[1]", "[4]", "d"), "pretrain.epochs"});
        corpus.put("p-negative-" + tag, new String[] {spec("-5", "[1]", "[4]", "d"), "pretrain.epochs"});
        corpus.put("p-path-" + tag, new String[] {spec("1", "[1]", "[4]", "../../x"), "dataset.name"});
        corpus.put("p-unknown-" + tag, new String[] {spec("1", "[1]", "[4]", "d").replace("\"studies\"",
                "\"stuides\": 1, \"studies\""), "unknown field 'stuides'"});
        corpus.forEach((id, c) -> TestKafka.send(Topics.EXPERIMENTS, id, submission(id, c[0])));
        // not even an event: answered under the key "invalid" and dead-lettered
        TestKafka.send(Topics.EXPERIMENTS, "junk-" + tag, "not json {");
        TestKafka.send(Topics.EXPERIMENTS, "deep-" + tag, "[".repeat(5000) + "]".repeat(5000));
        TestKafka.send(Topics.EXPERIMENTS, "tombstone-" + tag, null);
        // then a well-formed one whose dataset does not exist: processed, so answered "dataset: ..."
        String last = "p-last-" + tag;
        TestKafka.send(Topics.EXPERIMENTS, last, submission(last, spec("1", "[1]", "[4]", "no-such-" + tag)));

        corpus.forEach((id, c) -> {
            var answer = TestKafka.await(Topics.EXPERIMENT_EVENTS, r -> id.equals(r.key()), Duration.ofSeconds(60));
            assertThat(EventCodec.decode(answer.value(), ExperimentFailed.class).reasons()).as(id)
                    .anySatisfy(r -> assertThat(r).contains(c[1]));
            TestKafka.await(Topics.DEAD_LETTERS, r -> id.equals(r.key()) && new String(r.headers()
                    .lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8).contains(c[1]), Duration.ofSeconds(30));
        });
        for (String key : new String[] {"junk-" + tag, "deep-" + tag, "tombstone-" + tag}) {
            var dead = TestKafka.await(Topics.DEAD_LETTERS, r -> key.equals(r.key()), Duration.ofSeconds(30));
            assertThat(new String(dead.headers().lastHeader("dead-letter-topic").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Topics.EXPERIMENTS);
        }
        var answer = TestKafka.await(Topics.EXPERIMENT_EVENTS, r -> last.equals(r.key()), Duration.ofSeconds(60));
        assertThat(EventCodec.decode(answer.value(), ExperimentFailed.class).reasons())
                .anySatisfy(r -> assertThat(r).startsWith("dataset: ").contains("no-such-" + tag));
    }

    @Test
    void malformedEvalRequestsAreAnsweredByFieldAndTheConsumerGoesOn() {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String ok = "{\"type\": \"eval-requested\", \"schemaVersion\": 1, \"experimentId\": \"e\", \"runId\": \"%s\", "
                + "\"kind\": %s, \"checkpoint\": %s, \"dataset\": {\"name\": \"d\", \"version\": \"v1\"}, "
                + "\"batchSize\": %s, \"epochs\": 1, \"seed\": 1}";
        Map<String, String[]> corpus = new LinkedHashMap<>();
        corpus.put("eval-kind-" + tag, new String[] {ok.formatted("eval-kind-" + tag, "\"bogus\"", "\"k\"", "8"), "kind"});
        corpus.put("eval-path-" + tag, new String[] {ok.formatted("eval-path-" + tag, "\"linear\"", "\"../../etc\"", "8"),
                "checkpoint"});
        corpus.put("eval-batch-" + tag, new String[] {ok.formatted("eval-batch-" + tag, "\"linear\"", "\"k\"", "\"8\""),
                "batchSize"});
        corpus.put("eval-huge-" + tag, new String[] {ok.formatted("eval-huge-" + tag, "\"linear\"", "\"k\"", "1000000000"),
                "batchSize"});
        corpus.forEach((id, c) -> TestKafka.send(Topics.EVAL_REQUESTS, id, c[0]));
        corpus.forEach((id, c) -> {
            var answer = TestKafka.await(Topics.RUN_EVENTS, r -> id.equals(r.key())
                    && r.value().contains("run-failed"), Duration.ofSeconds(60));
            assertThat(EventCodec.decode(answer.value(), RunFailed.class).reason()).as(id).contains(c[1]);
            TestKafka.await(Topics.DEAD_LETTERS, r -> id.equals(r.key()), Duration.ofSeconds(30));
        });
    }

    @Test
    void everyRestRefusalIsAJsonBodyNamingTheProblem() {
        given().contentType("application/json").body("{not json").post("/experiments").then().statusCode(400)
                .body("problems", hasSize(1));
        given().contentType("application/json").body("[1, 2]").post("/experiments").then().statusCode(400)
                .body("problems", hasItem("message: expected a JSON object {\"recipe\": ..., \"spec\": {...}}"));
        given().contentType("application/json").body("{\"recipe\": \"x\", \"spec\": {}, \"colour\": 1}")
                .post("/experiments").then().statusCode(400).body("problems[0]", org.hamcrest.Matchers
                        .startsWith("colour: unknown field"));
        given().contentType("application/json").body("{\"experimentId\": \"../../x\", \"recipe\": \"x\", \"spec\": "
                + spec("1", "[1]", "[4]", "d") + "}").post("/experiments").then().statusCode(400)
                .body("problems[0]", org.hamcrest.Matchers.startsWith("experimentId:"));
        given().contentType("application/json").body("{\"recipe\": \"x\", \"spec\": " + spec("\"3\"", "[1]", "[4]", "d")
                + "}").post("/experiments").then().statusCode(400)
                .body("problems", hasItem("spec.pretrain.epochs: expected an integer, got a string"));
        // over the submission limit (256 KB): 413 naming the size (bodies over 1 MB are refused by the HTTP layer,
        // 413 too, before they are read)
        given().contentType("application/json").body("{\"recipe\": \"x\", \"spec\": {\"pad\": \"" + "x".repeat(600_000)
                + "\"}}").post("/experiments").then().statusCode(413).body("problems[0]",
                        org.hamcrest.Matchers.containsString("at most 262144"));
        for (String id : new String[] {"..%2F..%2Fx", "a%00b", "UPPER", "a%20b"}) {
            int status = given().urlEncodingEnabled(false).get("/experiments/" + id).then().extract().statusCode();
            assertThat(status).as(id).isIn(400, 404);
        }
        // "/experiments/.." is normalised to "/" by the HTTP layer before routing: the web page's list, no id read
        Response dots = given().urlEncodingEnabled(false).get("/experiments/%2e%2e");
        assertThat(dots.statusCode()).isIn(200, 400, 404);
        if (dots.statusCode() == 200) {
            assertThat(dots.contentType()).startsWith("text/html");
        }
        given().get("/experiments/a%00b").then().statusCode(400).body("problems[0]",
                org.hamcrest.Matchers.startsWith("experimentId:"));
    }

    @TestHTTPResource("/experiments")
    java.net.URL experiments;

    /**
     * The framework's own refusals carry the problem body too: 405 for a method a path does not take, 415 for a body
     * that is not JSON (plain text and forms alike), 413 for a body over the limit whatever it holds — announced
     * (Expect: 100-continue, as curl does for large bodies) or sent at once.
     */
    @Test
    void wrongMethodsMediaTypesAndOversizedBodiesAreJsonProblems() throws Exception {
        String valid = "{\"recipe\": \"x\", \"spec\": " + spec("1", "[1]", "[4]", "d") + "}";
        for (String method : new String[] {"PUT", "PATCH"}) {
            given().contentType("application/json").body(valid).request(method, "/experiments/some-id").then()
                    .statusCode(405).contentType("application/json")
                    .body("problems[0]", org.hamcrest.Matchers.startsWith("Method Not Allowed"));
            given().contentType("application/json").body(valid).request(method, "/experiments").then()
                    .statusCode(405).contentType("application/json").body("problems", hasSize(1));
        }
        given().delete("/experiments").then().statusCode(405).contentType("application/json")
                .body("problems", hasSize(1));
        given().post("/experiments/some-id").then().statusCode(405).contentType("application/json")
                .body("problems", hasSize(1));
        given().contentType("text/plain").body(valid).post("/experiments").then().statusCode(415)
                .contentType("application/json").body("problems[0]",
                        org.hamcrest.Matchers.startsWith("Unsupported Media Type"));
        given().contentType("application/x-www-form-urlencoded").formParam("recipe", "x").post("/experiments").then()
                .statusCode(415).contentType("application/json").body("problems", hasSize(1));

        byte[] garbage = new byte[5 * 1024 * 1024];
        new java.util.Random(5).nextBytes(garbage);
        StringBuilder big = new StringBuilder("{\"recipe\": \"x\", \"spec\": {\"pad\": [");
        while (big.length() < 5 * 1024 * 1024) {
            big.append("1234567890, ");
        }
        byte[] validJson = big.append("0]}}").toString().getBytes(StandardCharsets.UTF_8);
        for (byte[] body : new byte[][] {garbage, validJson}) {
            // announced (Expect: 100-continue, as curl does for large bodies): answered before any of it is sent;
            // sent at once: answered once the headers are in, whatever part of the body has arrived
            for (String answer : new String[] {postRaw(body, true, 0), postRaw(body, false, 64 * 1024)}) {
                assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("content-type: application/json")
                        .contains("{\"problems\":[\"message: " + body.length + " bytes, at most 262144\"]}");
            }
        }
    }

    /**
     * POST /experiments over a plain socket (no client library's handling of early answers in the way): the headers,
     * with {@code Expect: 100-continue} when {@code announced}, and the first {@code sent} bytes of the body; the
     * answer as text.
     */
    private String postRaw(byte[] body, boolean announced, int sent) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(experiments.getHost(), experiments.getPort())) {
            socket.setSoTimeout(30_000);
            var out = socket.getOutputStream();
            out.write(("POST /experiments HTTP/1.1\r\nHost: " + experiments.getHost() + "\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + body.length + "\r\n"
                    + (announced ? "Expect: 100-continue\r\n" : "") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, sent);
            out.flush();
            var in = socket.getInputStream();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            int headerEnd = -1;
            long length = -1;
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                if (headerEnd < 0 && (headerEnd = text.indexOf("\r\n\r\n")) >= 0) {
                    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
                    length = m.find() ? Long.parseLong(m.group(1)) : -1;
                }
                if (headerEnd >= 0 && length >= 0 && answer.size() >= headerEnd + 4 + length) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
