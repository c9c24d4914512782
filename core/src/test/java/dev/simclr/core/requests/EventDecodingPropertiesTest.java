package dev.simclr.core.requests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.ExperimentCancelRequested;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.EvalKind;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.InvalidEventException;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.testing.JsonMutations;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Any mutation of a valid event of any type decodes, or is refused with problems that each name a field; nothing
 * else is thrown (a consumer that met an exception would stop). Requests that decode then pass the range checks,
 * which also never throw and name their fields.
 */
class EventDecodingPropertiesTest {
    /** "field.path[1]: reason", "message: ...", "type: ...". */
    static final Pattern NAMED = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*(\\[\\d+\\])?([.][A-Za-z0-9_]+(\\[\\d+\\])?)*: .+",
            Pattern.DOTALL);
    static final DatasetRef D = new DatasetRef("fashion-mnist", "v1");
    static final OptimizerSpec O = new OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE);
    static final EncoderSpec E = new EncoderSpec(EncoderFamily.RESNET, 18, 0.25);
    static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    static final List<Event> VALID = List.of(
            new TrainRequested(1, "exp", "pretrain-1", Stage.PRETRAIN, D, E, 2, "crop+color", 1.0, 64, 3, O, 0.5, 1,
                    false, null, null),
            new DistillRequested(1, "exp", "distill-1", "runs/x/checkpoints/step-0000000001.npz", E,
                    DistillMode.FROZEN_BASE, List.of(128), 1.0, 0.0, D, D, 64, 10, 3, O, 1, null),
            new EvalRequested(1, "exp", "eval-1", EvalKind.LINEAR, "runs/x/checkpoints/step-0000000001.npz", D, 64,
                    5, 1),
            new AugmentRequested(1, "exp", "augment-1", D, "train", "simclr", 3, 1, 2, 500, 1, null, null),
            new RunStarted(1, "exp", "r", Stage.EVAL, T),
            new RunProgress(1, "exp", "r", Stage.PRETRAIN, 1, 2, 10, 4.5, 0.1, 100, null, T),
            new RunCompleted(1, "exp", "r", Stage.EVAL, "k", Map.of("top1", 0.5), 1.0, T),
            new RunFailed(1, "exp", "r", Stage.EVAL, "boom", T),
            new ExperimentCancelRequested(1, "exp", "a mistake", T));

    @Test
    void everyMutationOfEveryEventTypeDecodesOrIsRefusedByField() {
        int cases = 0;
        for (Event valid : VALID) {
            for (String json : JsonMutations.sample(EventCodec.encode(valid), 300, valid.getClass().getName().hashCode())) {
                check(valid.getClass(), json);
                cases++;
            }
        }
        assertThat(cases).isEqualTo(300 * VALID.size());
    }

    static void check(Class<? extends Event> type, String json) {
        Event decoded;
        try {
            decoded = EventCodec.decode(json, type);
        } catch (InvalidEventException e) {
            assertThat(e.problems()).as(json).isNotEmpty().allSatisfy(p -> assertThat(p).matches(NAMED));
            return;
        }
        List<String> problems = List.of();
        if (decoded instanceof TrainRequested t) {
            problems = new RequestChecks().id("runId", t.runId()).dataset("dataset", t.dataset()).encoder("encoder", t.encoder())
                    .optimizer("optimizer", t.optimizer()).policy("policy", t.policy()).epochs("epochs", t.epochs())
                    .batchSize("batchSize", t.batchSize()).keyIfPresent("initialCheckpoint", t.initialCheckpoint())
                    .problems();
        } else if (decoded instanceof DistillRequested d) {
            problems = new RequestChecks().id("runId", d.runId()).encoder("student", d.student()).dataset("labelled", d.labelled())
                    .key("teacherCheckpoint", d.teacherCheckpoint()).optimizer("optimizer", d.optimizer())
                    .epochs("epochs", d.epochs()).problems();
        } else if (decoded instanceof EvalRequested v) {
            problems = new RequestChecks().id("experimentId", v.experimentId()).dataset("dataset", v.dataset()).keyIfPresent("checkpoint", v.checkpoint())
                    .batchSize("batchSize", v.batchSize()).epochs("epochs", v.epochs()).problems();
        } else if (decoded instanceof AugmentRequested a) {
            problems = new RequestChecks().id("experimentId", a.experimentId()).dataset("dataset", a.dataset()).policy("policy", a.policy())
                    .epochs("epochs", a.epochs()).name("split", a.split()).problems();
        }
        assertThat(problems).as(json).allSatisfy(p -> assertThat(p).matches(NAMED));
    }
}
