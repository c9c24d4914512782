package dev.simclr.distill.messaging;

import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.distill.DistillRequestChecks;
import dev.simclr.kit.RequestIntake;
import dev.simclr.kit.SliceWorker;
import dev.simclr.runs.DistillRun;
import dev.simclr.core.store.ObjectStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes distill requests and trains each run one time slice at a time ({@link SliceWorker}). */
@ApplicationScoped
public class DistillRequestListener {
    @Inject
    RequestIntake intake;

    @Inject
    SliceWorker worker;

    @Inject
    ObjectStore store;

    @Inject
    @Channel("distill-requeue")
    Emitter<String> requeue;

    @ConfigProperty(name = "simclr.distill.slice-seconds", defaultValue = "30")
    int sliceSeconds;

    @ConfigProperty(name = "simclr.distill.device", defaultValue = "cpu")
    String device;

    @ConfigProperty(name = "simclr.distill.checkpoint-every-steps", defaultValue = "0")
    int checkpointEverySteps;

    @Incoming(Topics.DISTILL_REQUESTS)
    @Blocking
    public void onRequest(ConsumerRecord<String, String> record) {
        intake.handle(record, DistillRequested.class, Stage.DISTILL, DistillRequestChecks::problems,
                r -> worker.work(new SliceWorker.Run(r.experimentId(), r.runId(), Stage.DISTILL, r.batchSize()),
                        Duration.ofSeconds(sliceSeconds), (budget, listener) -> new DistillRun(store, device,
                                checkpointEverySteps).run(r, budget, listener), requeue, record.partition(),
                        EventCodec.encode(r)),
                requeue);
    }
}
