package dev.simclr.distill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.OptimizerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ids a distill request carries are checked by field name, with the rule, before anything touches the store. */
class DistillRequestChecksTest {
    static DistillRequested request(String experimentId, String runId) {
        DatasetRef d = new DatasetRef("fashion-mnist", "v1");
        return new DistillRequested(1, experimentId, runId, "runs/x/checkpoints/step-0000000001.npz",
                new EncoderSpec(EncoderFamily.RESNET, 18, 0.25), DistillMode.FROZEN_BASE, List.of(128), 1.0, 0.0, d,
                d, 64, 10, 3, new OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE), 1, null);
    }

    @Test
    void idsAreCheckedByFieldName() {
        assertThat(DistillRequestChecks.problems(request("exp-1", "distill-0123456789abcdef"))).isEmpty();
        assertThat(DistillRequestChecks.problems(request("exp-1", ".."))).containsExactly(
                "runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got '..'");
        assertThat(DistillRequestChecks.problems(request("exp 1", "distill-1"))).containsExactly(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'exp 1'");
    }
}
