package dev.simclr.kit;

import dev.simclr.contracts.Stage;
import dev.simclr.core.run.Progress;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker's training metrics, by stage, for /q/metrics (Prometheus names in brackets): steps
 * [simclr_train_steps_total], images/s and loss of the latest step of each run under way
 * [simclr_train_images_per_second, simclr_train_loss; labels stage and run], kNN accuracy
 * [simclr_train_knn_accuracy], seconds per epoch [simclr_train_epoch_seconds],
 * seconds of each step spent waiting for input [simclr_train_data_wait_seconds] and the whole step
 * [simclr_train_step_seconds] (their ratio is the data-stall fraction), checkpoint bytes and seconds
 * [simclr_checkpoint_bytes, simclr_checkpoint_seconds], runs by outcome [simclr_runs_total]. A run's gauges go when
 * it ends here, or two minutes after its last step here (its next slice went to another instance), so the label set
 * stays as small as the work under way.
 */
@ApplicationScoped
public class RunMetrics {
    @Inject
    MeterRegistry registry;

    private static final long GAUGE_TTL_NANOS = 120_000_000_000L;

    /** Per run under way: gauge name → value, scaled to a long (images/s × 1e3, loss and accuracy × 1e6). */
    private final Map<String, Map<String, AtomicLong>> gauges = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();
    private final Map<String, Long> lastStep = new ConcurrentHashMap<>();
    private final Map<String, long[]> epochStart = new ConcurrentHashMap<>();

    /** After each step; {@code batchSize} turns the step's images/s back into its seconds. */
    public void progress(Stage stage, String runId, int batchSize, Progress p) {
        Tags tags = Tags.of("stage", stage.wireName());
        long now = System.nanoTime();
        lastStep.put(runId, now);
        lastStep.forEach((other, at) -> {
            if (now - at > GAUGE_TTL_NANOS) {
                removeGauges(other);
            }
        });
        if (p.imagesPerSecond() > 0) {
            registry.counter("simclr_train_steps_total", tags).increment();
            gauge("simclr_train_images_per_second", stage, runId).set(Math.round(p.imagesPerSecond() * 1e3));
            gauge("simclr_train_loss", stage, runId).set(Math.round(p.loss() * 1e6));
            timer("simclr_train_step_seconds", tags, batchSize / p.imagesPerSecond());
            timer("simclr_train_data_wait_seconds", tags, p.dataWaitSeconds());
        }
        if (p.knnAccuracy() != null) {
            gauge("simclr_train_knn_accuracy", stage, runId).set(Math.round(p.knnAccuracy() * 1e6));
        }
        long[] start = epochStart.computeIfAbsent(runId, k -> new long[] {p.epoch(), now});
        if (p.epoch() != start[0]) {
            timer("simclr_train_epoch_seconds", tags, (now - start[1]) / 1e9);
            start[0] = p.epoch();
            start[1] = now;
        }
    }

    private void timer(String name, Tags tags, double seconds) {
        Timer.builder(name).tags(tags).register(registry).record(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    public void checkpoint(Stage stage, long bytes, double seconds) {
        Tags tags = Tags.of("stage", stage.wireName());
        DistributionSummary.builder("simclr_checkpoint_bytes").baseUnit("bytes").tags(tags).register(registry)
                .record(bytes);
        timer("simclr_checkpoint_seconds", tags, seconds);
    }

    /** outcome: completed, failed, already-done (a re-delivered request for a finished run). */
    public void outcome(Stage stage, String runId, String outcome) {
        epochStart.remove(runId);
        registry.counter("simclr_runs_total", Tags.of("stage", stage.wireName(), "outcome", outcome)).increment();
        removeGauges(runId);
    }

    private void removeGauges(String runId) {
        lastStep.remove(runId);
        gauges.remove(runId);
        // the registered meters, not ids rebuilt here: the registry adds common tags (service) to what it holds
        List<Meter> of = meters.remove(runId);
        if (of != null) {
            of.forEach(registry::remove);
        }
    }

    private AtomicLong gauge(String name, Stage stage, String runId) {
        return gauges.computeIfAbsent(runId, r -> new ConcurrentHashMap<>()).computeIfAbsent(name, n -> {
            AtomicLong holder = new AtomicLong();
            double scale = n.endsWith("per_second") ? 1e3 : 1e6;
            meters.computeIfAbsent(runId, r -> new CopyOnWriteArrayList<>()).add(Gauge.builder(n, holder,
                    h -> h.get() / scale).tags(runTags(stage, runId)).register(registry));
            return holder;
        });
    }

    private static Tags runTags(Stage stage, String runId) {
        return Tags.of("stage", stage.wireName(), "run", runId);
    }
}
