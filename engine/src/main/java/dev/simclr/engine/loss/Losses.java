package dev.simclr.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** The engine's losses, checked against PyTorch (values and gradients) by {@code LossesTest}. */
public final class Losses {
    private Losses() {}

    /**
     * NT-Xent (SimCLR): the 2N projections are L2-normalised, similarities divided by {@code temperature}, each
     * view's own similarity excluded, and cross-entropy taken towards its partner view in both directions,
     * averaged over the 2N rows.
     */
    public static NDArray ntXent(NDArray z1, NDArray z2, double temperature) {
        long n = z1.getShape().get(0);
        NDArray z = z1.concat(z2, 0);
        z = z.div(z.norm(new int[] {1}, true).maximum(1e-12f));
        NDArray sim = z.matMul(z.transpose()).div((float) temperature);
        NDManager m = sim.getManager();
        // a view's similarity with itself is pushed to -1e9: exp() makes it 0 in the softmax, as torch's -inf mask
        sim = sim.sub(m.eye((int) (2 * n)).toType(sim.getDataType(), false).mul(1e9f));
        long[] targets = new long[(int) (2 * n)];
        for (int i = 0; i < n; i++) {
            targets[i] = i + n;
            targets[(int) (i + n)] = i;
        }
        return crossEntropy(sim, m.create(targets));
    }

    /** Mean cross-entropy of {@code logits} (N×C) against integer {@code labels} (N). */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(1);
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot((int) logits.getShape().get(1))
                .toType(logits.getDataType(), false);
        return logp.mul(oneHot).sum(new int[] {1}).mean().neg();
    }

    /**
     * Knowledge distillation: {@code (1-alpha)·T²·KL(softmax(teacher/T) ‖ softmax(student/T))} averaged over the
     * batch, plus {@code alpha·CE(student, labels)}; alpha = 0 learns from the teacher alone. {@code labels} may be
     * null when alpha is 0.
     */
    public static NDArray distillation(NDArray student, NDArray teacher, NDArray labels, double temperature,
                                       double alpha) {
        float t = (float) temperature;
        NDArray logPs = student.div(t).logSoftmax(1);
        NDArray logPt = teacher.div(t).logSoftmax(1);
        NDArray kl = logPt.exp().mul(logPt.sub(logPs)).sum(new int[] {1}).mean().mul(t * t);
        if (alpha == 0) {
            return kl;
        }
        NDArray ce = crossEntropy(student, labels);
        return alpha == 1 ? ce : kl.mul((float) (1 - alpha)).add(ce.mul((float) alpha));
    }
}
