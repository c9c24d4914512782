package dev.simclr.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** torch.optim.Adam (weight decay in the gradient) or AdamW (decoupled: the weight shrinks by lr·wd). */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupled;

    public Adam(NDManager manager, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(manager);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    protected void update(Trainable p, NDArray grad, double lr, NDManager scratch) {
        NDArray g = grad;
        if (weightDecay != 0) {
            if (decoupled) {
                p.array().muli((float) (1 - lr * weightDecay));
            } else {
                g = grad.add(p.array().mul(weightDecay));
            }
        }
        NDArray m = slot(p, "m");
        NDArray v = slot(p, "v");
        m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
        v.muli((float) beta2).addi(g.mul(g).mul((float) (1 - beta2)));
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        NDArray denom = v.sqrt().div((float) Math.sqrt(bc2)).add(eps);
        p.array().subi(m.div(denom).mul((float) (lr / bc1)));
    }
}
