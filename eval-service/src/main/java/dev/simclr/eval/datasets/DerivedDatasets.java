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
 * (when below 1), and for the transfer study, per seed, a class subset per class count — k of the dataset's classes
 * drawn with the seed, so that "fewer classes" is not always the same first k — sampled the same way, of the main
 * dataset and of each of {@code transfer.datasets} (sampled to its own {@code sample}).
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
        // everything but pretraining needs labels: refused here, with the way out, rather than by a failed run
        if (!m.fullyLabelled()) {
            throw new IllegalArgumentException(DatasetStore.unlabelledProblem(m, "fine-tuning, distillation and "
                    + "evaluation (the studies) read spec.dataset, which"));
        }
        DatasetRef own = spec.pretrain().dataset();
        if (own != null) {
            DatasetManifest pm = datasets.requireManifest(own.name(), own.version());
            if (pm.imageShape().channels() != m.imageShape().channels() || !pm.splits().containsKey("train")) {
                throw new IllegalArgumentException("pretrain.dataset " + own.name() + "/" + own.version() + " has "
                        + pm.imageShape().channels() + "-channel images" + (pm.splits().containsKey("train") ? ""
                        : " and no train split") + "; the studies' " + root.name() + " has "
                        + m.imageShape().channels() + "-channel ones");
            }
        }
        Sample sample = Sample.of(spec.sample(), spec.testSample());
        DatasetRef main = sampled(root, sample);
        // the ablation's domains, each sampled like the main dataset (the same name when it is the main one)
        Map<DatasetRef, DatasetRef> domains = new LinkedHashMap<>();
        if (spec.studies().contains(ExperimentSpec.ABLATION) && spec.finetune().domains() != null) {
            for (ExperimentSpec.Domain d : spec.finetune().domains()) {
                DatasetManifest dm = datasets.requireManifest(d.name(), d.version());
                if (!dm.fullyLabelled()) {
                    throw new IllegalArgumentException(DatasetStore.unlabelledProblem(dm, "the ablation fine-tunes "
                            + "on finetune.domains, and"));
                }
                domains.put(d.ref(), sampled(d.ref(), sample));
            }
        }
        Map<String, Map<Integer, DatasetRef>> transfer = new LinkedHashMap<>();
        Map<String, Map<Long, Map<Integer, DatasetRef>>> bySeed = new LinkedHashMap<>();
        if (spec.transfer() != null && spec.studies().contains(ExperimentSpec.TRANSFER)) {
            bySeed.put(root.name(), drawn(spec, root, m, spec.transfer().classCounts(), sample));
            transfer.put(root.name(), byClassCount(spec, root, spec.transfer().classCounts(), sample,
                    bySeed.get(root.name())));
            if (spec.transfer().datasets() != null) {
                for (ExperimentSpec.TransferDataset d : spec.transfer().datasets()) {
                    DatasetManifest dm = datasets.requireManifest(d.name(), d.version());
                    if (dm.imageShape().channels() != m.imageShape().channels()) {
                        throw new IllegalArgumentException("transfer dataset " + d.name() + " has "
                                + dm.imageShape().channels() + "-channel images, the encoder is pretrained on "
                                + m.imageShape().channels() + "-channel " + root.name());
                    }
                    List<Integer> counts = d.classCounts() != null ? d.classCounts() : spec.transfer().classCounts();
                    Sample s = Sample.of(d.sample(), null);
                    bySeed.put(d.name(), drawn(spec, d.ref(), dm, counts, s));
                    transfer.put(d.name(), byClassCount(spec, d.ref(), counts, s, bySeed.get(d.name())));
                }
            }
        }
        // training images of every transfer dataset: a transfer study that holds steps equal sets epochs from them
        Map<DatasetRef, Integer> trainImages = new LinkedHashMap<>();
        List<DatasetRef> refs = new java.util.ArrayList<>();
        transfer.values().forEach(byK -> refs.addAll(byK.values()));
        bySeed.values().forEach(seeds -> seeds.values().forEach(byK -> refs.addAll(byK.values())));
        for (DatasetRef ref : refs) {
            trainImages.computeIfAbsent(ref, r -> {
                DatasetManifest.Split train = datasets.requireManifest(r.name(), r.version()).splits().get("train");
                return train == null ? 0 : train.count();
            });
        }
        // what each dataset a run reads holds: part of the run's identity (runs are reused across experiments)
        Map<DatasetRef, String> content = new LinkedHashMap<>();
        refs.add(main);
        refs.addAll(domains.values());
        if (own != null) {
            refs.add(own);
            refs.addAll(domains.keySet()); // with pretrain.dataset every domain is pretrained on whole
        }
        for (DatasetRef ref : refs) {
            content.computeIfAbsent(ref, r -> datasets.contentSha256(r.name(), r.version()));
        }
        return new Planner.Datasets(main, transfer, bySeed, trainImages, content, domains);
    }

    /** Per seed and class count below all: k classes drawn with the seed (sorted), as a derived dataset. */
    private Map<Long, Map<Integer, DatasetRef>> drawn(ExperimentSpec spec, DatasetRef root, DatasetManifest m,
                                                      List<Integer> classCounts, Sample sample) {
        Map<Long, Map<Integer, DatasetRef>> out = new LinkedHashMap<>();
        int all = m.classNames().size();
        for (int k : classCounts) {
            if (k > all) {
                throw new IllegalArgumentException(root.name() + " has " + all + " classes, the transfer study asks "
                        + "for " + k);
            }
        }
        for (long seed : spec.transferSeeds()) {
            Map<Integer, DatasetRef> byK = new TreeMap<>();
            for (int k : classCounts) {
                if (k == all) {
                    continue;
                }
                List<Integer> classes = classes(seed, all, k);
                // named by its classes: seeds that draw the same classes share the subset
                String name = root.name() + "-classes-" + k + "-" + dev.simclr.core.store.Sha256.hex(
                        classes.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 10);
                var known = datasets.manifest(name, root.version());
                if (known.isEmpty()) {
                    datasets.deriveClassSubset(root.name(), root.version(), name, classes);
                } else if (!classes.equals(known.get().parentClasses())) {
                    throw new IllegalStateException(name + " holds classes " + known.get().parentClasses()
                            + ", not " + classes);
                }
                byK.put(k, sampled(new DatasetRef(name, root.version()), sample));
            }
            out.put(seed, byK);
        }
        return out;
    }

    /** {@code k} of {@code all} class indices, drawn by a Fisher–Yates shuffle seeded with the run seed; sorted. */
    public static List<Integer> classes(long seed, int all, int k) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0xC1A55L);
        int[] order = IntStream.range(0, all).toArray();
        for (int i = all - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return java.util.Arrays.stream(order, 0, k).sorted().boxed().toList();
    }

    /**
     * The class counts of a domain, each with the dataset of the first seed's draw (or the whole dataset): what the
     * plan iterates over; every seed's own subset is in the per-seed map. Nothing is derived here.
     */
    private Map<Integer, DatasetRef> byClassCount(ExperimentSpec spec, DatasetRef root, List<Integer> classCounts,
                                                  Sample sample, Map<Long, Map<Integer, DatasetRef>> drawn) {
        Map<Integer, DatasetRef> byClasses = new TreeMap<>();
        Map<Integer, DatasetRef> first = drawn.get(spec.transferSeeds().get(0));
        for (int k : classCounts) {
            byClasses.put(k, first.containsKey(k) ? first.get(k) : sampled(root, sample));
        }
        return byClasses;
    }

    /** The share kept of every split but the test split ({@code train}), and of the test split. */
    record Sample(double train, double test) {
        static Sample of(Double sample, Double testSample) {
            double train = sample == null ? 1.0 : sample;
            return new Sample(train, testSample == null ? train : testSample);
        }

        boolean whole() {
            return train >= 1 && test >= 1;
        }

        /** "-sample-200bp", or "-sample-200bp-test-10000bp" when the test split keeps another share. */
        String suffix() {
            return "-sample-" + Math.round(train * 10000) + "bp"
                    + (test == train ? "" : "-test-" + Math.round(test * 10000) + "bp");
        }
    }

    private DatasetRef sampled(DatasetRef ref, Sample sample) {
        if (sample.whole()) {
            return ref;
        }
        String name = ref.name() + sample.suffix();
        if (datasets.manifest(name, ref.version()).isEmpty()) {
            datasets.deriveSample(ref.name(), ref.version(), name, sample.train(), sample.test(), 0);
        }
        return new DatasetRef(name, ref.version());
    }
}
