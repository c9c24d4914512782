package dev.simclr.eval.submission;

import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.eval.plan.ExperimentSpec;

/**
 * About how many training steps a spec asks for (epochs × batches per epoch, summed over its runs, on the main
 * dataset's training split after {@code sample}; pretraining on {@code pretrain.dataset}'s when given): what the coordinator's budget is held against, so that a typo
 * (epochs 1e6) is refused with its size before anything runs. An estimate, not a plan: transfer domains are
 * counted at the main dataset's size.
 */
public final class WorkEstimate {
    private WorkEstimate() {}

    public static long steps(ExperimentSpec spec, DatasetStore datasets) {
        DatasetManifest m = datasets.requireManifest(spec.dataset().name(), spec.dataset().version());
        DatasetManifest.Split train = m.splits().get("train");
        double n = (train == null ? 0 : train.count()) * (spec.sample() == null ? 1.0 : spec.sample());
        long seeds = spec.seeds().size();
        double total = 0;
        int encoders = 1;
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && spec.distill() != null) {
            encoders += (int) spec.distill().students().stream().filter(s -> !s.equals(spec.encoder())).count();
        }
        double pretrainImages = n;
        if (spec.pretrain().dataset() != null) { // read whole, not sampled
            DatasetManifest.Split p = datasets.requireManifest(spec.pretrain().dataset().name(),
                    spec.pretrain().dataset().version()).splits().get("train");
            pretrainImages = p == null ? 0 : p.count();
        }
        total += seeds * encoders * batches(pretrainImages, spec.pretrain().batchSize()) * spec.pretrain().epochs();
        if (spec.finetune() != null) {
            int finetunes = spec.studies().contains(ExperimentSpec.ABLATION) ? spec.finetune().policies().size() : 0;
            if (spec.studies().contains(ExperimentSpec.DISTILLATION)) {
                finetunes++;
            }
            for (double fraction : spec.finetune().fractions()) {
                total += seeds * finetunes * batches(n * fraction, spec.finetune().batchSize())
                        * spec.finetune().epochs();
            }
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && spec.distill() != null) {
            total += seeds * spec.distill().students().size() * spec.distill().modes().size()
                    * batches(n, spec.distill().batchSize()) * spec.distill().epochs();
        }
        if (spec.studies().contains(ExperimentSpec.TRANSFER) && spec.transfer() != null) {
            long transferSeeds = spec.transferSeeds().size(); // the study may take its own seeds
            int domains = 1 + (spec.transfer().datasets() == null ? 0 : spec.transfer().datasets().size());
            for (int b : spec.transfer().batchSizes()) {
                total += transferSeeds * domains * spec.transfer().classCounts().size()
                        * (spec.transfer().steps() != null
                        ? spec.transfer().steps() : batches(n, b) * spec.transfer().epochs());
            }
            if (spec.transfer().withPixelBaseline()) {
                total += transferSeeds * domains * spec.transfer().classCounts().size()
                        * (spec.transfer().steps() != null
                        ? spec.transfer().steps() : batches(n, 256) * spec.transfer().epochs());
            }
        }
        return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(total);
    }

    private static double batches(double images, int batch) {
        return Math.max(1, Math.ceil(images / Math.max(1, batch)));
    }
}
