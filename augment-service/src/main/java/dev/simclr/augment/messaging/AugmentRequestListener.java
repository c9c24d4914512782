package dev.simclr.augment.messaging;

import dev.simclr.augment.AugmentRequestChecks;
import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.platform.quarkus.RequestIntake;
import dev.simclr.platform.quarkus.RunEventsEmitter;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes augment requests; a bad one is answered with run-failed naming every problem. */
@ApplicationScoped
public class AugmentRequestListener {
    @Inject
    RunEventsEmitter events;

    @Incoming(Topics.AUGMENT_REQUESTS)
    @Blocking
    public void onRequest(String json) {
        RequestIntake.handle(json, AugmentRequested.class, Stage.AUGMENT, AugmentRequestChecks::problems,
                request -> events.failed(request.experimentId(), request.runId(), Stage.AUGMENT,
                        "this build of augment-service validates requests but has no augmentation pipeline yet"),
                events);
    }
}
