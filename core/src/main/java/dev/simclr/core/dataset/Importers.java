package dev.simclr.core.dataset;

import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

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

    /**
     * A plain or nested folder of PNG/JPEG images as an unlabelled dataset (one {@code train} split, for pretraining);
     * {@code labelsCsv} (optional: rows {@code file,label}, {@code file} relative to the folder, a header row
     * {@code file,label} allowed) labels some of them — the labels, sorted, become the classes.
     */
    public static DatasetManifest unlabelledFolder(DatasetStore store, String name, String version, Path dir,
                                                   ImageFolderReader.Options options, Path labelsCsv) {
        ImageFolderReader.Unlabelled read = ImageFolderReader.readUnlabelled(dir, options);
        LabelledImages images = read.images();
        List<String> classes = List.of();
        if (labelsCsv != null) {
            Map<String, String> byFile = labelsCsv(labelsCsv);
            classes = List.copyOf(new TreeSet<>(byFile.values()));
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < read.files().size(); i++) {
                at.put(read.files().get(i), i);
            }
            long[] labels = images.labels().clone();
            for (var e : byFile.entrySet()) {
                Integer i = at.get(e.getKey());
                if (i == null) {
                    throw new DatasetImportException(labelsCsv + ": '" + e.getKey() + "' is not an image of " + dir
                            + " (paths are relative to it, with '/')");
                }
                labels[i] = classes.indexOf(e.getValue());
            }
            images = new LabelledImages(images.height(), images.width(), images.channels(), images.pixels(), labels);
        }
        return store.publish(name, version, classes, Map.of("train", images), "unlabelled image folder " + dir
                + (labelsCsv == null ? "" : ", labels of " + images.labelledCount() + " images from " + labelsCsv),
                DatasetStore.DEFAULT_SHARD_SIZE);
    }

    /** The largest .npy/.npz file or array read (a Java array's limit). */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 64;

    /**
     * NumPy arrays as {@code <name>/<version>}: {@code images} uint8 N×H×W (grey) or N×H×W×C (C = 1 or 3),
     * {@code labels} (optional) one integer per image, {@code -1} for an image without a label; without labels the
     * dataset is unlabelled (one {@code train} split, for pretraining).
     */
    public static DatasetManifest npy(DatasetStore store, String name, String version, Path images, Path labels) {
        Npy.Array x = readNpy(images);
        Npy.Array y = labels == null ? null : readNpy(labels);
        Map<String, LabelledImages> splits = Map.of("train", numpyImages(x, y, images.getFileName().toString()));
        return store.publish(name, version, numpyClasses(splits), splits, "NumPy " + images
                + (labels == null ? ", unlabelled" : ", labels " + labels), DatasetStore.DEFAULT_SHARD_SIZE);
    }

    /**
     * An .npz archive as {@code <name>/<version>}: arrays {@code images} [+ {@code labels}] (one train split), or
     * per split {@code train_images}, {@code test_images} [+ {@code train_labels}, {@code test_labels}], or Keras's
     * {@code x_train}, {@code y_train}, {@code x_test}, {@code y_test} — the arrays as {@link #npy} takes them.
     */
    public static DatasetManifest npz(DatasetStore store, String name, String version, Path file) {
        Map<String, Npy.Array> arrays;
        try {
            arrays = Npz.read(readFile(file), MAX_ARRAY_BYTES);
        } catch (IllegalArgumentException e) {
            throw new DatasetImportException(file + ": " + e.getMessage(), e);
        }
        Map<String, String[]> layout = new LinkedHashMap<>(); // split -> {images key, labels key}
        if (arrays.containsKey("images")) {
            layout.put("train", new String[] {"images", "labels"});
        } else if (arrays.containsKey("train_images")) {
            layout.put("train", new String[] {"train_images", "train_labels"});
            layout.put("test", new String[] {"test_images", "test_labels"});
        } else if (arrays.containsKey("x_train")) {
            layout.put("train", new String[] {"x_train", "y_train"});
            layout.put("test", new String[] {"x_test", "y_test"});
        } else {
            throw new DatasetImportException(file + ": arrays " + arrays.keySet() + "; expected images [labels], "
                    + "train_images/test_images [+ _labels] or x_train/y_train/x_test/y_test");
        }
        Set<String> used = new TreeSet<>();
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        layout.forEach((split, keys) -> {
            if (arrays.containsKey(keys[0])) {
                splits.put(split, numpyImages(arrays.get(keys[0]), arrays.get(keys[1]), file.getFileName() + ":"
                        + keys[0]));
                used.add(keys[0]);
                used.add(keys[1]);
            }
        });
        Set<String> unused = new TreeSet<>(arrays.keySet());
        unused.removeAll(used);
        if (!unused.isEmpty()) {
            throw new DatasetImportException(file + ": arrays " + unused + " are not part of the layout "
                    + layout.values().stream().map(k -> k[0] + " [" + k[1] + "]").toList());
        }
        return store.publish(name, version, numpyClasses(splits), splits, "NumPy archive " + file,
                DatasetStore.DEFAULT_SHARD_SIZE);
    }

    private static Npy.Array readNpy(Path file) {
        try {
            return Npy.read(readFile(file));
        } catch (IllegalArgumentException e) {
            throw new DatasetImportException(file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new DatasetImportException(file + ": no such file");
            }
            long size = Files.size(file);
            if (size > MAX_ARRAY_BYTES) {
                throw new DatasetImportException(file + ": " + size + " bytes, over the limit of " + MAX_ARRAY_BYTES
                        + " (import it in parts)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetImportException(file + ": " + e.getMessage(), e);
        }
    }

    /** uint8 N×H×W[×C] images and optional integer labels (−1: none) as images in memory, every shape checked. */
    static LabelledImages numpyImages(Npy.Array images, Npy.Array labels, String what) {
        if (!images.dtype().equals(Npy.UINT8) && !images.dtype().equals("<u1")) {
            throw new DatasetImportException(what + ": images must be uint8, got " + images.dtype()
                    + " (numpy: x.astype(np.uint8) after scaling to 0..255)");
        }
        int[] s = images.shape();
        int channels = s.length == 4 ? s[3] : 1;
        if ((s.length != 3 && s.length != 4) || (channels != 1 && channels != 3) || s[0] < 1
                || s[1] < 1 || s[1] > 4096 || s[2] < 1 || s[2] > 4096) {
            throw new DatasetImportException(what + ": images of shape " + java.util.Arrays.toString(s)
                    + "; expected N×H×W or N×H×W×C with C 1 or 3, H and W up to 4096");
        }
        if (labels == null) {
            return LabelledImages.unlabelled(s[1], s[2], channels, images.data());
        }
        long[] y;
        try {
            y = labels.asIntegers();
        } catch (IllegalArgumentException e) {
            throw new DatasetImportException(what + ": labels " + e.getMessage(), e);
        }
        if (labels.shape().length != 1 || y.length != s[0]) {
            throw new DatasetImportException(what + ": " + s[0] + " images but labels of shape "
                    + java.util.Arrays.toString(labels.shape()) + "; expected one label per image");
        }
        for (long l : y) {
            if (l < LabelledImages.UNLABELLED || l > 100_000) {
                throw new DatasetImportException(what + ": label " + l + "; labels are 0 … 100000, −1 for none");
            }
        }
        return new LabelledImages(s[1], s[2], channels, images.data(), y);
    }

    /** Classes 0 … the largest label of any split; none when no image is labelled. */
    private static List<String> numpyClasses(Map<String, LabelledImages> splits) {
        boolean any = splits.values().stream().anyMatch(s -> s.labelledCount() > 0);
        return any ? numberedClasses(splits) : List.of();
    }

    private static Map<String, String> labelsCsv(Path file) {
        Map<String, String> byFile = new LinkedHashMap<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setTrim(true).setIgnoreEmptyLines(true).get().parse(in)) {
                if (r.getRecordNumber() == 1 && r.size() == 2 && r.get(0).equals("file") && r.get(1).equals("label")) {
                    continue;
                }
                if (r.size() != 2 || r.get(0).isEmpty() || r.get(1).isEmpty()) {
                    throw new DatasetImportException(file + " line " + r.getRecordNumber()
                            + ": expected file,label");
                }
                if (byFile.put(r.get(0), r.get(1)) != null) {
                    throw new DatasetImportException(file + " line " + r.getRecordNumber() + ": '" + r.get(0)
                            + "' is labelled twice");
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DatasetImportException(file + ": " + e.getMessage(), e);
        }
        if (byFile.isEmpty()) {
            throw new DatasetImportException(file + ": no labels");
        }
        return byFile;
    }

    private static List<String> numberedClasses(Map<String, LabelledImages> splits) {
        long max = splits.values().stream().flatMapToLong(s -> java.util.Arrays.stream(s.labels())).max().orElse(0);
        return java.util.stream.LongStream.rangeClosed(0, max).mapToObj(Long::toString).toList();
    }
}
