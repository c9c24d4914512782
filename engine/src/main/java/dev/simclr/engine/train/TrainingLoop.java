package dev.simclr.engine.train;

import dev.simclr.core.dataset.DataOrder;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.Progress;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.npy.Npy;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.optim.Optimizer;
import dev.simclr.engine.optim.Schedule;
import dev.simclr.engine.optim.Trainable;
import dev.simclr.engine.precision.Autocast;
import dev.simclr.contracts.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop every kind of training shares: epochs of batches in the seeded data order, the schedule, the owned
 * optimiser, checkpoints that capture everything needed to continue to the same step, and progress. Each step's
 * arrays live in a sub-manager closed at the end of the step, so native memory stays flat.
 */
public abstract class TrainingLoop implements AutoCloseable {
    protected final LoopSettings settings;
    protected final NDManager manager;
    private final int datasetSize;
    private Optimizer optimizer;
    private long step;
    private double lastLoss = Double.NaN;
    private Precision precision = Precision.FP32;
    /** The step whose loss was NaN or infinite (the run stopped there), or -1. */
    private long nonFiniteLossStep = -1;

    protected TrainingLoop(LoopSettings settings, int datasetSize, NDManager parent) {
        if (datasetSize < settings.batchSize()) {
            throw new IllegalArgumentException("dataset of " + datasetSize + " images is smaller than one batch of "
                    + settings.batchSize());
        }
        this.settings = settings;
        this.datasetSize = datasetSize;
        this.manager = parent.newSubManager();
    }

    /** The loop's networks by name: what a checkpoint holds. */
    protected abstract Map<String, Network> networks();

    /** Forward and loss of one batch in training mode, on arrays made in {@code stepManager}. */
    protected abstract NDArray loss(int epoch, int stepInEpoch, int[] indices, NDManager stepManager);

    /** What this kind of loop writes into a checkpoint's meta besides the common fields. */
    protected abstract void describe(ObjectNode meta);

    /** Restores what {@link #describe} wrote beyond the common fields (monitor values, best scores). */
    protected void restoreDescription(ObjectNode meta) {}

    /** Tensors this kind of loop keeps besides networks and optimiser (e.g. the best weights so far). */
    protected void extraTensors(Map<String, Npy.Array> tensors) {}

    /** Restores what {@link #extraTensors} wrote. */
    protected void restoreExtraTensors(Map<String, Npy.Array> tensors) {}

    /** Called after each epoch (monitoring, validation); true stops training (early stopping). */
    protected boolean endOfEpoch(int epoch, RunListener listener) {
        return false;
    }

    public int stepsPerEpoch() {
        return DataOrder.stepsPerEpoch(datasetSize, settings.batchSize());
    }

    public long totalSteps() {
        return (long) stepsPerEpoch() * settings.epochs();
    }

    public long step() {
        return step;
    }

    public double lastLoss() {
        return lastLoss;
    }

    /**
     * Sets the precision this loop runs in: {@code fp32}, or {@code bf16} (forward passes under autocast, see
     * {@link Autocast}); {@code auto} must be resolved by the caller ({@code Precisions.resolve}). A restored
     * checkpoint's precision replaces it, so a resumed run keeps the precision it started with.
     */
    public TrainingLoop precision(Precision resolved) {
        if (resolved == Precision.AUTO) {
            throw new IllegalArgumentException("resolve precision 'auto' before building the loop");
        }
        this.precision = Autocast.effective(resolved);
        return this;
    }

    /** The precision this loop runs in (fp32 when bf16 was asked for but libtorch's autocast is missing). */
    public Precision precision() {
        return precision;
    }

    /** A scope for this loop's forward passes: bf16 autocast when the loop runs in bf16, nothing otherwise. */
    protected Autocast autocast() {
        return Autocast.enter(precision == Precision.BF16, manager.getDevice().isGpu());
    }

    /** The step (1-based) whose loss was NaN or infinite, or -1: a run ends there, unstepped, rather than go on. */
    public long nonFiniteLossStep() {
        return nonFiniteLossStep;
    }

    /** Parameters of the loop's networks (what a checkpoint holds), or of those it trains ({@code trainable}). */
    public long parameterCount(boolean trainable) {
        long n = 0;
        for (Network net : networks().values()) {
            for (Pair<String, Parameter> p : net.parameters()) {
                if (!trainable || p.getValue().requiresGradient()) {
                    n += p.getValue().getArray().size();
                }
            }
        }
        return n;
    }

    public Schedule schedule() {
        return Schedule.of(settings.learningRate(), settings.lrScaling(), settings.batchSize(),
                (long) settings.warmupEpochs() * stepsPerEpoch(), totalSteps());
    }

    /** Trains from the current step to the end (or until the listener asks to stop); returns whether it finished. */
    public boolean run(RunListener listener) {
        Schedule schedule = schedule();
        List<Trainable> params = trainables();
        long t0 = System.nanoTime();
        while (step < totalSteps()) {
            int epoch = (int) (step / stepsPerEpoch());
            int inEpoch = (int) (step % stepsPerEpoch());
            int[] indices = DataOrder.batch(settings.seed(), epoch, datasetSize, settings.batchSize(), inEpoch);
            double lr = schedule.at(step);
            long stepStart = System.nanoTime();
            dataWaitNanos = 0;
            try (NDManager stepManager = manager.newSubManager()) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = loss(epoch, inEpoch, indices, stepManager);
                    gc.backward(loss);
                    lastLoss = loss.getFloat();
                }
                if (Double.isFinite(lastLoss)) {
                    optimizer().step(params, lr);
                }
            }
            step++;
            if (!Double.isFinite(lastLoss)) {
                // a diverged run does not train on (NaN weights, NaN metrics that JSON cannot carry as numbers):
                // it ends here, its weights those before this step, and its result says why (degenerate)
                nonFiniteLossStep = step;
                listener.checkpoint(step, checkpoint().toBytes());
                step = totalSteps();
                return true;
            }
            double seconds = (System.nanoTime() - stepStart) / 1e9;
            listener.progress(new Progress(epoch, step, totalSteps(), lastLoss, lr,
                    settings.batchSize() / seconds, dataWaitNanos / 1e9, null));
            boolean epochDone = step % stepsPerEpoch() == 0;
            boolean stop = false;
            if (epochDone) {
                stop = endOfEpoch(epoch, listener);
            }
            boolean periodic = settings.checkpointEverySteps() > 0 && step % settings.checkpointEverySteps() == 0;
            boolean stopRequested = listener.stopRequested();
            if (periodic || epochDone || stopRequested || stop) {
                listener.checkpoint(step, checkpoint().toBytes());
            }
            if (stop) {
                step = totalSteps();
                return true;
            }
            if (stopRequested && step < totalSteps()) {
                return false;
            }
        }
        return true;
    }

    /** Time the current step spent waiting for input; loops add to it around their view supplier. */
    protected long dataWaitNanos;

    protected byte[][] timed(java.util.function.Supplier<byte[][]> views) {
        long t = System.nanoTime();
        byte[][] v = views.get();
        dataWaitNanos += System.nanoTime() - t;
        return v;
    }

    private Optimizer optimizer() {
        if (optimizer == null) {
            optimizer = Optimizer.create(settings.optimizer(), settings.momentum(), settings.nesterov(),
                    settings.weightDecay(), manager);
        }
        return optimizer;
    }

    private List<Trainable> trainables() {
        List<Trainable> out = new ArrayList<>();
        networks().forEach((name, net) -> {
            List<Pair<String, Parameter>> ps = net.parameters();
            for (int i = 0; i < ps.size(); i++) {
                Parameter p = ps.get(i).getValue();
                if (p.requiresGradient()) {
                    Parameter.Type t = p.getType();
                    out.add(new Trainable(name + "/" + Network.key(i, ps.get(i).getKey()), p.getArray(),
                            t == Parameter.Type.BIAS || t == Parameter.Type.GAMMA || t == Parameter.Type.BETA));
                }
            }
        });
        return out;
    }

    /** Everything needed to continue exactly from this step. */
    public Checkpoint checkpoint() {
        Map<String, Npy.Array> tensors = new LinkedHashMap<>();
        networks().forEach((name, net) -> {
            List<Pair<String, Parameter>> ps = net.parameters();
            for (int i = 0; i < ps.size(); i++) {
                NDArray a = ps.get(i).getValue().getArray();
                tensors.put("net/" + name + "/" + Network.key(i, ps.get(i).getKey()),
                        Npy.float32(a.toFloatArray(), toInts(a.getShape().getShape())));
            }
        });
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Trainable t : trainables()) {
            shapes.put(t.key(), t.array().getShape().getShape());
        }
        optimizer().state().forEach((k, v) -> {
            String param = k.substring(0, k.lastIndexOf('/'));
            tensors.put("opt/" + k, Npy.float32(v, toInts(shapes.get(param))));
        });
        extraTensors(tensors);
        ObjectNode meta = Checkpoint.JSON.createObjectNode();
        meta.put("schemaVersion", 1);
        meta.put("step", step);
        meta.put("epoch", (int) (step / stepsPerEpoch()));
        meta.put("optimizerSteps", optimizer().steps());
        meta.put("seed", settings.seed());
        meta.put("lastLoss", lastLoss);
        meta.put("precision", precision.wireName());
        if (nonFiniteLossStep >= 0) {
            meta.put("nonFiniteLossStep", nonFiniteLossStep);
        }
        meta.set("settings", Checkpoint.JSON.valueToTree(settings));
        describe(meta);
        return new Checkpoint(meta, tensors);
    }

    /** Restores networks, optimiser and step from a checkpoint of this kind of loop with the same settings. */
    public void restore(Checkpoint c) {
        LoopSettings saved = Checkpoint.JSON.convertValue(c.meta().get("settings"), LoopSettings.class);
        if (!saved.equals(settings)) {
            throw new IllegalArgumentException("checkpoint was made with " + saved + ", this run has " + settings);
        }
        networks().forEach((name, net) -> loadNetwork(net, c.network(name), name));
        Map<String, float[]> state = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("opt/")) {
                state.put(k.substring(4), v.asFloats());
                shapes.put(k.substring(4), java.util.Arrays.stream(v.shape()).asLongStream().toArray());
            }
        });
        optimizer().loadState(state, shapes, c.meta().get("optimizerSteps").asLong());
        step = c.meta().get("step").asLong();
        lastLoss = c.meta().get("lastLoss").asDouble();
        // a checkpoint without the field was made before precision existed: fp32
        precision(Checkpoint.JSON.convertValue(c.meta().path("precision").asText("fp32"), Precision.class));
        nonFiniteLossStep = c.meta().path("nonFiniteLossStep").asLong(-1);
        if (nonFiniteLossStep >= 0) {
            step = totalSteps(); // it ended there: a resumed slice finishes, it does not train on
        }
        restoreDescription(c.meta());
        restoreExtraTensors(c.tensors());
    }

    public static void loadNetwork(Network net, Map<String, Npy.Array> tensors, String name) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("checkpoint has no network '" + name + "'");
        }
        List<float[]> values = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        tensors.values().forEach(a -> {
            values.add(a.asFloats());
            shapes.add(java.util.Arrays.stream(a.shape()).asLongStream().toArray());
        });
        net.load(values, shapes);
    }

    private static int[] toInts(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = (int) shape[i];
        }
        return out;
    }

    @Override
    public void close() {
        if (optimizer != null) {
            optimizer.close();
        }
        manager.close();
    }
}
