package dev.simclr.core.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The datasets the platform knows how to bring in, each read fully and validated before anything is published. */
public final class Importers {
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    /** sklearn's digits as Debian's python3-sklearn ships them. */
    public static final Path SKLEARN_DIGITS = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");
    /** Digits are stored at Fashion-MNIST's size, so encoders pretrained on it take them as they are. */
    public static final int DIGITS_SIZE = 28;
    public static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private Importers() {}

    /** Fashion-MNIST from Debian's dataset-fashion-mnist (IDX, gzipped) as {@code fashion-mnist/v1}. */
    public static DatasetManifest fashionMnist(DatasetStore store, Path dir) {
        return store.publish("fashion-mnist", "v1", FASHION_MNIST_CLASSES, fashionMnistSplits(dir),
                "Debian dataset-fashion-mnist, " + dir, DatasetStore.DEFAULT_SHARD_SIZE);
    }

    private static Map<String, LabelledImages> fashionMnistSplits(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetImportException(dir + " is missing: install Debian's dataset-fashion-mnist "
                    + "(apt-get install dataset-fashion-mnist)");
        }
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splits.put("train", IdxReader.read(dir.resolve("train-images-idx3-ubyte.gz"),
                dir.resolve("train-labels-idx1-ubyte.gz")));
        splits.put("test", IdxReader.read(dir.resolve("t10k-images-idx3-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz")));
        return splits;
    }

    /**
     * Fashion-MNIST in colour, as {@code fashion-mnist-colour/v1}: the same images, labels and splits, each given a
     * seeded random foreground and background colour independent of its class ({@link Colourise}) — a synthetic
     * domain where colour augmentation changes hue and saturation, not only brightness.
     */
    public static DatasetManifest fashionMnistColour(DatasetStore store, Path dir) {
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        long seed = Colourise.SEED;
        for (var e : fashionMnistSplits(dir).entrySet()) {
            splits.put(e.getKey(), Colourise.apply(e.getValue(), seed++));
        }
        return store.publish("fashion-mnist-colour", "v1", FASHION_MNIST_CLASSES, splits,
                "Debian dataset-fashion-mnist, " + dir + ", colourised (synthetic): per image a random foreground "
                        + "and background colour, independent of the class (seed " + Colourise.SEED + ")",
                DatasetStore.DEFAULT_SHARD_SIZE);
    }

    /**
     * sklearn's 8×8 digits ({@code digits.csv.gz}) as {@code <name>/<version>}: grey values 0–16 scaled to 0–255, enlarged
     * to {@code size}×{@code size} (bilinear; 8 keeps them as they are), train/test by {@link DigitsReader}'s fixed
     * stratified split (1,438 / 359).
     */
    public static DatasetManifest digits(DatasetStore store, String name, String version, Path file, int size) {
        if (size < DigitsReader.SIDE || size > 256) {
            throw new DatasetImportException("digits: size " + size + " outside 8..256");
        }
        Map<String, LabelledImages> splits = DigitsReader.split(DigitsReader.scaled(DigitsReader.readRaw(file), size));
        return store.publish(name, version, DIGIT_CLASSES, splits, "sklearn digits (Debian python3-sklearn), " + file
                + "; 8x8 0-16 scaled to 0-255" + (size == DigitsReader.SIDE ? "" : ", bilinear to " + size + "x" + size)
                + "; test = stratified " + DigitsReader.TEST_FRACTION + " of each class (seed "
                + DigitsReader.SPLIT_SEED + ")", DatasetStore.DEFAULT_SHARD_SIZE);
    }

    /** Any IDX pair per split; class names are the label numbers unless given. */
    public static DatasetManifest idx(DatasetStore store, String name, String version, Map<String, Path[]> splitFiles,
                                      List<String> classNames) {
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splitFiles.forEach((split, files) -> splits.put(split, IdxReader.read(files[0], files[1])));
        return store.publish(name, version, classNames != null ? classNames : numberedClasses(splits), splits,
                "IDX " + splitFiles.values().stream().map(f -> f[0].toString()).toList(),
                DatasetStore.DEFAULT_SHARD_SIZE);
    }

    /** CIFAR-10/100 binary version: data_batch_*.bin → train, test_batch.bin (or test.bin / train.bin for 100). */
    public static DatasetManifest cifar(DatasetStore store, String name, String version, Path dir, boolean cifar100) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetImportException(dir + ": no such folder");
        }
        List<Path> train;
        Path test;
        if (cifar100) {
            train = List.of(dir.resolve("train.bin"));
            test = dir.resolve("test.bin");
        } else {
            train = List.of(1, 2, 3, 4, 5).stream().map(i -> dir.resolve("data_batch_" + i + ".bin")).toList();
            test = dir.resolve("test_batch.bin");
        }
        for (Path p : train) {
            if (!Files.isRegularFile(p)) {
                throw new DatasetImportException(p + ": missing CIFAR batch file");
            }
        }
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splits.put("train", CifarReader.read(train, cifar100));
        if (Files.isRegularFile(test)) {
            splits.put("test", CifarReader.read(List.of(test), cifar100));
        }
        List<String> classes = cifar100 ? numberedClasses(splits) : CIFAR10_CLASSES;
        return store.publish(name, version, classes, splits, "CIFAR binary " + dir, DatasetStore.DEFAULT_SHARD_SIZE);
    }

    /** An image folder per split ({@code <dir>/train}, {@code <dir>/test}) or, without them, the folder as train. */
    public static DatasetManifest imageFolder(DatasetStore store, String name, String version, Path dir,
                                              ImageFolderReader.Options options) {
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        List<String> classes = null;
        List<String> splitNames = Files.isDirectory(dir.resolve("train")) ? List.of("train", "test") : List.of("");
        for (String split : splitNames) {
            Path folder = split.isEmpty() ? dir : dir.resolve(split);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            ImageFolderReader.Result r = ImageFolderReader.read(folder, options);
            if (classes != null && !classes.equals(r.classNames())) {
                throw new DatasetImportException(folder + ": classes " + r.classNames() + " differ from train's "
                        + classes);
            }
            classes = r.classNames();
            splits.put(split.isEmpty() ? "train" : split, r.images());
        }
        return store.publish(name, version, classes, splits, "image folder " + dir, DatasetStore.DEFAULT_SHARD_SIZE);
    }

    private static List<String> numberedClasses(Map<String, LabelledImages> splits) {
        long max = splits.values().stream().flatMapToLong(s -> java.util.Arrays.stream(s.labels())).max().orElse(0);
        return java.util.stream.LongStream.rangeClosed(0, max).mapToObj(Long::toString).toList();
    }
}
