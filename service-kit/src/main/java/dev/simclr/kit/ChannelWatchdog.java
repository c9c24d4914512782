package dev.simclr.kit;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.providers.extension.HealthCenter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A service whose messaging channel has failed consumes nothing but stays alive: SmallRye does not restart a
 * failed channel. This watchdog reads the channels' liveness every few seconds and, when it has been down for
 * {@code simclr.watchdog.grace-seconds} (60), ends the process with exit code 70, so that its supervisor
 * (Kubernetes, docker-compose's restart policy, the embedded launcher) starts a fresh one — which resumes every run
 * from its checkpoint. 0 turns it off.
 */
@ApplicationScoped
public class ChannelWatchdog {
    private static final Logger LOG = Logger.getLogger(ChannelWatchdog.class);
    public static final int EXIT_CODE = 70;

    @Inject
    HealthCenter health;

    @ConfigProperty(name = "simclr.watchdog.grace-seconds", defaultValue = "60")
    int graceSeconds;

    private ScheduledExecutorService clock;
    private DownTimer timer;

    void start(@Observes StartupEvent event) {
        if (graceSeconds <= 0) {
            return;
        }
        timer = new DownTimer(TimeUnit.SECONDS.toNanos(graceSeconds));
        clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "channel-watchdog");
            t.setDaemon(true);
            return t;
        });
        clock.scheduleWithFixedDelay(this::check, 5, 5, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (clock != null) {
            clock.shutdownNow();
        }
    }

    void check() {
        try {
            HealthReport live = health.getLiveness();
            switch (timer.observe(live.isOk(), System.nanoTime())) {
                case WENT_DOWN -> LOG.warnf("messaging channels down: %s", describe(live));
                case EXPIRED -> {
                    LOG.errorf("messaging channels down for more than %d s (%s): exiting so that the supervisor "
                            + "restarts this service", graceSeconds, describe(live));
                    Quarkus.asyncExit(EXIT_CODE);
                }
                default -> { }
            }
        } catch (RuntimeException e) {
            LOG.warnf("channel watchdog: %s", e.toString());
        }
    }

    /** When channels that are down have been down too long: a plain clock, tested on its own. */
    static final class DownTimer {
        enum Verdict { UP, WENT_DOWN, STILL_DOWN, EXPIRED }

        private final long graceNanos;
        private long downSince = -1;

        DownTimer(long graceNanos) {
            this.graceNanos = graceNanos;
        }

        Verdict observe(boolean ok, long now) {
            if (ok) {
                downSince = -1;
                return Verdict.UP;
            }
            if (downSince < 0) {
                downSince = now;
                return Verdict.WENT_DOWN;
            }
            return now - downSince > graceNanos ? Verdict.EXPIRED : Verdict.STILL_DOWN;
        }
    }

    private static String describe(HealthReport r) {
        return r.getChannels().stream().filter(c -> !c.isOk())
                .map(c -> c.getChannel() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
                .collect(Collectors.joining("; "));
    }
}
