package dev.simclr.core;

/**
 * A failure of the infrastructure, not of the work: the object store or the broker did not answer within its
 * budget, or inputs another service writes are not there yet. Whoever meets one waits and tries again (a worker
 * re-queues its request, the coordinator retries on its next pass); it is never a failed run or experiment.
 */
public interface Transient {
    /** Whether {@code t} or one of its causes is a transient failure. */
    static boolean in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof Transient) {
                return true;
            }
        }
        return false;
    }
}
