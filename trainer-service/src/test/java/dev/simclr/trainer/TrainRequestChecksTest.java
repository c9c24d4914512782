package dev.simclr.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import org.junit.jupiter.api.Test;

/** The ids a train request carries are checked by field name, with the rule, before anything touches the store. */
class TrainRequestChecksTest {
    static TrainRequested request(String experimentId, String runId, String viewsFromRun) {
        return new TrainRequested(1, experimentId, runId, Stage.PRETRAIN, new DatasetRef("fashion-mnist", "v1"),
                new EncoderSpec(EncoderFamily.RESNET, 18, 0.25), 2, "crop+color", 1.0, 64, 3,
                new OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE), 0.5, 1, false, null,
                viewsFromRun);
    }

    @Test
    void aValidRequestHasNoProblems() {
        assertThat(TrainRequestChecks.problems(request("exp-1", "pretrain-0123456789abcdef",
                "augment-0123456789abcdef"))).isEmpty();
        assertThat(TrainRequestChecks.problems(request("exp-1", "pretrain-0123456789abcdef", null))).isEmpty();
    }

    @Test
    void idsThatWouldLeaveTheirPrefixAreNamedByFieldWithTheRule() {
        assertThat(TrainRequestChecks.problems(request("exp-1", "../pretrain", null)))
                .containsExactly("runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got '../pretrain'");
        assertThat(TrainRequestChecks.problems(request("a..b", "run..1", "views/../x"))).containsExactly(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'a..b'",
                "runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'run..1'",
                "viewsFromRun: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'views/../x'");
        assertThat(TrainRequestChecks.problems(request(null, "", null))).containsExactly(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got none",
                "runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got ''");
    }

    @Test
    void patienceIsAFineTunesAndAtLeastOneEpoch() {
        TrainRequested r = request("exp-1", "pretrain-0123456789abcdef", null);
        assertThat(TrainRequestChecks.problems(new TrainRequested(1, "exp-1", "finetune-1", Stage.FINETUNE,
                r.dataset(), r.encoder(), 2, "crop", 0.1, 64, 30, r.optimizer(), 0.5, 1, false, "checkpoints/p/s/",
                null, null, 5))).isEmpty();
        assertThat(TrainRequestChecks.problems(new TrainRequested(1, "exp-1", "finetune-1", Stage.FINETUNE,
                r.dataset(), r.encoder(), 2, "crop", 0.1, 64, 30, r.optimizer(), 0.5, 1, false, "checkpoints/p/s/",
                null, null, 0))).containsExactly("patienceEpochs: from 1 to 10000 (or leave it out: every epoch)");
        assertThat(TrainRequestChecks.problems(new TrainRequested(1, "exp-1", "pretrain-1", Stage.PRETRAIN,
                r.dataset(), r.encoder(), 2, "crop", 1.0, 64, 30, r.optimizer(), 0.5, 1, false, null, null, null, 3)))
                .containsExactly("patienceEpochs: only a finetune chooses its epoch on validation");
    }
}
