package dev.simclr.platform.quarkus;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Sends run events (progress, completion, failure) to {@link Topics#RUN_EVENTS}, keyed by run id. */
@ApplicationScoped
public class RunEventsEmitter {
    private static final Logger LOG = Logger.getLogger(RunEventsEmitter.class);

    @Inject
    @Channel(Topics.RUN_EVENTS)
    Emitter<String> events;

    /** Sends and waits for the broker's acknowledgement, so an event is never lost behind a commit. */
    public void send(String runId, Event event) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<String> message = Message.of(EventCodec.encode(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(runId).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    acked.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
        events.send(message);
        try {
            acked.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("run event for " + runId + " not acknowledged: " + e, e);
        }
    }

    public void failed(String experimentId, String runId, Stage stage, String reason) {
        LOG.warnf("run %s (experiment %s) failed: %s", runId, experimentId, reason);
        send(runId, new RunFailed(Event.SCHEMA_VERSION, experimentId, runId, stage, reason, Instant.now()));
    }
}
