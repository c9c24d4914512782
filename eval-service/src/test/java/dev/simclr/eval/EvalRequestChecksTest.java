package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EvalKind;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.eval.submission.SubmissionCheck;
import org.junit.jupiter.api.Test;

/** The ids an eval request and a submission carry are checked by field name, with the rule. */
class EvalRequestChecksTest {
    static EvalRequested request(String experimentId, String runId) {
        return new EvalRequested(1, experimentId, runId, EvalKind.LINEAR, "runs/x/checkpoints/step-0000000001.npz",
                new DatasetRef("fashion-mnist", "v1"), 64, 5, 1);
    }

    @Test
    void evalRequestIdsAreCheckedByFieldName() {
        assertThat(EvalRequestChecks.problems(request("exp-1", "eval-0123456789abcdef"))).isEmpty();
        assertThat(EvalRequestChecks.problems(request("../exp", "eval/1"))).containsExactly(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got '../exp'",
                "runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'eval/1'");
    }

    @Test
    void aSubmissionsExperimentIdIsCheckedByTheSameRule() {
        assertThat(SubmissionCheck.idProblems("demo-1")).isEmpty();
        assertThat(SubmissionCheck.idProblems("demo..1")).containsExactly(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'demo..1'");
        assertThat(SubmissionCheck.check("a/b", "r", null).problems())
                .contains("experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'a/b'");
    }
}
