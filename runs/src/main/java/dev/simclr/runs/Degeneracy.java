package dev.simclr.runs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The health checks every finished run passes through, and their thresholds — the one place they are set. A run
 * that fails one is still completed (what follows it may run, and the report shows it), but its result carries the
 * reasons ({@code RunCompleted.degenerate}) and a finding that rests on it is reported invalid, not averaged.
 *
 * <p>Why these numbers:
 * <ul>
 * <li>NT-Xent over 2N views with every similarity equal is exactly ln(2N − 1), whatever the temperature: the loss of
 *     embeddings that ignore the image. A final loss within {@link #LOSS_MARGIN} of it (or above) has learnt nothing;
 *     healthy runs end well below (the collapsed VGG run of issue 29 ended at 6.83, above ln 511 = 6.24 for N = 256).
 *     The final loss is one batch's, so the margin is kept small but not zero.
 * <li>The standard deviation of L2-normalised embeddings per dimension (averaged over d): 0 for a collapse to one
 *     point, about 1/√d for embeddings spread over the sphere (lightly's collapse monitor), measured on the projection
 *     head's output (d = 128) for the kNN monitor's validation images, in eval mode. Measured on this platform: the
 *     distillation recipe's cpu-scale VGG-11 ×0.25 pretraining (seed 2, 4 epochs of the 60,000 Fashion-MNIST
 *     training images) ends at 0.0876 = 0.99/√d (loss 3.19, kNN 0.762; {@code PretrainingHealthCheck}), but a
 *     healthy short run sits far below: ResNet-18 ×0.25, 16 steps on 1,024 images (loss 3.40 against ln 255 = 5.54,
 *     kNN 0.45 against chance 0.10) measured 0.0060 = 0.068/√d ({@code DegeneracyTest}). The 0.2/√d would
 *     call that run collapsed (and a demo-scale verdict invalid), so the line is {@link #COLLAPSE_FRACTION} =
 *     0.02/√d: a third of the lowest healthy value seen, far above the 0 of a true collapse. A collapse that keeps a
 *     little spread is still caught by its loss.
 * <li>kNN accuracy within {@link #KNN_CHANCE_MARGIN} of chance (1/k): the features carry no class information the
 *     monitor can find (the collapsed VGG run sat at 0.298 on 10 classes: its loss, not this check, catches it).
 * <li>A classifier within {@link #HEAD_CHANCE_MARGIN} of chance, or predicting one class for every image, is a
 *     head that did not learn (the collapsed run's students scored exactly 10.0 % on 10 classes).
 * <li>A NaN or infinite loss: the run stops at that step ({@code TrainingLoop}); no metric it would give is a number.
 * </ul>
 */
public final class Degeneracy {
    private Degeneracy() {}

    /** How close (or above) ln(2N − 1) a pretraining's final NT-Xent loss may end before it counts as degenerate. */
    public static final double LOSS_MARGIN = 0.05;
    /** Embeddings collapse below this fraction of 1/√d (std of the L2-normalised validation embeddings). */
    public static final double COLLAPSE_FRACTION = 0.02;
    /** kNN accuracy within this of chance (1/classes) is degenerate (0.05: 5 points). */
    public static final double KNN_CHANCE_MARGIN = 0.05;
    /** A student's or head's top-1 within this of chance (1/classes) is degenerate (0.02: 2 points). */
    public static final double HEAD_CHANCE_MARGIN = 0.02;

    /** ln(2N − 1): NT-Xent of a batch of N images when every similarity is the same. */
    public static double uniformLoss(int batchSize) {
        return Math.log(2.0 * batchSize - 1);
    }

    /**
     * A pretraining's reasons: {@code finalLoss} of its last step at {@code batchSize}; {@code embeddingStd},
     * {@code knnAccuracy} from the monitor (null where it did not run: no labels).
     */
    public static List<String> pretraining(double finalLoss, int batchSize, Double embeddingStd, int dim,
                                           Double knnAccuracy, int classes, long nonFiniteLossStep) {
        List<String> out = new ArrayList<>();
        nonFinite(out, finalLoss, nonFiniteLossStep);
        double uniform = uniformLoss(batchSize);
        if (Double.isFinite(finalLoss) && finalLoss >= uniform - LOSS_MARGIN) {
            out.add(f("loss: final NT-Xent loss %.3f is within %.2f of ln(2N − 1) = %.3f (N = %d) or above it: no "
                    + "better than embeddings that ignore the image", finalLoss, LOSS_MARGIN, uniform, batchSize));
        }
        if (embeddingStd != null) {
            double floor = COLLAPSE_FRACTION / Math.sqrt(dim);
            if (!(embeddingStd >= floor)) { // NaN too
                out.add(f("collapse: std of the L2-normalised validation embeddings %.4f < %.2f/√d = %.4f (d = %d; "
                        + "healthy near 1/√d = %.4f)", embeddingStd, COLLAPSE_FRACTION, floor, dim, 1 / Math.sqrt(dim)));
            }
        }
        if (knnAccuracy != null && classes > 1) {
            double chance = 1.0 / classes;
            if (!(knnAccuracy >= chance + KNN_CHANCE_MARGIN)) {
                out.add(f("knn: kNN accuracy %.3f is within %.0f points of chance %.3f (%d classes)", knnAccuracy,
                        100 * KNN_CHANCE_MARGIN, chance, classes));
            }
        }
        return out;
    }

    /**
     * A classifier's reasons (fine-tune, student, linear head): {@code top1} on {@code split} (validation where the
     * run has one), {@code predictedClasses} on its scored images (null: not measured).
     */
    public static List<String> classifier(double finalLoss, String split, Double top1, int classes,
                                          Integer predictedClasses, long nonFiniteLossStep) {
        List<String> out = new ArrayList<>();
        nonFinite(out, finalLoss, nonFiniteLossStep);
        if (top1 != null && classes > 1) {
            double chance = 1.0 / classes;
            if (!(top1 >= chance + HEAD_CHANCE_MARGIN)) {
                out.add(f("chance: %s top-1 %.3f is within %.0f points of chance %.3f (%d classes)", split, top1,
                        100 * HEAD_CHANCE_MARGIN, chance, classes));
            }
        }
        if (predictedClasses != null && predictedClasses <= 1 && classes > 1) {
            out.add("constant: predicts one class for every image");
        }
        return out;
    }

    private static void nonFinite(List<String> out, double finalLoss, long step) {
        if (step >= 0) {
            out.add("non-finite: loss " + finalLoss + " at step " + step + " (training stopped there)");
        } else if (Double.isNaN(finalLoss) || Double.isInfinite(finalLoss)) {
            out.add("non-finite: final loss " + finalLoss);
        }
    }

    /**
     * {@code metrics} without NaN or infinite values, which JSON cannot carry as numbers (the result's schema wants
     * numbers): each one left out is named in {@code reasons}.
     */
    public static Map<String, Double> finite(Map<String, Double> metrics, List<String> reasons) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            } else if (reasons.stream().noneMatch(r -> r.startsWith("non-finite: " + k + " "))) {
                reasons.add("non-finite: " + k + " " + v + " (left out of the metrics)");
            }
        });
        return out;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
