package dev.simclr.launcher.stack;

import dev.simclr.infra.RepoLayout;
import java.io.PrintStream;
import java.time.Instant;

/**
 * Keeps the embedded stack up, as Kubernetes' probes and restart policy do in deploy/: every few seconds it starts
 * again whatever of the stack has died (only that) and replaces a service that is alive but not live. Started by
 * {@code ./simclr up} in a JVM of its own, recorded with the stack's processes, stopped first by
 * {@code ./simclr down}.
 */
public final class Supervisor {
    public static final String PROCESS = "supervisor";
    static final long PERIOD_MILLIS = Long.getLong("simclr.supervisor.period-millis", 5000);

    private Supervisor() {}

    public static void main(String[] args) throws Exception {
        EmbeddedStack stack = new EmbeddedStack(RepoLayout.locate(), System.getenv());
        PrintStream out = System.out;
        out.println(Instant.now() + " supervising " + stack.dataDir());
        while (true) {
            Thread.sleep(PERIOD_MILLIS);
            try {
                stack.up(true, new PrintStream(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        out.write(b);
                    }
                }, true));
            } catch (Exception e) {
                // a port taken, a start that timed out: tried again on the next round
                out.println(Instant.now() + " could not bring the stack up this round: " + e.getMessage());
            }
        }
    }
}
