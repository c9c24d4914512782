package dev.simclr.engine.optim;

import dev.simclr.contracts.OptimizerName;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimiser whose whole state (moments, step count) the engine owns, so a checkpoint restores it exactly; DJL's
 * own optimisers keep state it does not save. Updates happen in place, outside gradient recording, and clear each
 * parameter's gradient.
 */
public abstract class Optimizer implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> slots = new LinkedHashMap<>();
    /** Where this step's temporaries live: every array an update touches is attached here until the step ends. */
    private NDManager scratch;
    protected long steps;

    protected Optimizer(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** Builds sgd, adam, adamw or lars with the usual defaults for the other coefficients. */
    public static Optimizer create(OptimizerName name, double momentum, boolean nesterov, double weightDecay,
                                   NDManager manager) {
        return switch (name) {
            case SGD -> new Sgd(manager, momentum, nesterov, weightDecay);
            case ADAM -> new Adam(manager, 0.9, 0.999, 1e-8, weightDecay, false);
            case ADAMW -> new Adam(manager, 0.9, 0.999, 1e-8, weightDecay, true);
            case LARS -> new Lars(manager, momentum, weightDecay, 0.001);
        };
    }

    /** One update of every parameter with learning rate {@code lr}; gradients are cleared afterwards. */
    public final void step(List<Trainable> params, double lr) {
        steps++;
        // libtorch's grad mode is per thread and on by default: a worker thread that did not start the engine
        // has it on, and an in-place update of a parameter would then be refused
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            update(params, lr);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private void update(List<Trainable> params, double lr) {
        for (Trainable p : params) {
            try (NDManager stepScratch = manager.newSubManager()) {
                scratch = stepScratch;
                // results of an op live on the first operand's manager: borrow the parameter (and own the gradient
                // wrapper) so that nothing made here outlives the step
                p.array().tempAttach(stepScratch);
                NDArray grad = p.array().getGradient();
                grad.attach(stepScratch);
                update(p, grad, lr, stepScratch);
            } finally {
                scratch = null;
            }
            JniUtils.zeroGrad((PtNDArray) p.array());
        }
    }

    protected abstract void update(Trainable p, NDArray grad, double lr, NDManager scratch);

    /** The named state slot of a parameter, created as zeros of its shape on first use. */
    protected NDArray slot(Trainable p, String name) {
        NDArray slot = slots.computeIfAbsent(p.key() + "/" + name, k -> manager.zeros(p.array().getShape()));
        slot.tempAttach(scratch);
        return slot;
    }

    public long steps() {
        return steps;
    }

    /** The state to checkpoint: every slot's values, keyed {@code <parameter>/<slot>}. */
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        slots.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    public void loadState(Map<String, float[]> state, Map<String, long[]> shapes, long steps) {
        slots.values().forEach(NDArray::close);
        slots.clear();
        state.forEach((k, v) -> slots.put(k, manager.create(v, new ai.djl.ndarray.types.Shape(shapes.get(k)))));
        this.steps = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
