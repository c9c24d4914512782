package dev.simclr.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
    static final Instant AT = Instant.parse("2026-11-25T06:00:00Z");
    static final DatasetRef FMNIST = new DatasetRef("fashion-mnist", "v1");
    static final EncoderSpec RESNET18 = new EncoderSpec(EncoderFamily.RESNET, 18, 0.5);
    static final OptimizerSpec SGD = new OptimizerSpec(OptimizerName.SGD, 0.3, 0.9, 1e-6, true, 1, LrScaling.LINEAR);

    static List<Event> oneOfEach() {
        return List.of(
                new ExperimentSubmitted(1, "exp-1", "augmentation-ablation",
                        EventCodec.MAPPER.createObjectNode().put("scale", "demo"), "alice", AT),
                new ExperimentCompleted(1, "exp-1", "reports/exp-1/", AT),
                new ExperimentFailed(1, "exp-1", List.of("epochs: must be positive"), AT),
                new AugmentRequested(1, "exp-1", "augment-0a1b", FMNIST, "train", "simclr", 3, 7L, 2, 512, 1, null, null),
                new TrainRequested(1, "exp-1", "pretrain-0a1b", Stage.PRETRAIN, FMNIST, RESNET18, 2, "simclr",
                        1.0, 256, 10, SGD, 0.5, 7L, false, null, "augment-0a1b"),
                new DistillRequested(1, "exp-1", "distill-0a1b", "checkpoints/finetune-1/step-00000100/",
                        new EncoderSpec(EncoderFamily.VGG, 11, 0.25), DistillMode.FROZEN_BASE, List.of(256, 128), 4.0, 0.0,
                        FMNIST, FMNIST, 128, 20, 3, SGD, 7L, "runs/pretrain-1/checkpoints/step-0000000100.npz"),
                new EvalRequested(1, "exp-1", "eval-0a1b", EvalKind.LINEAR, "checkpoints/x/step-1/", FMNIST, 64, 30, 7L),
                new RunProgress(1, "exp-1", "pretrain-0a1b", Stage.PRETRAIN, 2, 40, 100, 5.1, 0.2, 900.5, null, AT),
                new RunCompleted(1, "exp-1", "pretrain-0a1b", Stage.PRETRAIN, "checkpoints/p/step-00000100/",
                        Map.of("knnAccuracy", 0.71, "loss", 4.2), 123.5, AT),
                new RunFailed(1, null, null, null, "message: not JSON", AT),
                new RunStarted(1, "exp-1", "pretrain-0a1b", Stage.PRETRAIN, AT, "trainer-service@node-1/4242"),
                new ExperimentCancelRequested(1, "exp-1", "submitted by mistake", AT),
                new ExperimentCancelled(1, "exp-1", 3, 9, "submitted by mistake", AT));
    }

    @Test
    void aRunStartedWithoutItsInstanceStillReads() {
        // an older worker's: the coordinator shows no instance for it
        RunStarted old = EventCodec.decode("{\"type\":\"run-started\",\"schemaVersion\":1,\"experimentId\":\"e\","
                + "\"runId\":\"r\",\"stage\":\"pretrain\",\"at\":\"2026-01-01T00:00:00Z\"}", RunStarted.class);
        assertThat(old.instance()).isNull();
        assertThat(old.runId()).isEqualTo("r");
    }

    @Test
    void aTrainRequestWithoutPatienceStillReadsAndOneWithItRoundTrips() {
        // a coordinator's from before the best-validation budget: every epoch trained, as before
        ObjectNode old = tree(oneOfEach().get(4));
        old.remove("patienceEpochs");
        TrainRequested read = EventCodec.decode(old.toString(), TrainRequested.class);
        assertThat(read.patienceEpochs()).isNull();
        assertThat(read).isEqualTo(oneOfEach().get(4));
        TrainRequested r = (TrainRequested) oneOfEach().get(4);
        TrainRequested best = new TrainRequested(1, "exp-1", "finetune-0a1b", Stage.FINETUNE, FMNIST, RESNET18, 2,
                "crop", 0.1, 64, 30, SGD, 0.5, 7L, false, "checkpoints/p/step-1/", null, null, 3);
        assertThat(EventCodec.decode(EventCodec.encode(best), TrainRequested.class).patienceEpochs()).isEqualTo(3);
        assertThat(r.patienceEpochs()).isNull();
    }

    @Test
    void everyEventTypeIsCovered() {
        assertThat(oneOfEach()).extracting(e -> EventType.of(e.getClass()))
                .containsExactlyInAnyOrder(EventType.values());
    }

    @ParameterizedTest
    @MethodSource("oneOfEach")
    void roundTripsThroughJsonWithItsTypeName(Event event) {
        String json = EventCodec.encode(event);
        assertThat(json).contains("\"type\":\"" + EventType.of(event.getClass()).wireName() + "\"");
        assertThat(EventCodec.decode(json)).isEqualTo(event);
        assertThat(EventCodec.decode(json, event.getClass())).isEqualTo(event);
        assertThat(EventCodec.encode(EventCodec.decode(json))).isEqualTo(json);
    }

    @Test
    void missingRequiredFieldIsNamed() {
        ObjectNode node = tree(oneOfEach().get(4));
        node.remove("batchSize");
        ((ObjectNode) node.get("encoder")).remove("depth");
        assertThatThrownBy(() -> EventCodec.decode(node.toString(), TrainRequested.class))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.problems())
                        .containsExactly("batchSize: required field is missing",
                                "encoder.depth: required field is missing"));
    }

    @Test
    void wrongTypeIsNamed() {
        ObjectNode node = tree(oneOfEach().get(4));
        node.put("epochs", "ten");
        assertThatThrownBy(() -> EventCodec.decode(node.toString()))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.problems())
                        .singleElement().asString().startsWith("epochs: ").contains("integer"));
    }

    @Test
    void unknownSchemaVersionIsRefusedByName() {
        ObjectNode node = tree(oneOfEach().get(0));
        node.put("schemaVersion", 7);
        assertThatThrownBy(() -> EventCodec.decode(node.toString()))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.problems())
                        .containsExactly("schemaVersion: unsupported version 7 (this build reads 1)"));
    }

    @Test
    void misspeltFieldIsRefusedNotIgnored() {
        ObjectNode node = tree(oneOfEach().get(6));
        node.put("batchsize", 64);
        assertThatThrownBy(() -> EventCodec.decode(node.toString()))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.problems())
                        .singleElement().asString().contains("batchsize"));
    }

    @Test
    void wrongEventOnAOneKindTopicIsRefused() {
        String progress = EventCodec.encode(oneOfEach().get(7));
        assertThatThrownBy(() -> EventCodec.decode(progress, TrainRequested.class))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.problems())
                        .containsExactly("type: expected 'train-requested' but was 'run-progress'"));
    }

    @Test
    void handWrittenRequestWithoutTypeIsAcceptedOnItsTopic() {
        ObjectNode node = tree(oneOfEach().get(6));
        node.remove("type");
        assertThat(EventCodec.decode(node.toString(), EvalRequested.class)).isEqualTo(oneOfEach().get(6));
    }

    @Test
    void notJsonAndUnknownTypeAreRefusedWithAReason() {
        assertThatThrownBy(() -> EventCodec.decode("{nope"))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.problems()).singleElement().asString().startsWith("message: not JSON"));
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"train-please\"}"))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.problems()).singleElement().asString()
                                .startsWith("type: unknown 'train-please'"));
        assertThatThrownBy(() -> EventCodec.decode("[1,2]"))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.problems()).containsExactly("message: not a JSON object"));
    }

    @Test
    void idsOfAMalformedMessageCanStillBeRead() {
        String json = "{\"experimentId\":\"exp-9\",\"runId\":\"train-1\",\"epochs\":\"x\"}";
        assertThat(EventCodec.textField(json, "runId")).isEqualTo("train-1");
        assertThat(EventCodec.textField("{oops", "runId")).isNull();
    }

    private static ObjectNode tree(Event e) {
        try {
            return (ObjectNode) EventCodec.MAPPER.readTree(EventCodec.encode(e));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
