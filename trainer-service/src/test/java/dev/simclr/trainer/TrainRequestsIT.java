package dev.simclr.trainer;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.EncoderFamily;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.core.testing.InfrastructureResource;
import dev.simclr.core.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * trainer-service on the real broker and S3 server: a request sent by a plain Kafka client through the real topic
 * is answered on the run-events topic, and the service keeps consuming after bad input.
 */
@QuarkusTest
@QuarkusTestResource(InfrastructureResource.class)
class TrainRequestsIT {

    @Test
    void malformedRequestIsAnsweredWithAFailureNamingEveryField() {
        String runId = "pretrain-" + UUID.randomUUID();
        TestKafka.send(Topics.TRAIN_REQUESTS, runId,
                "{\"experimentId\":\"exp-it\",\"runId\":\"" + runId + "\",\"epochs\":\"ten\"}");
        var reply = TestKafka.await(Topics.RUN_EVENTS, r -> runId.equals(r.key()), Duration.ofSeconds(60));
        RunFailed failed = EventCodec.decode(reply.value(), RunFailed.class);
        assertThat(failed.runId()).isEqualTo(runId);
        assertThat(failed.experimentId()).isEqualTo("exp-it");
        assertThat(failed.reason()).contains("epochs: string found, integer expected")
                .contains("batchSize: required field is missing").contains("encoder: required field is missing");
    }

    @Test
    void outOfRangeRequestIsRefusedAndTheServiceGoesOn() {
        String notJson = "garbage-" + UUID.randomUUID();
        TestKafka.send(Topics.TRAIN_REQUESTS, notJson, "{this is not json");
        TestKafka.await(Topics.RUN_EVENTS, r -> notJson.equals(r.key()) || r.value().contains("not JSON"),
                Duration.ofSeconds(60));

        String runId = "finetune-" + UUID.randomUUID();
        String json = EventCodec.encode(new dev.simclr.contracts.TrainRequested(1, "exp-it", runId, Stage.FINETUNE,
                new dev.simclr.contracts.DatasetRef("fashion-mnist", "v1"),
                new dev.simclr.contracts.EncoderSpec(EncoderFamily.RESNET, 19, 0.5), 2, "crop", 1.5, 64, 1,
                new dev.simclr.contracts.OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 0, false, 0, LrScaling.LINEAR), 0.5, 1, false,
                null, null));
        TestKafka.send(Topics.TRAIN_REQUESTS, runId, json);
        var reply = TestKafka.await(Topics.RUN_EVENTS, r -> runId.equals(r.key()), Duration.ofSeconds(60));
        RunFailed failed = EventCodec.decode(reply.value(), RunFailed.class);
        assertThat(failed.stage()).isEqualTo(Stage.FINETUNE);
        assertThat(failed.reason()).contains("encoder.depth: resnet has no depth 19")
                .contains("labelFraction: 1.5 is outside (0, 1]")
                .contains("initialCheckpoint: a finetune run needs the pretrained checkpoint");
    }

    @Test
    void healthIsReadyWithBrokerAndObjectStoreAndMetricsAreExposed() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("object-store")).body(containsString("Kafka connection health check"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
