package dev.simclr.kit;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunProgress;
import dev.simclr.contracts.RunStarted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/** Sends run events (start, progress, completion, failure) to {@link Topics#RUN_EVENTS}, keyed by run id. */
@ApplicationScoped
public class RunEventsEmitter {
    private static final Logger LOG = Logger.getLogger(RunEventsEmitter.class);

    public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);
    private final Map<String, Long> lastProgress = new ConcurrentHashMap<>();

    @Inject
    @Channel(Topics.RUN_EVENTS)
    Emitter<String> events;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.application.name")
    String service;

    /** This instance, as run-started names it: {@code <service>@<host>/<pid>} (two on one host differ by pid). */
    public String instance() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return service + "@" + host + "/" + ProcessHandle.current().pid();
    }

    /** Sends and waits for the broker's acknowledgement, so an event is never lost behind a commit. */
    public void send(String runId, Event event) {
        AckedSend.send(events, runId, null, EventCodec.encode(event));
    }

    /** The worker takes up the run (each delivery of its request): the coordinator's "started" instant. */
    public void started(String experimentId, String runId, Stage stage) {
        send(runId, new RunStarted(Event.SCHEMA_VERSION, experimentId, runId, stage, Instant.now(), instance()));
    }

    /** At most one progress event per run every {@code PROGRESS_INTERVAL}: a dashboard's pace, not a step's. */
    public void progress(RunProgress progress) {
        long now = System.nanoTime();
        Long last = lastProgress.get(progress.runId());
        if (last == null || now - last >= PROGRESS_INTERVAL.toNanos()) {
            lastProgress.put(progress.runId(), now);
            send(progress.runId(), progress);
        }
    }

    public void completed(RunCompleted completed) {
        lastProgress.remove(completed.runId());
        LOG.infof("run %s (experiment %s) completed: %s", completed.runId(), completed.experimentId(),
                completed.metrics());
        send(completed.runId(), completed);
    }

    public void failed(String experimentId, String runId, Stage stage, String reason) {
        LOG.warnf("run %s (experiment %s) failed: %s", runId, experimentId, reason);
        send(runId, new RunFailed(Event.SCHEMA_VERSION, experimentId, runId, stage, reason, Instant.now()));
    }
}
