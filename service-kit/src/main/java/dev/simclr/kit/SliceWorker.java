package dev.simclr.kit;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.Stage;
import dev.simclr.core.Transient;
import dev.simclr.core.run.Progress;
import dev.simclr.core.run.RunSlice;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * What trainer-service and distill-service do with a request they accepted: one time slice of the run
 * ({@link RunSlice}) with progress events and metrics, then either the request back on its own partition (the run
 * is not finished) or the run-completed event. On shutdown the running slice checkpoints and ends early; the request
 * is re-delivered to whichever instance owns the partition next.
 */
@ApplicationScoped
public class SliceWorker {
    private static final Logger LOG = Logger.getLogger(SliceWorker.class);

    @Inject
    RunEventsEmitter events;

    @Inject
    RunMetrics metrics;

    private volatile boolean stopping;

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** The identity of the run a request asks for, as the events name it. */
    public record Run(String experimentId, String runId, Stage stage, int batchSize) {}

    public void work(Run run, Duration slice, BiFunction<RunSlice.Budget, RunSlice.Listener, RunSlice.Outcome> body,
                     Emitter<String> requeue, int partition, String requestJson) {
        LOG.infof("slice of run %s (%s) starts", run.runId(), run.stage().wireName());
        RunSlice.Outcome o;
        try {
            o = body.apply(new RunSlice.Budget(slice, () -> stopping), new RunSlice.Listener() {
                @Override
                public void progress(Progress p) {
                    metrics.progress(run.stage(), run.runId(), run.batchSize(), p);
                    events.progress(new RunProgress(Event.SCHEMA_VERSION, run.experimentId(), run.runId(),
                            run.stage(), p.epoch(), p.step(), p.totalSteps(), p.loss(), p.learningRate(),
                            p.imagesPerSecond(), p.knnAccuracy(), Instant.now()));
                }

                @Override
                public void checkpointSaved(long bytes, double seconds) {
                    metrics.checkpoint(run.stage(), bytes, seconds);
                }
            });
        } catch (RuntimeException e) {
            metrics.outcome(run.stage(), run.runId(), Transient.in(e) ? "yielded" : "failed");
            throw e;
        }
        if (!o.done()) {
            LOG.infof("slice of run %s ends at step %d of %d", run.runId(), o.step(), o.totalSteps());
            AckedSend.send(requeue, run.runId(), partition, requestJson);
            return;
        }
        metrics.outcome(run.stage(), run.runId(), o.alreadyDone() ? "already-done" : "completed");
        events.completed(o.completed());
    }
}
