package dev.simclr.kit;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.InvalidEventException;
import dev.simclr.contracts.Stage;
import dev.simclr.core.Transient;
import dev.simclr.core.run.Cancellations;
import dev.simclr.core.store.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * What every worker does with a record off its request topic: decode against the schema, check ranges, say
 * run-started, hand it on. Whatever happens, the record is answered and the consumer goes on:
 * <ul>
 *   <li>a record that does not decode or fails its checks: run-failed naming every problem, and a dead letter;</li>
 *   <li>a transient failure (object store or broker away, views not written yet): the request goes back on its
 *   own partition ({@code requeue}) and is tried again — not a failed run;</li>
 *   <li>any other failure of the run: run-failed with the cause, and a dead letter;</li>
 *   <li>a request of a cancelled experiment ({@link Cancellations}): dropped before its next slice starts.</li>
 * </ul>
 * Nothing escapes {@link #handle}: a handler that threw would fail-stop the channel (SmallRye's default) or, after
 * a restart, meet the same record again.
 */
@ApplicationScoped
public class RequestIntake {
    private static final Logger LOG = Logger.getLogger(RequestIntake.class);

    @Inject
    RunEventsEmitter events;

    @Inject
    DeadLetters deadLetters;

    @Inject
    MeterRegistry registry;

    @Inject
    ObjectStore store;

    /** {@code stage}: the worker's stage, unless the request names its own (pretrain or finetune). */
    public <T extends Event> void handle(ConsumerRecord<String, String> record, Class<T> type, Stage defaultStage,
                                         Function<T, List<String>> checks, Consumer<T> execute,
                                         Emitter<String> requeue) {
        String json = record.value();
        Stage stage = stageOf(json, defaultStage);
        String experimentId = EventCodec.textField(json, "experimentId");
        String runId = EventCodec.textField(json, "runId");
        T request;
        List<String> problems;
        try {
            request = EventCodec.decode(json, type);
            problems = checks.apply(request);
        } catch (InvalidEventException e) {
            request = null;
            problems = e.problems();
        } catch (RuntimeException | StackOverflowError e) {
            request = null;
            problems = List.of("message: cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!problems.isEmpty()) {
            String reason = "invalid " + stage.wireName() + " request: " + String.join("; ", problems);
            answerFailed(experimentId, runId, stage, reason);
            deadLetters.send(record, reason);
            return;
        }
        try {
            // every slice comes through here: a cancelled experiment's run stops at its next slice boundary
            if (Cancellations.cancelled(store, experimentId)) {
                LOG.infof("run %s: experiment %s is cancelled, the run stops here", runId, experimentId);
                registry.counter("simclr_runs_cancelled_total", "stage", stage.wireName()).increment();
                return;
            }
            events.started(experimentId, runId, stage);
            execute.accept(request);
        } catch (RuntimeException | StackOverflowError e) {
            if (Transient.in(e)) {
                requeue(record, requeue, runId, e);
                return;
            }
            LOG.errorf(e, "run %s (experiment %s) failed", runId, experimentId);
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            answerFailed(experimentId, runId, stage, reason);
            deadLetters.send(record, reason);
        }
    }

    /** The request back at the end of its partition: it is tried again once what it waits for is back. */
    void requeue(ConsumerRecord<String, String> record, Emitter<String> requeue, String runId, Throwable why) {
        registry.counter("simclr_infrastructure_waits_total", "reason", why.getClass().getSimpleName()).increment();
        LOG.warnf("run %s waits: %s; its request goes back on partition %d", runId, why.getMessage(),
                record.partition());
        try {
            AckedSend.send(requeue, record.key(), record.partition(), record.value());
        } catch (RuntimeException e) {
            // the broker is away too: the coordinator re-issues a run that shows no sign of life
            LOG.errorf("run %s: request not re-queued (%s)", runId, e.getMessage());
        }
    }

    private void answerFailed(String experimentId, String runId, Stage stage, String reason) {
        try {
            events.failed(experimentId, runId, stage, reason);
        } catch (RuntimeException e) {
            LOG.errorf("run %s: run-failed not sent (%s): %s", runId, e.getMessage(), reason);
        }
    }

    private static Stage stageOf(String json, Stage defaultStage) {
        String named = EventCodec.textField(json, "stage");
        for (Stage s : Stage.values()) {
            if (s.wireName().equals(named)) {
                return s;
            }
        }
        return defaultStage;
    }
}
