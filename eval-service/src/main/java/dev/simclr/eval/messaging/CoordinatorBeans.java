package dev.simclr.eval.messaging;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.ExperimentCompleted;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.scheduler.Scheduler;
import dev.simclr.eval.metrics.CoordinatorMetrics;
import dev.simclr.kit.AckedSend;
import dev.simclr.core.store.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/** The coordinator of this service, its outbox on Kafka, and the clock that drives it. */
@ApplicationScoped
public class CoordinatorBeans {
    private static final Logger LOG = Logger.getLogger(CoordinatorBeans.class);

    @Inject
    @Channel("train-out")
    Emitter<String> train;

    @Inject
    @Channel("distill-out")
    Emitter<String> distill;

    @Inject
    @Channel("eval-out")
    Emitter<String> eval;

    @Inject
    @Channel("augment-out")
    Emitter<String> augment;

    @Inject
    @Channel("experiment-events-out")
    Emitter<String> experimentEvents;

    @ConfigProperty(name = "simclr.coordinator.max-attempts", defaultValue = "3")
    int maxAttempts;

    @ConfigProperty(name = "simclr.coordinator.tick-millis", defaultValue = "500")
    long tickMillis;

    /** An issued run with no event for this long, while its workers were quiet too, is sent again. */
    @ConfigProperty(name = "simclr.coordinator.silence-seconds", defaultValue = "300")
    long silenceSeconds;

    /** The most training steps one experiment may ask for (an estimate, see WorkEstimate). */
    @ConfigProperty(name = "simclr.coordinator.max-steps", defaultValue = "20000000")
    long maxSteps;

    /** At most this many runs of one stage issued at a time (0: no cap); about twice the stage's workers. */
    @ConfigProperty(name = "simclr.coordinator.max-in-flight-per-stage", defaultValue = "4")
    int maxInFlightPerStage;

    private ScheduledExecutorService clock;

    @Produces
    @Singleton
    Coordinator coordinator(ObjectStore store, CoordinatorMetrics metrics) {
        Map<String, Emitter<String>> byTopic = Map.of(Topics.TRAIN_REQUESTS, train, Topics.DISTILL_REQUESTS, distill,
                Topics.EVAL_REQUESTS, eval, Topics.AUGMENT_REQUESTS, augment);
        return new Coordinator(store, new Scheduler.Outbox() {
            @Override
            public void request(String topic, String key, String json) {
                Emitter<String> emitter = byTopic.get(topic);
                if (emitter == null) {
                    throw new IllegalStateException("no outgoing channel for topic " + topic);
                }
                AckedSend.send(emitter, key, null, json);
            }

            @Override
            public void experiment(String experimentId, Event event) {
                AckedSend.send(experimentEvents, experimentId, null, EventCodec.encode(event));
                metrics.experimentEnded(event instanceof ExperimentCompleted ? "completed" : "failed");
            }
        }, new Scheduler.Settings(maxAttempts, Duration.ofSeconds(2), Duration.ofSeconds(silenceSeconds),
                maxInFlightPerStage), maxSteps);
    }

    void start(@Observes StartupEvent event, Coordinator coordinator) {
        clock = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "coordinator"));
        // every pass first takes up what was running before a restart, until that has worked once
        clock.scheduleWithFixedDelay(() -> guarded(coordinator::tick), 0, tickMillis, TimeUnit.MILLISECONDS);
        // a run that ends brings the next pass forward (one waiting at most): dependents go out at once
        AtomicBoolean pending = new AtomicBoolean();
        ScheduledExecutorService c = clock;
        coordinator.wakeWith(() -> {
            if (pending.compareAndSet(false, true)) {
                try {
                    c.execute(() -> {
                        pending.set(false);
                        guarded(coordinator::tick);
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    pending.set(false); // shutting down
                }
            }
        });
    }

    /** A pass that throws must not end the clock: a scheduled task that throws is never run again. */
    private static void guarded(Runnable pass) {
        try {
            pass.run();
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("coordinator pass failed (the next one comes at the next tick)", e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (clock != null) {
            clock.shutdownNow();
        }
    }
}
