package dev.simclr.infra;

import java.time.Duration;
import java.util.function.BooleanSupplier;

public final class Waits {
    private Waits() {}

    /** Polls until {@code ready}, failing early with the log's tail if the process died. */
    public static void until(String what, Process process, BooleanSupplier ready, Duration timeout, java.nio.file.Path log) {
        until(what, process == null ? null : process.toHandle(), ready, timeout, log);
    }

    /** {@link #until(String, Process, BooleanSupplier, Duration, java.nio.file.Path)} for any process, ours or not. */
    public static void until(String what, ProcessHandle process, BooleanSupplier ready, Duration timeout,
                             java.nio.file.Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(what + " exited (pid " + process.pid() + "); see " + log
                        + "\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not ready after " + timeout.toSeconds() + " s; see " + log
                        + "\n" + tail(log));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    static String tail(java.nio.file.Path log) {
        try {
            var lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (Exception e) {
            return "";
        }
    }
}
