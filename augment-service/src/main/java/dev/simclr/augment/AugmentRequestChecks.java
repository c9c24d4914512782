package dev.simclr.augment;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.core.requests.RequestChecks;
import java.util.List;

/** Range checks of an augment request, every problem named. */
public final class AugmentRequestChecks {
    private AugmentRequestChecks() {}

    public static List<String> problems(AugmentRequested r) {
        return new RequestChecks()
                .id("experimentId", r.experimentId())
                .id("runId", r.runId())
                .dataset("dataset", r.dataset())
                .policy("policy", r.policy())
                .epochs("epochs", r.epochs())
                .positive("viewsPerImage", r.viewsPerImage())
                .range("shardSize", r.shardSize(), 1, 1_000_000)
                .range("lookaheadEpochs", r.lookaheadEpochs(), 1, RequestChecks.MAX_EPOCHS)
                .name("split", r.split())
                .require(r.viewsPerImage() <= 8, "viewsPerImage: at most 8, got " + r.viewsPerImage())
                .require((r.slice() == null) == (r.slices() == null), "slice and slices: give both or neither")
                .require(r.slices() == null || r.slices() > 0, "slices: must be positive, got " + r.slices())
                .require(r.slice() == null || r.slices() == null || (r.slice() >= 0 && r.slice() < r.slices()),
                        "slice: must be in [0, slices), got " + r.slice())
                .problems();
    }
}
