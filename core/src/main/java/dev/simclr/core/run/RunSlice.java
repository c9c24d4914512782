package dev.simclr.core.run;

import dev.simclr.contracts.RunCompleted;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What a worker gives a run for one time slice, and what comes back. A run is trained slice by slice: each ends
 * with a checkpoint, and the worker puts the request back on its partition when the run is not finished. So no
 * request is held longer than a slice (no rebalance, other runs get their turn), and a crash loses at most the
 * steps since the last checkpoint.
 */
public final class RunSlice {
    private RunSlice() {}

    /** Where the worker hears about the run: progress at every step, each checkpoint stored. */
    public interface Listener {
        default void progress(Progress progress) {}

        default void checkpointSaved(long bytes, double seconds) {}

        Listener NONE = new Listener() {};
    }

    /** The slice: at most {@code budget} of training, ended early when {@code shutdown} says so. */
    public record Budget(Duration budget, BooleanSupplier shutdown) {
        public static Budget of(Duration d) {
            return new Budget(d, () -> false);
        }
    }

    /** {@code completed} is set when the run is finished (now, or by an earlier delivery of the same request). */
    public record Outcome(RunCompleted completed, long step, long totalSteps, boolean alreadyDone) {
        public boolean done() {
            return completed != null;
        }
    }
}
