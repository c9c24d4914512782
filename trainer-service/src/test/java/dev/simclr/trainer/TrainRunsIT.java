package dev.simclr.trainer;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.EncoderFamily;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.InfrastructureResource;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * trainer-service trains for real on the real broker and S3 server: a pretrain run that lasts several times the
 * consumer's max.poll.interval.ms (5 s here) is trained in 3-second slices, each step exactly once; the fine-tune
 * that follows starts from its checkpoint; the pretrain request delivered again is acknowledged without training.
 */
@QuarkusTest
@QuarkusTestResource(InfrastructureResource.class)
class TrainRunsIT {
    static final OptimizerSpec SGD = new OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE);

    @Inject
    ObjectStore store;

    @Test
    void pretrainThenFinetuneEachStepOnceAndARedeliveryTrainsNothing() {
        DatasetRef dataset = publish();
        String pretrainRun = "pretrain-" + UUID.randomUUID();
        TrainRequested pretrain = new TrainRequested(1, "exp-it", pretrainRun, Stage.PRETRAIN, dataset,
                new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "crop+flip", 1.0, 16, 30, SGD, 0.5, 5, false, null, null);
        long t0 = System.nanoTime();
        double stepsBefore = steps("pretrain");
        TestKafka.send(Topics.TRAIN_REQUESTS, pretrainRun, EventCodec.encode(pretrain));
        RunCompleted done = completed(pretrainRun, Duration.ofMinutes(4));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).as("the run outlived max.poll.interval.ms").isGreaterThan(5);
        assertThat(done.metrics()).containsEntry("steps", 120.0).containsKey("knnAccuracy");
        assertThat(steps("pretrain") - stepsBefore).as("steps trained").isEqualTo(120);

        String finetuneRun = "finetune-" + UUID.randomUUID();
        TestKafka.send(Topics.TRAIN_REQUESTS, finetuneRun, EventCodec.encode(new TrainRequested(1, "exp-it",
                finetuneRun, Stage.FINETUNE, dataset, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "crop", 0.5, 8, 2, SGD,
                0.5, 5, false, done.checkpointKey(), null)));
        RunCompleted tuned = completed(finetuneRun, Duration.ofMinutes(2));
        assertThat(tuned.metrics()).containsKeys("top1", "loss");

        TestKafka.send(Topics.TRAIN_REQUESTS, pretrainRun, EventCodec.encode(pretrain));
        // a second completion, identical, and no step trained for it
        var again = TestKafka.await(Topics.RUN_EVENTS, r -> pretrainRun.equals(r.key())
                && r.value().contains("run-completed") && r.offset() > offsetOf(pretrainRun), Duration.ofMinutes(1));
        assertThat(EventCodec.decode(again.value(), RunCompleted.class).metrics()).isEqualTo(done.metrics());
        assertThat(steps("pretrain") - stepsBefore).isEqualTo(120);
        given().get("/q/metrics").then().statusCode(200).body(org.hamcrest.Matchers.containsString(
                "simclr_runs_total{outcome=\"already-done\",service=\"trainer-service\",stage=\"pretrain\"}"));
        // a finished run leaves no per-run gauge behind; the process's resident memory is measured
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).doesNotContain("run=\"" + pretrainRun + "\"");
        Matcher rss = Pattern.compile("simclr_process_resident_memory_bytes\\{[^}]*} ([0-9.eE+]+)").matcher(metrics);
        assertThat(rss.find()).isTrue();
        assertThat(Double.parseDouble(rss.group(1))).isGreaterThan(50e6);
    }

    private long offsetOf(String run) {
        return TestKafka.await(Topics.RUN_EVENTS, r -> run.equals(r.key()) && r.value().contains("run-completed"),
                Duration.ofSeconds(30)).offset();
    }

    private static RunCompleted completed(String run, Duration timeout) {
        var r = TestKafka.await(Topics.RUN_EVENTS, rec -> run.equals(rec.key())
                && (rec.value().contains("run-completed") || rec.value().contains("run-failed")), timeout);
        assertThat(r.value()).contains("run-completed");
        return EventCodec.decode(r.value(), RunCompleted.class);
    }

    private static double steps(String stage) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("simclr_train_steps_total\\{service=\"trainer-service\",stage=\""
                + stage + "\"} ([0-9.eE+]+)").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** 64 images of 8×8 in four classes, as train and test. */
    private DatasetRef publish() {
        LabelledImages images = TestImages.stripes(64, 8, 3);
        String name = "train-it-" + UUID.randomUUID().toString().substring(0, 8);
        new DatasetStore(store).publish(name, "v1", List.of("a", "b", "c", "d"), Map.of("train", images,
                "test", images), "test", 1000);
        return new DatasetRef(name, "v1");
    }
}
