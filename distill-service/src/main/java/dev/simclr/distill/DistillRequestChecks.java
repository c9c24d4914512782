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
                .encoder("student", r.student())
                .require(r.mode() != DistillMode.FROZEN_BASE || !r.denseHidden().isEmpty(),
                        "denseHidden: a frozen-base student needs at least one dense layer")
                .require(r.denseHidden().stream().allMatch(h -> h > 0), "denseHidden: every layer size must be positive")
                .positive("temperature", r.temperature())
                .require(r.alpha() >= 0 && r.alpha() <= 1, "alpha: " + r.alpha() + " is outside [0, 1]")
                .dataset("unlabelled", r.unlabelled())
                .dataset("labelled", r.labelled())
                .require(r.batchSize() >= 2, "batchSize: at least 2 (batch norm), got " + r.batchSize())
                .positive("epochs", r.epochs())
                .positive("patienceEpochs", r.patienceEpochs())
                .optimizer("optimizer", r.optimizer())
                .require(!r.teacherCheckpoint().isBlank(), "teacherCheckpoint: must not be empty")
                .problems();
    }
}
