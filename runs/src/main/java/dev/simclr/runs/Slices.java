package dev.simclr.runs;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.core.run.EncoderExport;
import dev.simclr.core.run.Progress;
import dev.simclr.core.run.RunSlice;
import dev.simclr.core.run.RunStore;
import dev.simclr.engine.train.RunListener;
import dev.simclr.engine.train.TrainingLoop;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/** The steps every run takes at a slice's edges: train until the budget ends, finish, or find the run done. */
final class Slices {
    private Slices() {}

    /**
     * Trains {@code loop} from its current step for one slice, storing every checkpoint it makes (with the run's CPU
     * seconds so far) and calling {@code afterCheckpoint} with the step; true when the run reached its end.
     */
    static boolean train(RunStore runs, String runId, TrainingLoop loop, RunSlice.Budget budget, RunSlice.Listener listener,
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

    /**
     * The end of a run: the encoder exported for PyTorch, the result stored (so a re-delivery is not trained), with
     * the reasons its health checks found ({@link Degeneracy}) and only finite metrics.
     */
    static RunCompleted finish(RunStore runs, String experimentId, String runId, Stage stage, TrainingLoop loop,
                               Map<String, Double> metrics, java.util.List<String> degenerate) {
        runs.saveEncoder(runId, EncoderExport.fromCheckpoint(loop.checkpoint()));
        RunStore.Latest latest = runs.latest(runId).orElseThrow();
        java.util.List<String> reasons = new java.util.ArrayList<>(degenerate);
        Map<String, Double> finite = Degeneracy.finite(metrics, reasons);
        RunCompleted completed = new RunCompleted(Event.SCHEMA_VERSION, experimentId, runId, stage, latest.key(),
                finite, latest.cpuSeconds(), Instant.now(), loop.precision()).withDegenerate(reasons);
        runs.saveResult(runId, EventCodec.encode(completed));
        return completed;
    }

    /** The stored result of a finished run, if it has one. */
    static Optional<RunSlice.Outcome> alreadyDone(RunStore runs, String runId) {
        return runs.result(runId).map(json -> new RunSlice.Outcome(EventCodec.decode(json.toString(), RunCompleted.class),
                -1, -1, true));
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
