package dev.simclr.core.dataset;

import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.store.Sha256;
import java.time.Instant;
import java.util.Locale;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/** Datasets in object storage: publish imported images as shards + manifest, read them back, derive subsets. */
public final class DatasetStore {
    public static final int DEFAULT_SHARD_SIZE = 10_000;
    /** The split runs score on, once, at their end. */
    public static final String TEST_SPLIT = "test";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final ObjectMapper JSON = dev.simclr.contracts.Json.MAPPER;

    private final ObjectStore store;

    public DatasetStore(ObjectStore store) {
        this.store = store;
    }

    /**
     * Validates and publishes {@code splits} (e.g. train, test) as {@code name/version}: every shard first, the
     * manifest last. Throws {@link DatasetImportException} before writing anything if the data is unusable.
     */
    public DatasetManifest publish(String name, String version, List<String> classNames,
                                   Map<String, LabelledImages> splits, String source, int shardSize) {
        requireName("dataset name", name);
        requireName("dataset version", version);
        if (splits.isEmpty()) {
            throw new DatasetImportException(name + ": no images");
        }
        LabelledImages first = splits.values().iterator().next();
        Map<String, DatasetManifest.Split> manifestSplits = new LinkedHashMap<>();
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (var e : splits.entrySet()) {
            LabelledImages images = e.getValue();
            if (images.height() != first.height() || images.width() != first.width()
                    || images.channels() != first.channels()) {
                throw new DatasetImportException(name + ": split " + e.getKey() + " has images of "
                        + images.height() + "x" + images.width() + "x" + images.channels() + ", split "
                        + splits.keySet().iterator().next() + " of " + first.height() + "x" + first.width() + "x"
                        + first.channels());
            }
            List<Integer> counts = classCounts(images.labels(), classNames, name + " split " + e.getKey());
            List<DatasetManifest.Shard> shards = new ArrayList<>();
            for (int from = 0, i = 0; from < images.count(); from += shardSize, i++) {
                int to = Math.min(images.count(), from + shardSize);
                // an ordered map: Map.of iterates in an order that changes from one JVM to the next, and so
                // would the shard's bytes and sha256 (a re-import would then break the datasets derived from it)
                Map<String, Npy.Array> arrays = new LinkedHashMap<>();
                arrays.put("images", Npy.uint8(Arrays.copyOfRange(images.pixels(), from * images.imageBytes(),
                        to * images.imageBytes()), to - from, images.height(), images.width(), images.channels()));
                arrays.put("labels", Npy.int64(Arrays.copyOfRange(images.labels(), from, to)));
                byte[] npz = Npz.write(arrays);
                String key = shardKey(name, version, e.getKey(), i);
                objects.put(key, npz);
                shards.add(new DatasetManifest.Shard(key, to - from, Sha256.hex(npz)));
            }
            manifestSplits.put(e.getKey(), new DatasetManifest.Split(images.count(), counts, shards, null,
                    images.labelledCount()));
        }
        DatasetManifest manifest = new DatasetManifest(DatasetManifest.SCHEMA_VERSION, name, version,
                new DatasetManifest.ImageShape(first.height(), first.width(), first.channels()),
                List.copyOf(classNames), manifestSplits, null, null, source, Instant.now());
        store.publish(objects, DatasetManifest.manifestKey(name, version), toJson(manifest));
        return manifest;
    }

    /** {@code datasets/<name>/<version>/<split>/shard-NNNNN.npz}: ASCII digits whatever the JVM's locale. */
    public static String shardKey(String name, String version, String split, int shard) {
        return "datasets/" + name + "/" + version + "/" + split + "/" + String.format(Locale.ROOT, "shard-%05d.npz",
                shard);
    }

    public Optional<DatasetManifest> manifest(String name, String version) {
        return store.getIfExists(DatasetManifest.manifestKey(name, version)).map(DatasetStore::fromJson);
    }

    public DatasetManifest requireManifest(String name, String version) {
        return manifest(name, version).orElseThrow(() -> new DatasetImportException(
                "no dataset " + name + "/" + version + " (no " + DatasetManifest.manifestKey(name, version) + ")"));
    }

    /**
     * What a dataset holds, as one sha256: its manifest without the import time (shapes, classes, every split's
     * shards with their sha256s, a derived dataset's indices) and, for a derived dataset, its parent's content hash.
     * Run identities include it, so a dataset re-imported with other images is never answered from old runs.
     */
    public String contentSha256(String name, String version) {
        DatasetManifest m = requireManifest(name, version);
        DatasetManifest timeless = new DatasetManifest(m.schemaVersion(), m.name(), m.version(), m.imageShape(),
                m.classNames(), m.splits(), m.parent(), m.parentClasses(), m.source(), null);
        try {
            String own = JSON.writeValueAsString(timeless);
            String parent = m.parent() == null ? "" : contentSha256(m.parent().name(), m.parent().version());
            return Sha256.hex((own + "\0" + parent).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every dataset with a manifest, as name/version. */
    public List<String> list() {
        return store.list("datasets/").stream().filter(k -> k.endsWith("/manifest.json"))
                .map(k -> k.substring("datasets/".length(), k.length() - "/manifest.json".length())).toList();
    }

    /**
     * {@link #load} for a use that needs labels (fine-tuning, evaluation, distillation's labelled side): refuses a
     * split with unlabelled images, naming the dataset, how much of it is labelled and what to do instead.
     */
    public LabelledImages loadLabelled(String name, String version, String split, String use) {
        DatasetManifest m = requireManifest(name, version);
        DatasetManifest.Split s = m.splits().get(split);
        if (s != null && !s.fullyLabelled()) {
            throw new DatasetImportException(unlabelledProblem(m, use));
        }
        return load(name, version, split);
    }

    /** Why {@code use} cannot take the dataset: one sentence for a refusal. */
    public static String unlabelledProblem(DatasetManifest m, String use) {
        return m.name() + "/" + m.version() + " is not labelled (" + m.labelSummary() + "): " + use
                + " needs labelled images — pretrain on it (pretrain.dataset) and name a labelled dataset for the rest";
    }

    /** Reads a split, every shard checked against the manifest's sha256; derived datasets resolve to the parent. */
    public LabelledImages load(String name, String version, String split) {
        DatasetManifest m = requireManifest(name, version);
        DatasetManifest.Split s = m.splits().get(split);
        if (s == null) {
            throw new DatasetImportException(name + "/" + version + " has no split '" + split + "' (has "
                    + m.splits().keySet() + ")");
        }
        List<LabelledImages> parts = new ArrayList<>();
        for (DatasetManifest.Shard shard : s.shards()) {
            Map<String, Npy.Array> arrays = Npz.read(store.get(shard.key(), shard.sha256()));
            Npy.Array images = arrays.get("images");
            int[] shape = images.shape();
            parts.add(new LabelledImages(shape[1], shape[2], shape[3], images.data(), arrays.get("labels").asLongs()));
        }
        LabelledImages all = LabelledImages.concat(parts);
        if (s.indices() == null) {
            return all;
        }
        LabelledImages kept = all.select(s.indices().stream().mapToInt(Integer::intValue).toArray());
        if (m.parentClasses() != null) {
            long[] remap = new long[m.parentClasses().stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
            Arrays.fill(remap, -1);
            for (int i = 0; i < m.parentClasses().size(); i++) {
                remap[m.parentClasses().get(i)] = i;
            }
            long[] labels = kept.labels();
            for (int i = 0; i < labels.length; i++) {
                labels[i] = remap[(int) labels[i]];
            }
        }
        return kept;
    }

    /** A dataset of the parent's images whose class is in {@code classes} (relabelled 0..k-1 in that order). */
    public DatasetManifest deriveClassSubset(String parentName, String parentVersion, String name,
                                             List<Integer> classes) {
        DatasetManifest parent = requireLabelledManifest(parentName, parentVersion, "a class subset");
        if (parent.parent() != null) {
            throw new DatasetImportException("derive from the root dataset, not from derived " + parentName);
        }
        if (classes.size() < 2 || classes.stream().distinct().count() != classes.size()
                || classes.stream().anyMatch(c -> c < 0 || c >= parent.classNames().size())) {
            throw new DatasetImportException("classes " + classes + ": need 2 or more distinct classes of 0.."
                    + (parent.classNames().size() - 1));
        }
        Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
        for (String split : parent.splits().keySet()) {
            long[] labels = load(parentName, parentVersion, split).labels();
            List<Integer> kept = new ArrayList<>();
            int[] counts = new int[classes.size()];
            for (int i = 0; i < labels.length; i++) {
                int at = classes.indexOf((int) labels[i]);
                if (at >= 0) {
                    kept.add(i);
                    counts[at]++;
                }
            }
            splits.put(split, new DatasetManifest.Split(kept.size(), Arrays.stream(counts).boxed().toList(),
                    parent.splits().get(split).shards(), kept));
        }
        List<String> names = classes.stream().map(c -> parent.classNames().get(c)).toList();
        return publishDerived(parent, name, names, splits, classes,
                "classes " + classes + " of " + parentName + "/" + parentVersion);
    }

    /**
     * A dataset with {@code fraction} of the parent's training labels, the same share of every class (at least one
     * image each), drawn with {@code seed}; other splits are kept whole.
     */
    public DatasetManifest deriveLabelFraction(String parentName, String parentVersion, String name,
                                               double fraction, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new DatasetImportException("label fraction " + fraction + " is outside (0, 1]");
        }
        DatasetManifest parent = requireLabelledManifest(parentName, parentVersion, "a label fraction");
        if (parent.parent() != null) {
            throw new DatasetImportException("derive from the root dataset, not from derived " + parentName);
        }
        Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
        for (var e : parent.splits().entrySet()) {
            long[] labels = load(parentName, parentVersion, e.getKey()).labels();
            List<Integer> kept = new ArrayList<>();
            int[] counts = new int[parent.classNames().size()];
            if (!e.getKey().equals("train")) {
                for (int i = 0; i < labels.length; i++) {
                    kept.add(i);
                    counts[(int) labels[i]]++;
                }
            } else {
                for (int i : labelFraction(labels, counts.length, fraction, seed)) {
                    kept.add(i);
                    counts[(int) labels[i]]++;
                }
            }
            splits.put(e.getKey(), new DatasetManifest.Split(kept.size(), Arrays.stream(counts).boxed().toList(),
                    e.getValue().shards(), kept));
        }
        return publishDerived(parent, name, parent.classNames(), splits, null,
                "label fraction " + fraction + " (seed " + seed + ") of " + parentName + "/" + parentVersion);
    }

    /**
     * A smaller copy for quick experiments: {@code fraction} of every split, the same share of every class (at least
     * one image each), drawn with {@code seed}. The parent may itself be derived (a class subset, say): the sample's
     * indices then point into the root's shards through the parent's, and its classes stay the parent's.
     */
    public DatasetManifest deriveSample(String parentName, String parentVersion, String name, double fraction,
                                        long seed) {
        return deriveSample(parentName, parentVersion, name, fraction, fraction, seed);
    }

    /** The same, keeping {@code testFraction} of the {@code test} split instead (1: all of it). */
    public DatasetManifest deriveSample(String parentName, String parentVersion, String name, double fraction,
                                        double testFraction, long seed) {
        for (double f : new double[] {fraction, testFraction}) {
            if (!(f > 0 && f <= 1)) {
                throw new DatasetImportException("sample fraction " + f + " is outside (0, 1]");
            }
        }
        // a class-balanced draw needs the classes: an unlabelled dataset is used whole
        DatasetManifest parent = requireLabelledManifest(parentName, parentVersion, "a class-balanced sample");
        DatasetManifest root = parent.parent() == null ? parent
                : requireManifest(parent.parent().name(), parent.parent().version());
        Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
        for (var e : parent.splits().entrySet()) {
            long[] labels = load(parentName, parentVersion, e.getKey()).labels();
            int[] counts = new int[parent.classNames().size()];
            List<Integer> kept = new ArrayList<>();
            List<Integer> through = e.getValue().indices();
            double share = e.getKey().equals(TEST_SPLIT) ? testFraction : fraction;
            for (int pos : labelFraction(labels, counts.length, share, seed)) {
                kept.add(through == null ? pos : through.get(pos));
                counts[(int) labels[pos]]++;
            }
            splits.put(e.getKey(), new DatasetManifest.Split(kept.size(), Arrays.stream(counts).boxed().toList(),
                    e.getValue().shards(), kept));
        }
        return publishDerived(root, name, parent.classNames(), splits, parent.parentClasses(),
                "sample " + fraction + (testFraction == fraction ? "" : " (test split: " + testFraction + ")")
                        + " (seed " + seed + ") of every split of " + parentName + "/" + parentVersion);
    }

    /**
     * The images kept for a label fraction: per class, {@code fraction} of its images rounded (at least one), drawn
     * by a Fisher–Yates shuffle with our own seeded generator — the same subset on every machine. Sorted positions.
     */
    public static int[] labelFraction(long[] labels, int classes, double fraction, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> kept = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Integer> ofClass = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    ofClass.add(i);
                }
            }
            for (int i = ofClass.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = ofClass.get(i);
                ofClass.set(i, ofClass.get(j));
                ofClass.set(j, t);
            }
            int take = Math.max(1, (int) Math.round(ofClass.size() * fraction));
            kept.addAll(ofClass.subList(0, Math.min(take, ofClass.size())));
        }
        return kept.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private DatasetManifest requireLabelledManifest(String name, String version, String use) {
        DatasetManifest m = requireManifest(name, version);
        if (!m.fullyLabelled()) {
            throw new DatasetImportException(unlabelledProblem(m, use));
        }
        return m;
    }

    private DatasetManifest publishDerived(DatasetManifest parent, String name, List<String> classNames,
                                           Map<String, DatasetManifest.Split> splits, List<Integer> parentClasses,
                                           String source) {
        requireName("dataset name", name);
        DatasetManifest m = new DatasetManifest(DatasetManifest.SCHEMA_VERSION, name, parent.version(),
                parent.imageShape(), classNames, splits,
                new DatasetManifest.Parent(parent.name(), parent.version()), parentClasses, source, Instant.now());
        store.publish(Map.of(), DatasetManifest.manifestKey(name, parent.version()), toJson(m));
        return m;
    }

    private static List<Integer> classCounts(long[] labels, List<String> classNames, String what) {
        int[] counts = new int[classNames.size()];
        int labelled = 0;
        for (long label : labels) {
            if (label == LabelledImages.UNLABELLED) {
                continue;
            }
            if (label < 0 || label >= counts.length) {
                throw new DatasetImportException(what + ": label " + label + " is not one of the "
                        + counts.length + " classes" + (label < 0 ? " (" + LabelledImages.UNLABELLED
                        + " marks an unlabelled image)" : ""));
            }
            counts[(int) label]++;
            labelled++;
        }
        for (int c = 0; c < counts.length && labelled > 0; c++) {
            if (counts[c] == 0) {
                throw new DatasetImportException(what + ": class '" + classNames.get(c) + "' has no images");
            }
        }
        return Arrays.stream(counts).boxed().toList();
    }

    /**
     * A dataset name or version, checked before anything is read or written: it becomes an object-key segment
     * ({@code datasets/<name>/<version>/}), so {@link #NAME} and no '..' (request checks call this rule).
     */
    public static void requireName(String what, String value) {
        if (!validName(value)) {
            throw new DatasetImportException(what + " '" + value + "' must match " + NAME.pattern() + ", no '..'");
        }
    }

    public static boolean validName(String value) {
        return value != null && NAME.matcher(value).matches() && !value.contains("..");
    }

    static byte[] toJson(DatasetManifest m) {
        try {
            return dev.simclr.contracts.Json.PRETTY.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static DatasetManifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, DatasetManifest.class);
        } catch (java.io.IOException e) {
            throw new DatasetImportException("unreadable dataset manifest: " + e.getMessage(), e);
        }
    }
}
