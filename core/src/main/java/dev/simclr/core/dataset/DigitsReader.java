package dev.simclr.core.dataset;

import dev.simclr.core.image.ImageOps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * scikit-learn's bundled handwritten digits ({@code sklearn/datasets/data/digits.csv.gz}, from Debian's
 * python3-sklearn): one image per line, 64 grey values 0–16 of an 8×8 image (row by row) then the label 0–9, 1,797
 * lines. Read here with {@code java.util.zip}, no Python.
 *
 * <p>What the importer makes of it: grey values scaled 0–16 → 0–255 ({@code round(v·255/16)}), each image enlarged
 * to {@code size}×{@code size} by {@link ImageOps#resizedCrop} (bilinear, half-pixel centres — torchvision's
 * {@code resize}) so that an encoder pretrained on 28×28 Fashion-MNIST sees digits at its own input size, and a
 * fixed stratified split: per class, {@link DatasetStore#labelFraction} with {@link #TEST_FRACTION} and
 * {@link #SPLIT_SEED} picks the test images (359 of 1,797), the rest train (1,438) — the same on every machine.
 */
public final class DigitsReader {
    public static final int SIDE = 8;
    public static final int MAX_VALUE = 16;
    public static final double TEST_FRACTION = 0.2;
    public static final long SPLIT_SEED = 0;
    /** The largest file we read: the real one is about 57 kB compressed, 270 kB plain. */
    static final long MAX_CHARS = 64L << 20;

    private DigitsReader() {}

    /** All images of the file at 8×8, values 0–16 as read (not yet scaled). */
    public static LabelledImages readRaw(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetImportException(file + " is missing: install Debian's python3-sklearn "
                    + "(apt-get install python3-sklearn), which ships sklearn's digits");
        }
        List<byte[]> images = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        long chars = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                chars += line.length() + 1;
                if (chars > MAX_CHARS) {
                    throw new DatasetImportException(file + ": larger than " + (MAX_CHARS >> 20)
                            + " MB uncompressed; not sklearn's digits");
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != SIDE * SIDE + 1) {
                    throw new DatasetImportException(file + " line " + lineNo + ": " + f.length
                            + " values, expected 65 (64 pixels and the label)");
                }
                byte[] px = new byte[SIDE * SIDE];
                for (int i = 0; i < px.length; i++) {
                    int v = value(f[i], file, lineNo);
                    if (v < 0 || v > MAX_VALUE) {
                        throw new DatasetImportException(file + " line " + lineNo + ": pixel " + i + " is " + v
                                + ", outside 0.." + MAX_VALUE);
                    }
                    px[i] = (byte) v;
                }
                int label = value(f[SIDE * SIDE], file, lineNo);
                if (label < 0 || label > 9) {
                    throw new DatasetImportException(file + " line " + lineNo + ": label " + label
                            + " is not a digit 0..9");
                }
                images.add(px);
                labels.add((long) label);
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DatasetImportException(file + ": not a complete gzip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DatasetImportException(file + ": " + e.getMessage(), e);
        }
        if (images.isEmpty()) {
            throw new DatasetImportException(file + ": no images");
        }
        byte[] pixels = new byte[images.size() * SIDE * SIDE];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, pixels, i * SIDE * SIDE, SIDE * SIDE);
        }
        return new LabelledImages(SIDE, SIDE, 1, pixels, labels.stream().mapToLong(Long::longValue).toArray());
    }

    /** Values 0–255 at {@code size}×{@code size} (8 keeps the original grid). */
    public static LabelledImages scaled(LabelledImages raw, int size) {
        int n = raw.count();
        byte[] grey = new byte[raw.pixels().length];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) Math.round(raw.pixels()[i] * 255.0 / MAX_VALUE);
        }
        if (size == SIDE) {
            return new LabelledImages(SIDE, SIDE, 1, grey, raw.labels().clone());
        }
        byte[] out = new byte[n * size * size];
        for (int i = 0; i < n; i++) {
            byte[] img = ImageOps.resizedCrop(grey, i * SIDE * SIDE, SIDE, SIDE, 1, 0, 0, SIDE, SIDE, size, size);
            System.arraycopy(img, 0, out, i * size * size, img.length);
        }
        return new LabelledImages(size, size, 1, out, raw.labels().clone());
    }

    /** The fixed stratified split: {@code train} and {@code test}, each in file order. */
    public static Map<String, LabelledImages> split(LabelledImages all) {
        int[] test = DatasetStore.labelFraction(all.labels(), 10, TEST_FRACTION, SPLIT_SEED);
        boolean[] inTest = new boolean[all.count()];
        for (int i : test) {
            inTest[i] = true;
        }
        int[] train = java.util.stream.IntStream.range(0, all.count()).filter(i -> !inTest[i]).toArray();
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splits.put("train", all.select(train));
        splits.put("test", all.select(Arrays.copyOf(test, test.length)));
        return splits;
    }

    private static int value(String s, Path file, int lineNo) {
        String t = s.trim();
        try {
            double d = Double.parseDouble(t);
            if (d != Math.rint(d)) {
                throw new DatasetImportException(file + " line " + lineNo + ": '" + t + "' is not a whole number");
            }
            return (int) d;
        } catch (NumberFormatException e) {
            throw new DatasetImportException(file + " line " + lineNo + ": '" + t + "' is not a number");
        }
    }
}
