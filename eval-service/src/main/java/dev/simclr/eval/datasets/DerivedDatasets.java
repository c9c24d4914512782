package dev.simclr.eval.datasets;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The datasets a plan uses, derived from imported ones where missing (manifests over the parent's shards, with
 * deterministic names, so deriving again is a no-op): the main dataset sampled to {@code sample} of every split
 * (when below 1), and for the transfer study a class subset per class count (the first k classes), sampled the same
 * way — of the main dataset and of each of {@code transfer.datasets} (sampled to its own {@code sample}).
 */
public final class DerivedDatasets {
    private final DatasetStore datasets;

    public DerivedDatasets(DatasetStore datasets) {
        this.datasets = datasets;
    }

    /** Fails with {@link IllegalArgumentException} naming the dataset when the spec does not fit the data. */
    public Planner.Datasets prepare(ExperimentSpec spec) {
        DatasetRef root = spec.dataset();
        DatasetManifest m = datasets.requireManifest(root.name(), root.version());
        double sample = spec.sample() == null ? 1.0 : spec.sample();
        DatasetRef main = sampled(root, sample);
        Map<String, Map<Integer, DatasetRef>> transfer = new LinkedHashMap<>();
        if (spec.transfer() != null && spec.studies().contains(ExperimentSpec.TRANSFER)) {
            transfer.put(root.name(), classSubsets(root, m, spec.transfer().classCounts(), sample));
            if (spec.transfer().datasets() != null) {
                for (ExperimentSpec.TransferDataset d : spec.transfer().datasets()) {
                    DatasetManifest dm = datasets.requireManifest(d.name(), d.version());
                    if (dm.imageShape().channels() != m.imageShape().channels()) {
                        throw new IllegalArgumentException("transfer dataset " + d.name() + " has "
                                + dm.imageShape().channels() + "-channel images, the encoder is pretrained on "
                                + m.imageShape().channels() + "-channel " + root.name());
                    }
                    transfer.put(d.name(), classSubsets(d.ref(), dm, d.classCounts() != null ? d.classCounts()
                            : spec.transfer().classCounts(), d.sample() == null ? 1.0 : d.sample()));
                }
            }
        }
        return new Planner.Datasets(main, transfer);
    }

    private Map<Integer, DatasetRef> classSubsets(DatasetRef root, DatasetManifest m, List<Integer> classCounts,
                                                  double sample) {
        Map<Integer, DatasetRef> byClasses = new TreeMap<>();
        for (int k : classCounts) {
            if (k > m.classNames().size()) {
                throw new IllegalArgumentException(root.name() + " has " + m.classNames().size()
                        + " classes, the transfer study asks for " + k);
            }
            DatasetRef subset = root;
            if (k < m.classNames().size()) {
                String name = root.name() + "-classes-" + k;
                if (datasets.manifest(name, root.version()).isEmpty()) {
                    datasets.deriveClassSubset(root.name(), root.version(), name,
                            IntStream.range(0, k).boxed().toList());
                }
                subset = new DatasetRef(name, root.version());
            }
            byClasses.put(k, sampled(subset, sample));
        }
        return byClasses;
    }

    private DatasetRef sampled(DatasetRef ref, double sample) {
        if (sample >= 1) {
            return ref;
        }
        String name = ref.name() + "-sample-" + Math.round(sample * 10000) + "bp";
        if (datasets.manifest(name, ref.version()).isEmpty()) {
            datasets.deriveSample(ref.name(), ref.version(), name, sample, 0);
        }
        return new DatasetRef(name, ref.version());
    }
}
