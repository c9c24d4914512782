package dev.simclr.eval.messaging;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.ExperimentCompleted;
import dev.simclr.eval.coordinator.Coordinator;
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

    private ScheduledExecutorService clock;

    @Produces
    @Singleton
    Coordinator coordinator(ObjectStore store, CoordinatorMetrics metrics) {
        Map<String, Emitter<String>> byTopic = Map.of(Topics.TRAIN_REQUESTS, train, Topics.DISTILL_REQUESTS, distill,
                Topics.EVAL_REQUESTS, eval, Topics.AUGMENT_REQUESTS, augment);
        return new Coordinator(store, new Coordinator.Outbox() {
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
        }, maxAttempts);
    }

    void start(@Observes StartupEvent event, Coordinator coordinator) {
        clock = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "coordinator"));
        clock.execute(() -> {
            try {
                coordinator.recover();
            } catch (RuntimeException e) {
                LOG.error("could not take up running experiments (retried on the next pass)", e);
            }
        });
        clock.scheduleWithFixedDelay(coordinator::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        // a run that ends brings the next pass forward (one waiting at most): dependents go out at once
        AtomicBoolean pending = new AtomicBoolean();
        ScheduledExecutorService c = clock;
        coordinator.wakeWith(() -> {
            if (pending.compareAndSet(false, true)) {
                try {
                    c.execute(() -> {
                        pending.set(false);
                        coordinator.tick();
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    pending.set(false); // shutting down
                }
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (clock != null) {
            clock.shutdownNow();
        }
    }
}
