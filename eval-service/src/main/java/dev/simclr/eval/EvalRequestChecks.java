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
                .oneOf("kind", r.kind(), Set.of("test-accuracy", "linear", "transfer", "pixels"))
                .require("pixels".equals(r.kind()) || !r.checkpoint().isBlank(),
                        "checkpoint: a " + r.kind() + " evaluation needs one")
                .dataset("dataset", r.dataset())
                .require(r.batchSize() >= 2, "batchSize: at least 2, got " + r.batchSize())
                .positive("epochs", r.epochs())
                .problems();
    }
}
