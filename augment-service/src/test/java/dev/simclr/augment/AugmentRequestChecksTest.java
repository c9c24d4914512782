package dev.simclr.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import org.junit.jupiter.api.Test;

/** The ids an augment request carries are checked by field name, with the rule, before anything touches the store. */
class AugmentRequestChecksTest {
    static AugmentRequested request(String experimentId, String runId) {
        return new AugmentRequested(1, experimentId, runId, new DatasetRef("fashion-mnist", "v1"), "train", "simclr",
                3, 1, 2, 500, 1, null, null);
    }

    @Test
    void idsAreCheckedByFieldName() {
        assertThat(AugmentRequestChecks.problems(request("exp-1", "augment-0123456789abcdef"))).isEmpty();
        assertThat(AugmentRequestChecks.problems(request("Exp", "augment/../../datasets"))).containsExactly(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'Exp'",
                "runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'augment/../../datasets'");
    }
}
