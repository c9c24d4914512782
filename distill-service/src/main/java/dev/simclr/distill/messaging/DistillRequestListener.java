package dev.simclr.distill.messaging;

import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.distill.DistillRequestChecks;
import dev.simclr.platform.quarkus.RequestIntake;
import dev.simclr.platform.quarkus.RunEventsEmitter;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes distill requests; a bad one is answered with run-failed naming every problem. */
@ApplicationScoped
public class DistillRequestListener {
    @Inject
    RunEventsEmitter events;

    @Incoming(Topics.DISTILL_REQUESTS)
    @Blocking
    public void onRequest(String json) {
        RequestIntake.handle(json, DistillRequested.class, Stage.DISTILL, DistillRequestChecks::problems,
                request -> events.failed(request.experimentId(), request.runId(), Stage.DISTILL,
                        "this build of distill-service validates requests but has no training engine yet"),
                events);
    }
}
