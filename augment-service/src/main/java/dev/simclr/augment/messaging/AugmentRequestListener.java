package dev.simclr.augment.messaging;

import dev.simclr.augment.AugmentRequestChecks;
import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.core.augment.ShardWriter;
import dev.simclr.core.augment.ViewShards;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.kit.AckedSend;
import dev.simclr.kit.RequestIntake;
import dev.simclr.kit.RunEventsEmitter;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes augment requests. A run's request is split into slices, one per partition, so that the instances of the
 * consumer group share the run; a slice is worked for at most {@code simclr.augment.slice-seconds}, then, if it
 * has more to write (or waits for the trainer), it is put back on its own partition and the offset committed.
 * No worker holds a partition for long — no rebalance, no head-of-line blocking of other runs — and a crash loses
 * at most one time slice: the re-delivered request skips the shards that exist.
 */
@ApplicationScoped
public class AugmentRequestListener {
    @Inject
    RunEventsEmitter events;

    @Inject
    RequestIntake intake;

    @Inject
    ObjectStore store;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Channel("augment-requeue")
    Emitter<String> requeue;

    @ConfigProperty(name = "simclr.augment.slices", defaultValue = "4")
    int slices;

    @ConfigProperty(name = "simclr.augment.slice-seconds", defaultValue = "20")
    int sliceSeconds;

    @ConfigProperty(name = "simclr.augment.threads", defaultValue = "0")
    int threads;

    private volatile ShardWriter writer;

    @Incoming(Topics.AUGMENT_REQUESTS)
    @Blocking
    public void onRequest(ConsumerRecord<String, String> record) {
        intake.handle(record, AugmentRequested.class, Stage.AUGMENT, AugmentRequestChecks::problems,
                request -> {
                    if (request.slice() == null) {
                        split(request);
                    } else {
                        work(request, record.partition());
                    }
                }, requeue);
    }

    /** The run's request: check its dataset once, then one slice per partition. */
    private void split(AugmentRequested r) {
        new DatasetStore(store).requireManifest(r.dataset().name(), r.dataset().version());
        for (int k = 0; k < slices; k++) {
            AckedSend.send(requeue, r.runId(), k % Topics.REQUEST_PARTITIONS, EventCodec.encode(r.slice(k, slices)));
        }
    }

    private void work(AugmentRequested r, int partition) {
        long cpu0 = cpuNanos();
        ShardWriter.Result result;
        try {
            result = writer().run(r, Duration.ofSeconds(sliceSeconds), (epoch, position, total, imagesPerSecond) -> {
                metrics.counter("simclr_augment_shards_written_total").increment();
                events.progress(new RunProgress(Event.SCHEMA_VERSION, r.experimentId(), r.runId(), Stage.AUGMENT,
                        epoch, position, total, 0, 0, imagesPerSecond, null, Instant.now()));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: the slice is re-delivered after restart", e);
        }
        metrics.counter("simclr_augment_images_total").increment(result.imagesAugmented());
        if (result.outcome() == ShardWriter.Outcome.MORE) {
            AckedSend.send(requeue, r.runId(), partition, EventCodec.encode(r));
        } else if (result.runDone()) {
            RunCompleted done = new RunCompleted(Event.SCHEMA_VERSION, r.experimentId(), r.runId(), Stage.AUGMENT,
                    ViewShards.prefix(r.runId()), Map.of("shards", (double) result.totalShards(),
                    "epochs", (double) r.epochs()), (cpuNanos() - cpu0) / 1e9, Instant.now());
            // stored as every run's result is: a coordinator that missed the event finds it there
            new RunStore(store).saveResult(r.runId(), EventCodec.encode(done));
            events.completed(done);
        }
    }

    private ShardWriter writer() {
        if (writer == null) {
            synchronized (this) {
                if (writer == null) {
                    writer = new ShardWriter(store, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
                }
            }
        }
        return writer;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
