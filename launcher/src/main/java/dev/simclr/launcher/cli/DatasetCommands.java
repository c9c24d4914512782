package dev.simclr.launcher.cli;

import dev.simclr.contracts.StackSettings;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.ImageFolderReader;
import dev.simclr.core.dataset.Importers;
import dev.simclr.core.store.ObjectStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./simclr import ...} and {@code ./simclr datasets}. */
final class DatasetCommands {
    private DatasetCommands() {}

    static DatasetStore store(StackSettings settings) {
        ObjectStore objects = new ObjectStore(settings);
        objects.ensureBucket();
        return new DatasetStore(objects);
    }

    static void importFashionMnistIfMissing(StackSettings settings, PrintStream out) {
        DatasetStore store = store(settings);
        if (store.manifest("fashion-mnist", "v1").isPresent()) {
            out.println("fashion-mnist/v1 already imported");
            return;
        }
        long t0 = System.nanoTime();
        DatasetManifest m = Importers.fashionMnist(store, Importers.FASHION_MNIST_DIR);
        out.printf("imported %s/%s in %.1f s%n", m.name(), m.version(), (System.nanoTime() - t0) / 1e9);
    }

    /** sklearn's digits as {@code digits/v1} (28×28) when missing; needs Debian's python3-sklearn for the file. */
    static void importDigitsIfMissing(StackSettings settings, PrintStream out) {
        DatasetStore store = store(settings);
        if (store.manifest("digits", "v1").isPresent()) {
            out.println("digits/v1 already imported");
            return;
        }
        long t0 = System.nanoTime();
        DatasetManifest m = Importers.digits(store, "digits", "v1", Importers.SKLEARN_DIGITS, Importers.DIGITS_SIZE);
        out.printf("imported %s/%s in %.1f s%n", m.name(), m.version(), (System.nanoTime() - t0) / 1e9);
    }

    static void printDatasets(StackSettings settings, PrintStream out) {
        DatasetStore store = store(settings);
        out.printf("%-28s %-10s %-14s %-8s %-9s %s%n", "dataset", "shape", "splits", "classes", "labelled",
                "source");
        for (String id : store.list()) {
            String[] nv = id.split("/");
            DatasetManifest m = store.requireManifest(nv[0], nv[1]);
            Map<String, Integer> counts = new LinkedHashMap<>();
            m.splits().forEach((k, v) -> counts.put(k, v.count()));
            var s = m.imageShape();
            long labelled = m.splits().values().stream().mapToLong(DatasetManifest.Split::labelledCount).sum();
            long all = m.splits().values().stream().mapToLong(DatasetManifest.Split::count).sum();
            out.printf("%-28s %-10s %-14s %-8d %-9s %s%n", id, s.height() + "x" + s.width() + "x" + s.channels(),
                    counts.toString().replace(" ", ""), m.classNames().size(),
                    labelled == all ? "all" : labelled == 0 ? "none" : labelled + "/" + all, m.source());
            for (var split : m.splits().entrySet()) {
                for (var shard : split.getValue().shards()) {
                    if (m.parent() == null) {
                        out.printf("    %s  %d images  sha256 %s%n", shard.key(), shard.count(), shard.sha256());
                    }
                }
            }
        }
    }

    @Command(name = "datasets", description = "List the datasets in object storage with their shards and sha256s.")
    static final class Datasets implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            printDatasets(Simclr.targetSettings(), System.out);
            return 0;
        }
    }

    @Command(name = "import", description = "Import a dataset into object storage (nothing is published on bad input).")
    static final class Import implements Callable<Integer> {
        static final String KINDS = "fashion-mnist, fashion-mnist-colour, digits, idx, cifar10, cifar100, folder, npy, "
                + "npz, subset or fraction";

        @Parameters(index = "0", description = "fashion-mnist | fashion-mnist-colour | digits | idx | cifar10 | "
                + "cifar100 | folder | npy | npz | subset | fraction")
        String kind;

        @Option(names = "--dir", description = "Source folder (fashion-mnist: ${DEFAULT-VALUE}).",
                defaultValue = "/usr/share/datasets/fashion-mnist")
        Path dir;

        @Option(names = "--file", description = "digits: sklearn's digits.csv.gz (default "
                + "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz); npy: the images, uint8 "
                + "N×H×W[×C]; npz: an archive of images [labels], train_images/test_images [+ _labels] or "
                + "x_train/y_train/x_test/y_test.")
        Path file;

        @Option(names = "--labels", description = "npy: one integer label per image (-1: none); without it the "
                + "images are unlabelled.")
        Path labels;

        @Option(names = "--unlabelled", description = "folder: a plain or nested folder of images without classes "
                + "(pretraining only).")
        boolean unlabelled;

        @Option(names = "--labels-csv", description = "folder --unlabelled: rows file,label that label some of the "
                + "images (paths relative to --dir).")
        Path labelsCsv;

        @Option(names = "--name", description = "Dataset name (lower case, digits, . _ -).")
        String name;

        @Option(names = "--version", description = "Dataset version.", defaultValue = "v1")
        String version;

        @Option(names = "--size", description = "folder: resize every image to HxW, e.g. 32x32; digits: "
                + "28x28 (default, bilinear, the size of Fashion-MNIST's encoders) or 8x8 (as shipped).")
        String size;

        @Option(names = "--channels", description = "folder: 1 (grey) or 3 (RGB).", defaultValue = "3")
        int channels;

        @Option(names = "--parent", description = "subset/fraction: parent dataset name.", defaultValue = "fashion-mnist")
        String parent;

        @Option(names = "--classes", split = ",", description = "subset: parent class indices to keep, e.g. 0,1,2.")
        List<Integer> classes;

        @Option(names = "--fraction", description = "fraction: share of training labels kept, in (0, 1].")
        Double fraction;

        @Option(names = "--seed", description = "fraction: seed of the class-balanced draw.", defaultValue = "0")
        long seed;

        @Override
        public Integer call() throws Exception {
            checkOptions();
            DatasetStore store = store(Simclr.targetSettings());
            DatasetManifest m = switch (kind) {
                case "fashion-mnist" -> Importers.fashionMnist(store, dir);
                case "fashion-mnist-colour" -> Importers.fashionMnistColour(store, dir);
                case "digits" -> Importers.digits(store, name != null ? name : "digits", version,
                        file != null ? file : Importers.SKLEARN_DIGITS, digitsSize());
                case "npy" -> Importers.npy(store, required(name), version, file, labels);
                case "npz" -> Importers.npz(store, required(name), version, file);
                case "idx" -> Importers.idx(store, required(name), version, Map.of(
                        "train", new Path[] {UserError.folder("--dir", dir).resolve("train-images-idx3-ubyte.gz"),
                                dir.resolve("train-labels-idx1-ubyte.gz")}), null);
                case "cifar10" -> Importers.cifar(store, required(name), version, UserError.folder("--dir", dir), false);
                case "cifar100" -> Importers.cifar(store, required(name), version, UserError.folder("--dir", dir), true);
                case "folder" -> {
                    ImageFolderReader.Options o = ImageFolderReader.Options.defaults(channels);
                    if (size != null) {
                        int[] hw = UserError.size("--size", size);
                        o = o.resizedTo(hw[0], hw[1]);
                    }
                    yield unlabelled ? Importers.unlabelledFolder(store, required(name), version,
                            UserError.folder("--dir", dir), o, labelsCsv)
                            : Importers.imageFolder(store, required(name), version, UserError.folder("--dir", dir), o);
                }
                case "subset" -> {
                    if (classes == null || classes.isEmpty()) {
                        throw new UserError("--classes: give the parent's class indices to keep, e.g. --classes 0,1,2");
                    }
                    yield store.deriveClassSubset(parent, version, required(name), classes);
                }
                case "fraction" -> {
                    if (fraction == null) {
                        throw new UserError("--fraction: give the share of training labels to keep, in (0, 1]");
                    }
                    yield store.deriveLabelFraction(parent, version, required(name), fraction, seed);
                }
                default -> throw new IllegalArgumentException("unknown kind '" + kind + "': " + KINDS);
            };
            System.out.println("published " + m.prefix() + "manifest.json");
            m.splits().forEach((k, v) -> System.out.println("  " + k + ": " + v.count() + " images" + (v.fullyLabelled()
                    ? "" : ", " + v.labelledCount() + " labelled") + (v.labelledCount() == 0 ? ""
                    : ", classes " + v.classCounts())));
            return 0;
        }

        /** What the user typed, checked before anything connects to the store. */
        private void checkOptions() {
            DatasetStore.requireName("--version", version);
            switch (kind) {
                case "idx", "cifar10", "cifar100", "folder" -> {
                    required(name);
                    UserError.folder("--dir", dir);
                    if (size != null) {
                        UserError.size("--size", size);
                    }
                    if (channels != 1 && channels != 3) {
                        throw new UserError("--channels: 1 (grey) or 3 (RGB), got " + channels);
                    }
                    if ((unlabelled || labelsCsv != null) && !kind.equals("folder")) {
                        throw new UserError("--unlabelled and --labels-csv are for folder imports");
                    }
                    if (labelsCsv != null) {
                        if (!unlabelled) {
                            throw new UserError("--labels-csv labels some images of an --unlabelled folder; a "
                                    + "labelled folder has one sub-folder per class");
                        }
                        UserError.file("--labels-csv", labelsCsv);
                    }
                }
                case "digits" -> digitsSize();
                case "npy", "npz" -> {
                    required(name);
                    UserError.file("--file", file);
                    if (labels != null) {
                        if (kind.equals("npz")) {
                            throw new UserError("--labels: npz archives carry their labels (a 'labels' array)");
                        }
                        UserError.file("--labels", labels);
                    }
                }
                case "subset" -> {
                    required(name);
                    if (classes == null || classes.isEmpty()) {
                        throw new UserError("--classes: give the parent's class indices to keep, e.g. --classes 0,1,2");
                    }
                }
                case "fraction" -> {
                    required(name);
                    if (fraction == null || !(fraction > 0 && fraction <= 1)) {
                        throw new UserError("--fraction: the share of training labels to keep, in (0, 1], got "
                                + fraction);
                    }
                }
                case "fashion-mnist", "fashion-mnist-colour" -> { }
                default -> throw new UserError("unknown kind '" + kind + "': " + KINDS);
            }
        }

        private int digitsSize() {
            if (size == null) {
                return Importers.DIGITS_SIZE;
            }
            int[] hw = UserError.size("--size", size);
            if (hw[0] != hw[1]) {
                throw new UserError("--size: digits takes a square, e.g. 28x28 or 8x8, got '" + size + "'");
            }
            return hw[0];
        }

        private String required(String value) {
            if (value == null) {
                throw new UserError("--name is required for " + kind);
            }
            DatasetStore.requireName("--name", value);
            return value;
        }
    }
}
