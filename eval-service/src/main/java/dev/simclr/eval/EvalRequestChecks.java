package dev.simclr.eval;

import dev.simclr.contracts.EvalKind;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.core.requests.RequestChecks;
import java.util.List;
import java.util.Set;

/** Range checks of an eval request, every problem named. */
public final class EvalRequestChecks {
    private EvalRequestChecks() {}

    public static List<String> problems(EvalRequested r) {
        return new RequestChecks()
                .id("experimentId", r.experimentId())
                .id("runId", r.runId())
                .require(r.kind() == EvalKind.PIXELS || !r.checkpoint().isBlank(),
                        "checkpoint: a " + r.kind().wireName() + " evaluation needs one")
                .keyIfPresent("checkpoint", r.checkpoint())
                .dataset("dataset", r.dataset())
                .batchSize("batchSize", r.batchSize())
                .epochs("epochs", r.epochs())
                .problems();
    }
}
