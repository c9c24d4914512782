package dev.simclr.eval.messaging;

import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.eval.EvalRequestChecks;
import dev.simclr.kit.RequestIntake;
import dev.simclr.kit.RunEventsEmitter;
import dev.simclr.runs.EvalRun;
import dev.simclr.core.store.ObjectStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes eval requests and evaluates (linear, transfer, test accuracy, raw pixels); a bad one is answered with
 * run-failed naming every problem. Evaluations are short: one go, no slices; the result is stored, so a re-delivered
 * request is answered from it.
 */
@ApplicationScoped
public class EvalRequestListener {
    @Inject
    RunEventsEmitter events;

    @Inject
    RequestIntake intake;

    @Inject
    @Channel("eval-requeue")
    Emitter<String> requeue;

    @Inject
    ObjectStore store;

    @ConfigProperty(name = "simclr.eval.device", defaultValue = "cpu")
    String device;

    @Incoming(Topics.EVAL_REQUESTS)
    @Blocking
    public void onRequest(ConsumerRecord<String, String> record) {
        intake.handle(record, EvalRequested.class, Stage.EVAL, EvalRequestChecks::problems,
                request -> events.completed(new EvalRun(store, device).run(request).completed()), requeue);
    }
}
