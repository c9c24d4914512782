package dev.simclr.eval.messaging;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.EventType;
import dev.simclr.contracts.ExperimentCancelRequested;
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
import dev.simclr.eval.submission.SubmissionCheck;
import dev.simclr.kit.AckedSend;
import dev.simclr.kit.DeadLetters;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Experiments submitted by any Kafka client (the CLI, the REST resource, kcat) go to the coordinator; a submission
 * it cannot run is answered with experiment-failed naming every problem, and dead-lettered. One the store could
 * not take now goes back on the topic, with its original timestamp. Run events keep the coordinator up to date.
 * Nothing escapes a handler: every record is answered or dead-lettered, and the offset moves on.
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
    @Channel("experiments-requeue")
    Emitter<String> requeue;

    @Inject
    DeadLetters deadLetters;

    @Inject
    CoordinatorMetrics metrics;

    @Incoming(Topics.EXPERIMENTS)
    @Blocking
    public void onSubmitted(ConsumerRecord<String, String> record) {
        String json = record.value();
        String id = EventCodec.textField(json, "experimentId");
        if (EventType.EXPERIMENT_CANCEL_REQUESTED.wireName().equals(EventCodec.textField(json, "type"))) {
            onCancel(record, id);
            return;
        }
        // the record's timestamp is when the producer sent it: the submission instant the coordination figures
        // count from (the event's own submittedAt is whatever the client wrote)
        Instant sentAt = record.timestamp() > 0 ? Instant.ofEpochMilli(record.timestamp()) : Instant.now();
        Coordinator.Submitted taken;
        try {
            if (json != null && json.length() > SubmissionCheck.MAX_BYTES) {
                taken = new Coordinator.Submitted(Coordinator.Taken.REFUSED, List.of("message: " + json.length()
                        + " bytes, at most " + SubmissionCheck.MAX_BYTES));
            } else {
                taken = coordinator.submit(EventCodec.decode(json, ExperimentSubmitted.class), sentAt);
            }
        } catch (InvalidEventException e) {
            taken = new Coordinator.Submitted(Coordinator.Taken.REFUSED, e.problems());
        } catch (RuntimeException | StackOverflowError e) {
            LOG.errorf(e, "experiment %s: submission could not be handled", id);
            taken = new Coordinator.Submitted(Coordinator.Taken.REFUSED,
                    List.of("submission could not be handled: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        switch (taken.taken()) {
            case REFUSED -> refuse(record, id, taken.problems());
            case RETRY -> offerAgain(record, id, taken.problems());
            default -> { }
        }
    }

    /** A cancellation the coordinator cannot act on (unknown, already ended, malformed) is dead-lettered, named. */
    private void onCancel(ConsumerRecord<String, String> record, String id) {
        Coordinator.Submitted taken;
        try {
            taken = coordinator.cancel(EventCodec.decode(record.value(), ExperimentCancelRequested.class));
        } catch (InvalidEventException e) {
            taken = new Coordinator.Submitted(Coordinator.Taken.REFUSED, e.problems());
        } catch (RuntimeException | StackOverflowError e) {
            LOG.errorf(e, "experiment %s: cancellation could not be handled", id);
            taken = new Coordinator.Submitted(Coordinator.Taken.REFUSED, List.of("cancellation could not be handled: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        switch (taken.taken()) {
            case REFUSED -> {
                LOG.warnf("cancellation of %s refused: %s", id, taken.problems());
                deadLetters.send(record, String.join("; ", taken.problems()));
            }
            case RETRY -> offerAgain(record, id, taken.problems());
            default -> metrics.experimentEnded("cancelled");
        }
    }

    private void refuse(ConsumerRecord<String, String> record, String id, List<String> problems) {
        LOG.warnf("experiment %s refused: %s", id, problems);
        String key = id == null || !SubmissionCheck.idProblems(id).isEmpty() ? "invalid" : id;
        try {
            AckedSend.send(experimentEvents, key, null, EventCodec.encode(
                    new ExperimentFailed(Event.SCHEMA_VERSION, SubmissionCheck.idProblems(id).isEmpty() ? id : null,
                            problems, Instant.now())));
        } catch (RuntimeException e) {
            LOG.errorf("experiment %s: experiment-failed not sent (%s)", id, e.getMessage());
        }
        metrics.experimentEnded("rejected");
        deadLetters.send(record, String.join("; ", problems));
    }

    /** The store is away: the submission goes to the end of the topic (its first timestamp kept) and waits its turn. */
    private void offerAgain(ConsumerRecord<String, String> record, String id, List<String> why) {
        LOG.warnf("experiment %s waits for the object store (%s): offered again", id, why);
        try {
            Thread.sleep(1000); // an outage is not a hot loop
            var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key())
                    .withTimestamp(Instant.ofEpochMilli(record.timestamp())).build();
            AckedSend.send(requeue, Message.of(record.value()).addMetadata(metadata), id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf("experiment %s: submission not offered again (%s); the broker re-delivers it", id,
                    e.getMessage());
        }
    }

    /** Memory only (no storage, no lock): a run event never waits for the store or for a pass. */
    @Incoming("run-events-in")
    public void onRunEvent(ConsumerRecord<String, String> record) {
        String json = record.value();
        String type = EventCodec.textField(json, "type");
        try {
            switch (type == null ? "" : type) {
                case "run-completed" -> coordinator.runCompleted(EventCodec.decode(json, RunCompleted.class));
                case "run-failed" -> coordinator.runFailed(EventCodec.decode(json, RunFailed.class));
                case "run-progress" -> coordinator.progress(EventCodec.decode(json, RunProgress.class));
                case "run-started" -> coordinator.runStarted(EventCodec.decode(json, RunStarted.class));
                default -> deadLetters.send(record, "type: not a run event ('" + SubmissionCheck.printable(type) + "')");
            }
        } catch (InvalidEventException e) {
            deadLetters.send(record, String.join("; ", e.problems()));
        } catch (RuntimeException | StackOverflowError e) {
            deadLetters.send(record, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
