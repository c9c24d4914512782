package dev.simclr.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * LARS as SimCLR uses it: for weights, {@code g += wd·w}, trust ratio {@code η‖w‖/‖g‖}, momentum on the scaled
 * step; bias and batch-norm parameters get neither weight decay nor the trust ratio.
 */
public final class Lars extends Optimizer {
    private final float momentum;
    private final float weightDecay;
    private final double eta;

    public Lars(NDManager manager, double momentum, double weightDecay, double eta) {
        super(manager);
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
        this.eta = eta;
    }

    @Override
    protected void update(Trainable p, NDArray grad, double lr, NDManager scratch) {
        NDArray g = grad;
        double scaled = lr;
        if (!p.excluded()) {
            g = grad.add(p.array().mul(weightDecay));
            double wNorm = p.array().norm().getFloat();
            double gNorm = g.norm().getFloat();
            if (wNorm > 0 && gNorm > 0) {
                scaled = lr * eta * wNorm / gNorm;
            }
        }
        NDArray v = slot(p, "momentum");
        v.muli(momentum).addi(g.mul((float) scaled));
        p.array().subi(v);
    }
}
