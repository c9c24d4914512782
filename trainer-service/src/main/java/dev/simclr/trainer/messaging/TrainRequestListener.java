package dev.simclr.trainer.messaging;

import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.kit.RequestIntake;
import dev.simclr.kit.SliceWorker;
import dev.simclr.runs.TrainRun;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.trainer.TrainRequestChecks;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes train requests and trains each run one time slice at a time ({@link SliceWorker}): a run of hours
 * causes no rebalance, a killed worker's request is re-delivered and resumes from the last checkpoint, and a
 * finished run's request is acknowledged from its stored result without training.
 */
@ApplicationScoped
public class TrainRequestListener {
    @Inject
    RequestIntake intake;

    @Inject
    SliceWorker worker;

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

    @ConfigProperty(name = "simclr.trainer.view-timeout-seconds", defaultValue = "20")
    int viewTimeoutSeconds;

    @Incoming(Topics.TRAIN_REQUESTS)
    @Blocking
    public void onRequest(ConsumerRecord<String, String> record) {
        intake.handle(record, TrainRequested.class, Stage.PRETRAIN, TrainRequestChecks::problems,
                r -> worker.work(new SliceWorker.Run(r.experimentId(), r.runId(), r.stage(), r.batchSize()),
                        Duration.ofSeconds(sliceSeconds), (budget, listener) -> new TrainRun(store, options())
                                .run(r, budget, listener), requeue, record.partition(), EventCodec.encode(r)),
                requeue);
    }

    private TrainRun.Options options() {
        return new TrainRun.Options(device, Runtime.getRuntime().availableProcessors(), checkpointEverySteps,
                Duration.ofSeconds(viewTimeoutSeconds), 1, 2000, 1000);
    }
}
