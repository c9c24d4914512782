package dev.simclr.trainer.messaging;

import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.platform.quarkus.RequestIntake;
import dev.simclr.platform.quarkus.RunEventsEmitter;
import dev.simclr.trainer.TrainRequestChecks;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes train requests; a bad one is answered with run-failed naming every problem. */
@ApplicationScoped
public class TrainRequestListener {
    @Inject
    RunEventsEmitter events;

    @Incoming(Topics.TRAIN_REQUESTS)
    @Blocking
    public void onRequest(String json) {
        RequestIntake.handle(json, TrainRequested.class, Stage.PRETRAIN, TrainRequestChecks::problems,
                request -> events.failed(request.experimentId(), request.runId(), request.stage(),
                        "this build of trainer-service validates requests but has no training engine yet"),
                events);
    }
}
