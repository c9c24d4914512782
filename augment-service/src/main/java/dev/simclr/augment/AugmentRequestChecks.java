package dev.simclr.augment;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.platform.requests.RequestChecks;
import java.util.List;
import java.util.Set;

/** Range checks of an augment request, every problem named. */
public final class AugmentRequestChecks {
    static final Set<String> POLICIES = Set.of("none", "crop", "flip", "color", "crop+color", "flip+crop", "all",
            "simclr");

    private AugmentRequestChecks() {}

    public static List<String> problems(AugmentRequested r) {
        return new RequestChecks()
                .dataset("dataset", r.dataset())
                .oneOf("policy", r.policy(), POLICIES)
                .positive("epochs", r.epochs())
                .positive("viewsPerImage", r.viewsPerImage())
                .positive("shardSize", r.shardSize())
                .positive("lookaheadEpochs", r.lookaheadEpochs())
                .problems();
    }
}
