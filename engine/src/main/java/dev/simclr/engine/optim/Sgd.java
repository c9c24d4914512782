package dev.simclr.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** torch.optim.SGD: weight decay added to the gradient, momentum buffer, optional Nesterov. */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;

    public Sgd(NDManager manager, double momentum, boolean nesterov, double weightDecay) {
        super(manager);
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.weightDecay = (float) weightDecay;
    }

    @Override
    protected void update(Trainable p, NDArray grad, double lr, NDManager scratch) {
        NDArray g = weightDecay != 0 ? grad.add(p.array().mul(weightDecay)) : grad;
        if (momentum != 0) {
            NDArray buf = slot(p, "momentum");
            buf.muli(momentum).addi(g);
            g = nesterov ? g.add(buf.mul(momentum)) : buf;
        }
        p.array().subi(g.mul((float) lr));
    }
}
