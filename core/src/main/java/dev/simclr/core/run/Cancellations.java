package dev.simclr.core.run;

import dev.simclr.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;

/**
 * An experiment's cancellation as workers see it: a marker object the coordinator writes before it announces the
 * cancellation. A worker reads it when a slice of a run would start (a HEAD per slice), so a running run stops at
 * its next slice boundary with its last checkpoint complete, and a request still queued is dropped.
 */
public final class Cancellations {
    private Cancellations() {}

    public static String markerKey(String experimentId) {
        return "experiments/" + experimentId + "/cancelled";
    }

    public static void mark(ObjectStore store, String experimentId, String reason) {
        store.put(markerKey(experimentId), (reason == null ? "" : reason).getBytes(StandardCharsets.UTF_8),
                "text/plain");
    }

    /** False for a request without an experiment (a worker's own test run). */
    public static boolean cancelled(ObjectStore store, String experimentId) {
        return experimentId != null && !experimentId.isBlank() && store.exists(markerKey(experimentId));
    }
}
