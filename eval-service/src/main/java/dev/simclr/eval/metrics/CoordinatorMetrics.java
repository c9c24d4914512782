package dev.simclr.eval.metrics;

import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.state.ExperimentState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The coordinator's view for /q/metrics: experiments under way [simclr_experiments_running], their runs by status
 * [simclr_experiment_runs{status}], experiments ended by outcome
 * [simclr_experiments_total{outcome}], and the
 * consumer lag of every group on every topic [simclr_consumer_lag{group,topic}], measured every
 * {@code simclr.metrics.lag-seconds} (the figure KEDA scales the trainers and augmenters on).
 */
@ApplicationScoped
public class CoordinatorMetrics {
    private static final Logger LOG = Logger.getLogger(CoordinatorMetrics.class);

    @Inject
    MeterRegistry registry;

    @Inject
    Coordinator coordinator;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "simclr.metrics.lag-seconds", defaultValue = "10")
    int lagSeconds;

    private final Map<ConsumerLag.Key, AtomicLong> lag = new ConcurrentHashMap<>();
    private ScheduledExecutorService clock;
    private Admin admin;

    void start(@Observes StartupEvent event) {
        Gauge.builder("simclr_experiments_running", coordinator, Coordinator::experimentsRunning)
                .description("experiments under way").register(registry);
        for (ExperimentState.RunStatus s : ExperimentState.RunStatus.values()) {
            Gauge.builder("simclr_experiment_runs", coordinator, c -> c.runs(s))
                    .tags(Tags.of("status", s.name().toLowerCase(Locale.ROOT)))
                    .description("runs of the experiments under way, by status").register(registry);
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        admin = Admin.create(p);
        clock = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "consumer-lag"));
        clock.scheduleWithFixedDelay(this::measureLag, 0, lagSeconds, TimeUnit.SECONDS);
    }

    /** An experiment ended: outcome completed, failed, or rejected (a submission that could not be planned). */
    public void experimentEnded(String outcome) {
        registry.counter("simclr_experiments_total", Tags.of("outcome", outcome)).increment();
    }

    private void measureLag() {
        try {
            ConsumerLag.measure(admin, 5000).forEach((key, behind) -> lag.computeIfAbsent(key, k -> {
                AtomicLong holder = new AtomicLong();
                Gauge.builder("simclr_consumer_lag", holder, AtomicLong::get)
                        .tags(Tags.of("group", k.group(), "topic", k.topic()))
                        .description("records the group has yet to read on the topic").register(registry);
                return holder;
            }).set(behind));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debugf("consumer lag not measured this time: %s", e.toString());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (clock != null) {
            clock.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
    }
}
