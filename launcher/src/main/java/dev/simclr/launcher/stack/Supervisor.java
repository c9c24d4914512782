package dev.simclr.launcher.stack;

import dev.simclr.infra.LogFiles;
import dev.simclr.infra.RepoLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the embedded stack up, as Kubernetes' probes and restart policy do in deploy/: every few seconds it starts
 * again whatever of the stack has died (only that) and replaces a service that is alive but not live. Each component
 * on its own: one that cannot start is logged and tried again after a back-off (5 s doubling to 5 min) while the
 * others are still looked after. A round takes the stack's lock ({@link StackLock}) or, if {@code ./simclr up} or
 * {@code down} holds it, waits for the next round. It also keeps the stack's log files under their cap
 * ({@link LogFiles}). Started by {@code ./simclr up} in a JVM of its own, recorded with the stack's processes,
 * stopped first by {@code ./simclr down}.
 */
public final class Supervisor {
    public static final String PROCESS = "supervisor";
    static final long PERIOD_MILLIS = Long.getLong("simclr.supervisor.period-millis", 5000);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final EmbeddedStack stack;
    private final PrintStream log;
    /** Per component: when it may be tried again, and the back-off after the next failure. */
    private final Map<String, Instant> notBefore = new HashMap<>();
    private final Map<String, Duration> backoff = new HashMap<>();

    Supervisor(EmbeddedStack stack, PrintStream log) {
        this.stack = stack;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        EmbeddedStack stack = new EmbeddedStack(RepoLayout.locate(), System.getenv());
        Supervisor supervisor = new Supervisor(stack, System.out);
        supervisor.say("supervising " + stack.dataDir());
        while (true) {
            Thread.sleep(PERIOD_MILLIS);
            supervisor.round();
        }
    }

    /** One round: rotate what outgrew its cap; bring up each component whose back-off has passed. */
    void round() throws InterruptedException {
        try {
            LogFiles.rotateAll(stack.dataDir().resolve("logs"), LogFiles.CAP_BYTES)
                    .forEach(f -> say("rotated " + f + " (over " + (LogFiles.CAP_BYTES >> 20) + " MB)"));
            Optional<StackLock> lock = StackLock.tryAcquire(stack.dataDir(), "the supervisor's round");
            if (lock.isEmpty()) {
                return; // up or down is at work: they do what this round would
            }
            try (StackLock held = lock.get()) {
                for (EmbeddedStack.Component c : stack.components(true)) {
                    if (Instant.now().isBefore(notBefore.getOrDefault(c.name(), Instant.EPOCH))) {
                        continue;
                    }
                    ByteArrayOutputStream said = new ByteArrayOutputStream();
                    String problem = stack.ensureAndWait(c, false,
                            new PrintStream(said, true, StandardCharsets.UTF_8));
                    said.toString(StandardCharsets.UTF_8).lines().forEach(this::say);
                    if (problem == null) {
                        if (backoff.remove(c.name()) != null) {
                            say(c.name() + " is healthy again");
                        }
                        notBefore.remove(c.name());
                    } else {
                        Duration next = backoff.getOrDefault(c.name(), Duration.ofMillis(PERIOD_MILLIS));
                        notBefore.put(c.name(), Instant.now().plus(next));
                        backoff.put(c.name(), next.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF
                                : next.multipliedBy(2));
                        say("could not bring up " + problem.replace('\n', ' ') + " (next try in "
                                + next.toSeconds() + " s)");
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the data directory unreadable, the lock file gone: tried again next round
            say("round failed: " + e);
        }
    }

    private void say(String line) {
        log.println(Instant.now() + " " + line);
    }
}
