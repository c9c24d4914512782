package dev.simclr.eval.scheduler;

import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.Stage;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What run events said since the last pass, kept in memory by the event thread (which takes no lock and touches
 * no storage, so an outage of the store never blocks a consumer); the scheduler takes them in on its next pass and
 * drops those of an earlier attempt.
 */
final class RunSignals {
    /** Earliest run-started and first-progress instants (the worker's clock), by run. */
    final Map<String, Instant> started = new ConcurrentHashMap<>();
    final Map<String, Instant> firstStep = new ConcurrentHashMap<>();
    /** The latest run-failed, by run. */
    final Map<String, RunFailed> failed = new ConcurrentHashMap<>();
    /**
     * When the coordinator last heard of a run (any event), and of any run requested on a topic (the workers that
     * consume it are busy, not gone): its own clock.
     */
    final Map<String, Instant> lastHeard = new ConcurrentHashMap<>();
    final Map<String, Instant> lastHeardOnTopic = new ConcurrentHashMap<>();

    void heard(String runId, Stage stage) {
        Instant now = Instant.now();
        lastHeard.put(runId, now);
        if (stage != null) {
            lastHeardOnTopic.put(stage.requestTopic(), now);
        }
    }

    static void earliest(Map<String, Instant> m, String runId, Instant at) {
        if (at != null) {
            m.merge(runId, at, (x, y) -> x.isBefore(y) ? x : y);
        }
    }
}
