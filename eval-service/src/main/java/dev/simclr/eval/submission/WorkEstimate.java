package dev.simclr.eval.submission;

import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.eval.plan.ExperimentSpec;

/**
 * About how many training steps a spec asks for (epochs × batches per epoch, summed over its runs, on the main
 * dataset's training split after {@code sample}; pretraining on {@code pretrain.dataset}'s when given, once when
 * shared, once per encoder with {@code pretrain.seeds}, the studies' runs then once per encoder): what the
 * coordinator's budget is held against, so that a typo (epochs 1e6) is refused with its size before anything runs.
 * An estimate, not a plan: transfer domains and the ablation's domains are counted at the main dataset's size, a
 * best-validation fine-tune at its cap.
 */
public final class WorkEstimate {
    private WorkEstimate() {}

    public static long steps(ExperimentSpec spec, DatasetStore datasets) {
        DatasetManifest m = datasets.requireManifest(spec.dataset().name(), spec.dataset().version());
        DatasetManifest.Split train = m.splits().get("train");
        Integer whole = null;
        if (spec.pretrain().dataset() != null) { // read whole, not sampled
            DatasetManifest.Split p = datasets.requireManifest(spec.pretrain().dataset().name(),
                    spec.pretrain().dataset().version()).splits().get("train");
            whole = p == null ? 0 : p.count();
        }
        return steps(spec, train == null ? 0 : train.count(), whole);
    }

    /**
     * The same from the sizes of the main dataset's training split ({@code trainImages}, before {@code sample}) and,
     * with {@code pretrain.dataset}, of that dataset's ({@code pretrainDatasetImages}).
     */
    public static long steps(ExperimentSpec spec, int trainImages, Integer pretrainDatasetImages) {
        double n = trainImages * (spec.sample() == null ? 1.0 : spec.sample());
        long seeds = spec.seeds().size();
        double total = 0;
        int encoders = 1;
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && spec.distill() != null) {
            encoders += (int) spec.distill().students().stream().filter(s -> !s.equals(spec.encoder())).count();
        }
        double pretrainImages = pretrainDatasetImages != null ? pretrainDatasetImages : n;
        ExperimentSpec.Finetune f = spec.finetune();
        boolean ablation = spec.studies().contains(ExperimentSpec.ABLATION) && f != null;
        // the ablation's domains pretrain an encoder each (counted at the main dataset's size); the main encoder
        // then only when another study reads it
        int domains = ablation && f.domains() != null ? f.domains().size() : 1;
        if (ablation && f.domains() != null) {
            boolean mainRead = spec.studies().contains(ExperimentSpec.DISTILLATION)
                    || spec.studies().contains(ExperimentSpec.TRANSFER);
            encoders += domains - (mainRead ? 0 : 1);
        }
        // one pretraining per seed, one shared (pretrain.seed), or one per independent encoder (pretrain.seeds), each
        // of which every study seed's runs then follow
        long pretrainings = spec.pretrain().seed() != null ? 1 : spec.pretrain().independentEncoders()
                ? spec.pretrain().seeds().size() : seeds;
        long crossed = spec.pretrain().independentEncoders() ? spec.pretrain().seeds().size() : 1;
        double pretraining = pretrainings * encoders * batches(pretrainImages, spec.pretrain().batchSize())
                * spec.pretrain().epochs();
        if (ablation) {
            for (double fraction : f.fractions()) {
                for (String budget : f.budgetList()) {
                    // best-validation: up to its cap, on its labelled images less the validation split
                    boolean best = ExperimentSpec.Finetune.BEST_VALIDATION.equals(budget);
                    double images = n * fraction * (best ? 1 - dev.simclr.core.dataset.Holdout.FRACTION : 1);
                    total += seeds * domains * f.policies().size() * batches(images, f.batchSize())
                            * (best ? f.maxEpochs() : f.epochs());
                }
            }
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && f != null) {
            total += seeds * batches(n * f.labelFraction(), f.batchSize()) * f.epochs(); // the teacher
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && spec.distill() != null) {
            total += seeds * spec.distill().students().size() * spec.distill().modes().size()
                    * batches(n, spec.distill().batchSize()) * spec.distill().epochs();
        }
        if (spec.studies().contains(ExperimentSpec.TRANSFER) && spec.transfer() != null) {
            long transferSeeds = spec.transferSeeds().size(); // the study may take its own seeds
            int transferDomains = 1 + (spec.transfer().datasets() == null ? 0 : spec.transfer().datasets().size());
            for (int b : spec.transfer().batchSizes()) {
                total += transferSeeds * transferDomains * spec.transfer().classCounts().size()
                        * (spec.transfer().steps() != null
                        ? spec.transfer().steps() : batches(n, b) * spec.transfer().epochs());
            }
            if (spec.transfer().withPixelBaseline()) {
                total += transferSeeds * transferDomains * spec.transfer().classCounts().size()
                        * (spec.transfer().steps() != null
                        ? spec.transfer().steps() : batches(n, 256) * spec.transfer().epochs());
            }
        }
        total = pretraining + crossed * total;
        return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(total);
    }

    private static double batches(double images, int batch) {
        return Math.max(1, Math.ceil(images / Math.max(1, batch)));
    }
}
