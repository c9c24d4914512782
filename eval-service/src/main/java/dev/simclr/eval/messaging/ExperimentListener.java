package dev.simclr.eval.messaging;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentFailed;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.InvalidEventException;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.contracts.Topics;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.metrics.CoordinatorMetrics;
import dev.simclr.kit.AckedSend;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Experiments submitted by any Kafka client (the CLI, the REST resource, kcat) go to the coordinator; a submission
 * it cannot run is answered with experiment-failed naming every problem. Run events keep it up to date.
 */
@ApplicationScoped
public class ExperimentListener {
    private static final Logger LOG = Logger.getLogger(ExperimentListener.class);

    @Inject
    Coordinator coordinator;

    @Inject
    @Channel("experiment-events-out")
    Emitter<String> experimentEvents;

    @Inject
    CoordinatorMetrics metrics;

    @Incoming(Topics.EXPERIMENTS)
    @Blocking
    public void onSubmitted(ConsumerRecord<String, String> record) {
        List<String> problems;
        String json = record.value();
        String id = EventCodec.textField(json, "experimentId");
        try {
            // the record's timestamp is when the producer sent it: the submission instant the coordination figures
            // count from (the event's own submittedAt is whatever the client wrote)
            problems = coordinator.submit(EventCodec.decode(json, ExperimentSubmitted.class),
                    record.timestamp() > 0 ? Instant.ofEpochMilli(record.timestamp()) : Instant.now());
        } catch (InvalidEventException e) {
            problems = e.problems();
        }
        if (!problems.isEmpty()) {
            LOG.warnf("experiment %s refused: %s", id, problems);
            AckedSend.send(experimentEvents, id == null ? "invalid" : id, null, EventCodec.encode(
                    new ExperimentFailed(Event.SCHEMA_VERSION, id, problems, Instant.now())));
            metrics.experimentEnded("rejected");
        }
    }

    @Incoming("run-events-in")
    public void onRunEvent(String json) {
        String type = EventCodec.textField(json, "type");
        try {
            switch (type == null ? "" : type) {
                case "run-completed" -> coordinator.runCompleted(EventCodec.decode(json, RunCompleted.class));
                case "run-failed" -> coordinator.runFailed(EventCodec.decode(json, RunFailed.class));
                case "run-progress" -> coordinator.progress(EventCodec.decode(json, RunProgress.class));
                case "run-started" -> coordinator.runStarted(EventCodec.decode(json, RunStarted.class));
                default -> { }
            }
        } catch (InvalidEventException e) {
            LOG.debugf("ignored a run event that does not decode: %s", e.problems());
        }
    }
}
