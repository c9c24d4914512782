package dev.simclr.trainer.messaging;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.platform.quarkus.AckedSend;
import dev.simclr.platform.quarkus.RequestIntake;
import dev.simclr.platform.quarkus.RunEventsEmitter;
import dev.simclr.platform.quarkus.RunMetrics;
import dev.simclr.platform.runs.RunSlice;
import dev.simclr.platform.runs.TrainRun;
import dev.simclr.platform.store.ObjectStore;
import dev.simclr.trainer.TrainRequestChecks;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes train requests and trains each run one time slice at a time ({@link RunSlice}): a run that is not
 * finished when its slice ends is checkpointed and put back on its own partition, then the offset is committed.
 * A worker never holds a request for long, so runs of hours cause no rebalance; a killed worker's request is
 * re-delivered and resumes from the last checkpoint; a finished run's request is acknowledged from its stored
 * result without training.
 */
@ApplicationScoped
public class TrainRequestListener {
    @Inject
    RunEventsEmitter events;

    @Inject
    RunMetrics metrics;

    @Inject
    ObjectStore store;

    @Inject
    @Channel("train-requeue")
    Emitter<String> requeue;

    @ConfigProperty(name = "simclr.trainer.slice-seconds", defaultValue = "30")
    int sliceSeconds;

    @ConfigProperty(name = "simclr.trainer.device", defaultValue = "cpu")
    String device;

    @ConfigProperty(name = "simclr.trainer.checkpoint-every-steps", defaultValue = "0")
    int checkpointEverySteps;

    @ConfigProperty(name = "simclr.trainer.view-timeout-seconds", defaultValue = "600")
    int viewTimeoutSeconds;

    private volatile boolean stopping;

    void onStop(@Observes ShutdownEvent event) {
        stopping = true; // the running slice checkpoints and ends; its request is re-delivered after restart
    }

    @Incoming(Topics.TRAIN_REQUESTS)
    @Blocking
    public void onRequest(ConsumerRecord<String, String> record) {
        RequestIntake.handle(record.value(), TrainRequested.class, Stage.PRETRAIN, TrainRequestChecks::problems,
                r -> train(r, record.partition()), events);
    }

    private void train(TrainRequested r, int partition) {
        TrainRun.Options options = new TrainRun.Options(device, Runtime.getRuntime().availableProcessors(),
                checkpointEverySteps, Duration.ofSeconds(viewTimeoutSeconds), 1, 2000, 1000);
        RunSlice.Outcome o;
        try {
            o = new TrainRun(store, options).run(r, new RunSlice.Budget(Duration.ofSeconds(sliceSeconds),
                    () -> stopping), new RunSlice.Listener() {
                @Override
                public void progress(dev.simclr.platform.engine.train.Progress p) {
                    metrics.progress(r.stage(), r.runId(), r.batchSize(), p);
                    events.progress(new RunProgress(Event.SCHEMA_VERSION, r.experimentId(), r.runId(), r.stage(),
                            p.epoch(), p.step(), p.totalSteps(), p.loss(), p.learningRate(), p.imagesPerSecond(),
                            p.knnAccuracy(), Instant.now()));
                }

                @Override
                public void checkpointSaved(long bytes, double seconds) {
                    metrics.checkpoint(r.stage(), bytes, seconds);
                }
            });
        } catch (RuntimeException e) {
            metrics.outcome(r.stage(), r.runId(), "failed");
            throw e;
        }
        if (!o.done()) {
            AckedSend.send(requeue, r.runId(), partition, EventCodec.encode(r));
            return;
        }
        metrics.outcome(r.stage(), r.runId(), o.alreadyDone() ? "already-done" : "completed");
        events.completed(o.completed());
    }
}
