package dev.simclr.eval;

import dev.simclr.contracts.EvalRequested;
import dev.simclr.platform.requests.RequestChecks;
import java.util.List;
import java.util.Set;

/** Range checks of an eval request, every problem named. */
public final class EvalRequestChecks {
    private EvalRequestChecks() {}

    public static List<String> problems(EvalRequested r) {
        return new RequestChecks()
                .oneOf("kind", r.kind(), Set.of("test-accuracy", "linear", "transfer"))
                .require(!r.checkpoint().isBlank(), "checkpoint: must not be empty")
                .dataset("dataset", r.dataset())
                .positive("batchSize", r.batchSize())
                .positive("epochs", r.epochs())
                .problems();
    }
}
