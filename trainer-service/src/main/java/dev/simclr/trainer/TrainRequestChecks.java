package dev.simclr.trainer;

import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.requests.RequestChecks;
import java.util.List;

/** Range and consistency checks of a train request, every problem named. */
public final class TrainRequestChecks {
    private TrainRequestChecks() {}

    public static List<String> problems(TrainRequested r) {
        return new RequestChecks()
                .id("experimentId", r.experimentId())
                .id("runId", r.runId())
                .idIfPresent("viewsFromRun", r.viewsFromRun())
                .require(r.stage() == Stage.PRETRAIN || r.stage() == Stage.FINETUNE,
                        "stage: trainer-service runs pretrain or finetune, not " + r.stage().wireName())
                .dataset("dataset", r.dataset())
                .encoder("encoder", r.encoder())
                .optimizer("optimizer", r.optimizer())
                .policy("policy", r.policy())
                .fraction("labelFraction", r.labelFraction())
                .batchSize("batchSize", r.batchSize())
                .require(r.viewsFromRun() == null || r.labelFraction() == 1.0,
                        "viewsFromRun: view shards cover the whole split; a label fraction below 1 augments in process")
                .epochs("epochs", r.epochs())
                .range("temperature", r.temperature(), 0, RequestChecks.MAX_TEMPERATURE)
                .require(r.projectionLayers() == 2 || r.projectionLayers() == 3,
                        "projectionLayers: " + r.projectionLayers() + " (2 or 3)")
                .require(r.stage() != Stage.FINETUNE || r.initialCheckpoint() != null,
                        "initialCheckpoint: a finetune run needs the pretrained checkpoint")
                .keyIfPresent("initialCheckpoint", r.initialCheckpoint())
                .require(r.patienceEpochs() == null || r.stage() == Stage.FINETUNE,
                        "patienceEpochs: only a finetune chooses its epoch on validation")
                .require(r.patienceEpochs() == null || (r.patienceEpochs() >= 1
                        && r.patienceEpochs() <= RequestChecks.MAX_EPOCHS),
                        "patienceEpochs: from 1 to " + RequestChecks.MAX_EPOCHS + " (or leave it out: every epoch)")
                .problems();
    }
}
