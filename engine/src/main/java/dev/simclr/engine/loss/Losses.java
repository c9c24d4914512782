package dev.simclr.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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
        NDArray norm = z.norm(new int[] {1}, true);
        z = z.div(norm.maximum(scalar(norm, 1e-12f)));
        NDArray sim = z.matMul(z.transpose());
        sim = sim.div(scalar(sim, (float) temperature));
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
        NDArray logPs = student.div(scalar(student, t)).logSoftmax(1);
        NDArray logPt = teacher.div(scalar(teacher, t)).logSoftmax(1);
        NDArray klMean = logPt.exp().mul(logPt.sub(logPs)).sum(new int[] {1}).mean();
        NDArray kl = klMean.mul(scalar(klMean, t * t));
        if (alpha == 0) {
            return kl;
        }
        NDArray ce = crossEntropy(student, labels);
        return alpha == 1 ? ce : kl.mul(scalar(kl, (float) (1 - alpha))).add(ce.mul(scalar(ce, (float) alpha)));
    }

    /**
     * A 0-d fp32 tensor made by libtorch, attached to {@code like}'s manager, for ops on the autograd graph. Not
     * {@code array.mul(Number)}: DJL wraps the number in a tensor over a Java direct buffer and closes it after the
     * op, while mul, div and maximum keep that tensor for backward; a GC in between frees the buffer and backward
     * scales the gradient by garbage (LossesTest's GC test). libtorch owns this one's memory, so it lives as long as
     * the graph needs it.
     */
    static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }
}
