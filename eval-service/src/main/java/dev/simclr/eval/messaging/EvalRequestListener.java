package dev.simclr.eval.messaging;

import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.eval.EvalRequestChecks;
import dev.simclr.platform.quarkus.RequestIntake;
import dev.simclr.platform.quarkus.RunEventsEmitter;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes eval requests; a bad one is answered with run-failed naming every problem. */
@ApplicationScoped
public class EvalRequestListener {
    @Inject
    RunEventsEmitter events;

    @Incoming(Topics.EVAL_REQUESTS)
    @Blocking
    public void onRequest(String json) {
        RequestIntake.handle(json, EvalRequested.class, Stage.EVAL, EvalRequestChecks::problems,
                request -> events.failed(request.experimentId(), request.runId(), Stage.EVAL,
                        "this build of eval-service validates requests but has no evaluator yet"),
                events);
    }
}
