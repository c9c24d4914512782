package dev.simclr.core.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10/100 binary batches: per image 1 label byte (CIFAR-10) or coarse + fine label bytes (CIFAR-100, the
 * fine label is used), then 3072 bytes of 32×32 red, green, blue planes; converted to channels last.
 */
public final class CifarReader {
    private static final int PIXELS = 32 * 32 * 3;

    private CifarReader() {}

    public static LabelledImages read(List<Path> batches, boolean cifar100) {
        int labelBytes = cifar100 ? 2 : 1;
        int record = labelBytes + PIXELS;
        List<LabelledImages> parts = new ArrayList<>();
        for (Path batch : batches) {
            byte[] raw;
            try {
                raw = Files.readAllBytes(batch);
            } catch (IOException e) {
                throw new DatasetImportException(batch + ": " + e.getMessage(), e);
            }
            if (raw.length == 0 || raw.length % record != 0) {
                throw new DatasetImportException(batch + ": " + raw.length + " bytes is not a whole number of "
                        + record + "-byte CIFAR-" + (cifar100 ? "100" : "10") + " records (truncated?)");
            }
            int n = raw.length / record;
            byte[] pixels = new byte[n * PIXELS];
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                int base = i * record;
                labels[i] = Byte.toUnsignedInt(raw[base + labelBytes - 1]);
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 1024; p++) {
                        pixels[i * PIXELS + p * 3 + c] = raw[base + labelBytes + c * 1024 + p];
                    }
                }
            }
            parts.add(new LabelledImages(32, 32, 3, pixels, labels));
        }
        if (parts.isEmpty()) {
            throw new DatasetImportException("no CIFAR batch files given");
        }
        return LabelledImages.concat(parts);
    }
}
