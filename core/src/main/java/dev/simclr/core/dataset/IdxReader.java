package dev.simclr.core.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** IDX files (MNIST, Fashion-MNIST), plain or gzipped: uint8 images (magic 0x803) and uint8 labels (0x801). */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    public static LabelledImages read(Path images, Path labels) {
        byte[] pixels;
        int count;
        int height;
        int width;
        try (DataInputStream in = open(images)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new DatasetImportException(images + ": wrong magic 0x" + Integer.toHexString(magic)
                        + " (IDX images are 0x803)");
            }
            count = in.readInt();
            height = in.readInt();
            width = in.readInt();
            if (count < 0 || height <= 0 || width <= 0 || (long) count * height * width > Integer.MAX_VALUE) {
                throw new DatasetImportException(images + ": implausible shape " + count + "x" + height + "x" + width);
            }
            pixels = new byte[count * height * width];
            in.readFully(pixels);
        } catch (EOFException e) {
            throw new DatasetImportException(images + ": truncated (fewer bytes than its header declares)", e);
        } catch (IOException e) {
            throw new DatasetImportException(images + ": " + e.getMessage(), e);
        }
        long[] labelValues;
        try (DataInputStream in = open(labels)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new DatasetImportException(labels + ": wrong magic 0x" + Integer.toHexString(magic)
                        + " (IDX labels are 0x801)");
            }
            int n = in.readInt();
            if (n != count) {
                throw new DatasetImportException(labels + ": " + n + " labels for " + count + " images in " + images);
            }
            byte[] raw = new byte[n];
            in.readFully(raw);
            labelValues = new long[n];
            for (int i = 0; i < n; i++) {
                labelValues[i] = Byte.toUnsignedInt(raw[i]);
            }
        } catch (EOFException e) {
            throw new DatasetImportException(labels + ": truncated (fewer bytes than its header declares)", e);
        } catch (IOException e) {
            throw new DatasetImportException(labels + ": " + e.getMessage(), e);
        }
        return new LabelledImages(height, width, 1, pixels, labelValues);
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DatasetImportException(file + ": no such file");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            in = new GZIPInputStream(in);
        }
        return new DataInputStream(in);
    }
}
