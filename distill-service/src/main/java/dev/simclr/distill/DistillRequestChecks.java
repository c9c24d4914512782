package dev.simclr.distill;

import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.core.requests.RequestChecks;
import java.util.List;
import java.util.Set;

/** Range and consistency checks of a distill request, every problem named. */
public final class DistillRequestChecks {
    private DistillRequestChecks() {}

    public static List<String> problems(DistillRequested r) {
        return new RequestChecks()
                .id("experimentId", r.experimentId())
                .id("runId", r.runId())
                .encoder("student", r.student())
                .require(r.mode() != DistillMode.FROZEN_BASE || !r.denseHidden().isEmpty(),
                        "denseHidden: a frozen-base student needs at least one dense layer")
                .require(r.denseHidden().size() <= 8 && r.denseHidden().stream().allMatch(h -> h > 0 && h <= 65_536),
                        "denseHidden: at most 8 layers, each of 1 to 65536 units")
                .range("temperature", r.temperature(), 0, RequestChecks.MAX_TEMPERATURE)
                .require(r.alpha() >= 0 && r.alpha() <= 1, "alpha: " + r.alpha() + " is outside [0, 1]")
                .dataset("unlabelled", r.unlabelled())
                .dataset("labelled", r.labelled())
                .batchSize("batchSize", r.batchSize())
                .epochs("epochs", r.epochs())
                .range("patienceEpochs", r.patienceEpochs(), 1, RequestChecks.MAX_EPOCHS)
                .optimizer("optimizer", r.optimizer())
                .key("teacherCheckpoint", r.teacherCheckpoint())
                .keyIfPresent("studentCheckpoint", r.studentCheckpoint())
                .problems();
    }
}
