package dev.simclr.engine.train;

import dev.simclr.core.run.Progress;
/** What a training loop tells its owner (a service emitting events and metrics, or a test). */
public interface RunListener {
    default void progress(Progress progress) {}

    /** A complete checkpoint at {@code step}; the owner stores it (atomically) before the loop goes on. */
    default void checkpoint(long step, byte[] checkpoint) {}

    /** Asked after every step: true ends the run early, after a checkpoint (e.g. on SIGTERM). */
    default boolean stopRequested() {
        return false;
    }

    RunListener NONE = new RunListener() {};
}
