package dev.simclr.platform.runs;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.platform.engine.train.EncoderExport;
import dev.simclr.platform.engine.train.Progress;
import dev.simclr.platform.engine.train.RunListener;
import dev.simclr.platform.engine.train.TrainingLoop;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

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

    /**
     * Trains {@code loop} from its current step for one slice, storing every checkpoint it makes (with the run's CPU
     * seconds so far) and calling {@code afterCheckpoint} with the step; true when the run reached its end.
     */
    static boolean train(RunStore runs, String runId, TrainingLoop loop, Budget budget, Listener listener,
                         double cpuBefore, LongConsumer afterCheckpoint) {
        double cpu0 = processCpuSeconds();
        long deadline = System.nanoTime() + budget.budget().toNanos();
        return loop.run(new RunListener() {
            @Override
            public void progress(Progress p) {
                listener.progress(p);
            }

            @Override
            public void checkpoint(long step, byte[] bytes) {
                long t = System.nanoTime();
                runs.saveCheckpoint(runId, step, bytes, cpuBefore + processCpuSeconds() - cpu0);
                listener.checkpointSaved(bytes.length, (System.nanoTime() - t) / 1e9);
                afterCheckpoint.accept(step);
            }

            @Override
            public boolean stopRequested() {
                return System.nanoTime() > deadline || budget.shutdown().getAsBoolean();
            }
        });
    }

    /** The end of a run: the encoder exported for PyTorch, the result stored (so a re-delivery is not trained). */
    static RunCompleted finish(RunStore runs, String experimentId, String runId, Stage stage, TrainingLoop loop,
                               Map<String, Double> metrics) {
        runs.saveEncoder(runId, EncoderExport.fromCheckpoint(loop.checkpoint()));
        RunStore.Latest latest = runs.latest(runId).orElseThrow();
        RunCompleted completed = new RunCompleted(Event.SCHEMA_VERSION, experimentId, runId, stage, latest.key(),
                metrics, latest.cpuSeconds(), Instant.now());
        runs.saveResult(runId, EventCodec.encode(completed));
        return completed;
    }

    /** The stored result of a finished run, if it has one. */
    static Optional<Outcome> alreadyDone(RunStore runs, String runId) {
        return runs.result(runId).map(json -> new Outcome(EventCodec.decode(json.toString(), RunCompleted.class),
                -1, -1, true));
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
