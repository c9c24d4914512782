package dev.simclr.augment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.Topics;
import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.augment.Augmenter;
import dev.simclr.core.augment.ShardReader;
import dev.simclr.core.augment.ViewShards;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.dataset.DataOrder;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.InfrastructureResource;
import dev.simclr.core.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * augment-service on the real broker and S3 server: a run request sent by a plain Kafka client is split into
 * slices, the shards appear ahead of a consumer reading them (never more than the look-ahead ahead), the consumer
 * gets the same bytes as in-process augmentation, consumed shards are deleted, and the run completes. Bad requests
 * get a run-failed event naming the problem and the service goes on.
 */
@QuarkusTest
@QuarkusTestResource(InfrastructureResource.class)
class AugmentServiceIT {
    static final int IMAGES = 120;

    @Inject
    ObjectStore store;

    @Test
    void writesShardsAheadOfAConsumerAndCompletes() {
        String dataset = "aug-it-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] px = new byte[IMAGES * 20 * 20 * 3];
        new SplittableRandom(3).nextBytes(px);
        LabelledImages images = new LabelledImages(20, 20, 3, px, new long[IMAGES]);
        new DatasetStore(store).publish(dataset, "v1", List.of("any"), Map.of("train", images), "test", 1000);

        String run = "augment-" + UUID.randomUUID();
        int epochs = 3;
        AugmentRequested request = new AugmentRequested(1, "exp-it", run, new DatasetRef(dataset, "v1"), "train",
                "simclr", epochs, 21, 2, 25, 1, null, null);
        TestKafka.send(Topics.AUGMENT_REQUESTS, run, EventCodec.encode(request));

        String name = dataset + "/v1/train";
        try (ShardReader reader = new ShardReader(store, run, images, AugmentPolicy.parse("simclr"), 21, name, 2,
                Duration.ofSeconds(90));
             Augmenter inProcess = new Augmenter(images, AugmentPolicy.parse("simclr"), 21, name, 2, 1)) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (int step = 0; step < DataOrder.stepsPerEpoch(IMAGES, 40); step++) {
                    int[] batch = DataOrder.batch(21, epoch, IMAGES, 40, step);
                    assertThat(reader.views(epoch, step, batch)).isDeepEqualTo(inProcess.views(epoch, step, batch));
                }
                // look-ahead 1: while the consumer is in this epoch, nothing beyond the next one exists
                if (epoch + 2 < epochs) {
                    assertThat(store.list(ViewShards.epochPrefix(run, epoch + 2))).isEmpty();
                }
                reader.release(epoch);
            }
        }
        var done = TestKafka.await(Topics.RUN_EVENTS, r -> run.equals(r.key()) && r.value().contains("run-completed"),
                Duration.ofSeconds(90));
        RunCompleted completed = EventCodec.decode(done.value(), RunCompleted.class);
        assertThat(completed.metrics()).containsEntry("shards", 15.0);
        // progress counts shards of the run (what `simclr submit --follow` draws as a bar)
        RunProgress progress = EventCodec.decode(TestKafka.await(Topics.RUN_EVENTS,
                r -> run.equals(r.key()) && r.value().contains("run-progress"), Duration.ofSeconds(10)).value(),
                RunProgress.class);
        assertThat(progress.totalSteps()).isEqualTo(15);
        assertThat(progress.step()).isBetween(1L, 15L);
        assertThat(completed.checkpointKey()).isEqualTo(ViewShards.prefix(run));
        assertThat(store.list(ViewShards.prefix(run)).stream().filter(k -> k.endsWith(".npz"))).isEmpty();
        given().get("/q/metrics").then().statusCode(200).body(containsString("simclr_augment_shards_written_total"));
    }

    @Test
    void badRequestsAreAnsweredWithTheProblemAndTheServiceGoesOn() {
        String badPolicy = "augment-" + UUID.randomUUID();
        TestKafka.send(Topics.AUGMENT_REQUESTS, badPolicy, EventCodec.encode(new AugmentRequested(1, "exp-it",
                badPolicy, new DatasetRef("fashion-mnist", "v1"), "train", "crop+rotate", 1, 1, 2, 0, 1, null, null)));
        RunFailed failed = EventCodec.decode(TestKafka.await(Topics.RUN_EVENTS, r -> badPolicy.equals(r.key()),
                Duration.ofSeconds(60)).value(), RunFailed.class);
        assertThat(failed.reason()).contains("\"rotate\"").contains("shardSize");

        String missing = "augment-" + UUID.randomUUID();
        TestKafka.send(Topics.AUGMENT_REQUESTS, missing, EventCodec.encode(new AugmentRequested(1, "exp-it", missing,
                new DatasetRef("no-such-dataset", "v1"), "train", "simclr", 1, 1, 2, 16, 1, null, null)));
        // a well-formed request is taken up (run-started), then fails on its missing dataset
        failed = EventCodec.decode(TestKafka.await(Topics.RUN_EVENTS, r -> missing.equals(r.key())
                && r.value().contains("run-failed"), Duration.ofSeconds(60)).value(), RunFailed.class);
        assertThat(failed.reason()).contains("no-such-dataset");
        given().get("/q/health/ready").then().statusCode(200);
    }
}
