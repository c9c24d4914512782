package dev.simclr.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every importer reads good input exactly and refuses bad input with a message naming the file and the fault. */
class DatasetReadersTest {
    @TempDir
    Path dir;

    @Test
    void readsIdxImagesAndLabels() throws IOException {
        Path images = TestData.idxImages(dir.resolve("img"), 3, 2, 2, 0);
        Path labels = TestData.idxLabels(dir.resolve("lbl"), new byte[] {0, 1, 9});
        LabelledImages read = IdxReader.read(images, labels);
        assertThat(read.count()).isEqualTo(3);
        assertThat(read.height()).isEqualTo(2);
        assertThat(read.channels()).isEqualTo(1);
        assertThat(read.labels()).containsExactly(0, 1, 9);
        assertThat(read.pixels()[5]).isEqualTo((byte) 5);
    }

    @Test
    void truncatedIdxIsRefused() throws IOException {
        Path images = TestData.idxImages(dir.resolve("img"), 3, 2, 2, 5);
        Path labels = TestData.idxLabels(dir.resolve("lbl"), new byte[] {0, 1, 2});
        assertThatThrownBy(() -> IdxReader.read(images, labels)).isInstanceOf(DatasetImportException.class)
                .hasMessageContaining("img").hasMessageContaining("truncated");
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        Path images = TestData.idxImages(dir.resolve("img"), 1, 2, 2, 0);
        Path labels = TestData.idxLabels(dir.resolve("lbl"), new byte[] {0});
        assertThatThrownBy(() -> IdxReader.read(labels, images)).isInstanceOf(DatasetImportException.class)
                .hasMessageContaining("wrong magic 0x801");
    }

    @Test
    void labelCountMustMatchImageCount() throws IOException {
        Path images = TestData.idxImages(dir.resolve("img"), 2, 2, 2, 0);
        Path labels = TestData.idxLabels(dir.resolve("lbl"), new byte[] {0, 1, 2});
        assertThatThrownBy(() -> IdxReader.read(images, labels)).hasMessageContaining("3 labels for 2 images");
    }

    @Test
    void readsCifarChannelsLastAndRefusesATruncatedBatch() throws IOException {
        byte[] record = new byte[1 + 3072];
        record[0] = 7;
        record[1] = 10;           // red of pixel 0
        record[1 + 1024] = 20;    // green of pixel 0
        record[1 + 2048 + 1] = 30; // blue of pixel 1
        Path batch = Files.write(dir.resolve("data_batch_1.bin"), record);
        LabelledImages read = CifarReader.read(List.of(batch), false);
        assertThat(read.labels()).containsExactly(7);
        assertThat(read.pixels()[0]).isEqualTo((byte) 10);
        assertThat(read.pixels()[1]).isEqualTo((byte) 20);
        assertThat(read.pixels()[5]).isEqualTo((byte) 30);
        Path truncated = Files.write(dir.resolve("short.bin"), java.util.Arrays.copyOf(record, 3000));
        assertThatThrownBy(() -> CifarReader.read(List.of(truncated), false))
                .hasMessageContaining("short.bin").hasMessageContaining("truncated");
    }

    @Test
    void readsAnImageFolderOneClassPerSubFolder() throws IOException {
        TestData.png(dir.resolve("cat/a.png"), 4, 4, 0x102030);
        TestData.png(dir.resolve("dog/b.png"), 4, 4, 0xffffff);
        TestData.png(dir.resolve("dog/c.png"), 4, 4, 0x000000);
        ImageFolderReader.Result r = ImageFolderReader.read(dir, ImageFolderReader.Options.defaults(3));
        assertThat(r.classNames()).containsExactly("cat", "dog");
        assertThat(r.images().labels()).containsExactly(0, 1, 1);
        assertThat(r.images().pixels()[0]).isEqualTo((byte) 0x10);
        assertThat(r.images().pixels()[2]).isEqualTo((byte) 0x30);
    }

    @Test
    void mixedSizesNeedADeclaredSize() throws IOException {
        TestData.png(dir.resolve("cat/a.png"), 4, 4, 0);
        TestData.png(dir.resolve("dog/b.png"), 8, 6, 0);
        assertThatThrownBy(() -> ImageFolderReader.read(dir, ImageFolderReader.Options.defaults(1)))
                .hasMessageContaining("mixed image sizes").hasMessageContaining("dog/b.png");
        LabelledImages resized = ImageFolderReader.read(dir, ImageFolderReader.Options.defaults(1).resizedTo(5, 5))
                .images();
        assertThat(resized.height()).isEqualTo(5);
        assertThat(resized.pixels()).hasSize(2 * 25);
    }

    @Test
    void emptyClassIsRefused() throws IOException {
        TestData.png(dir.resolve("cat/a.png"), 4, 4, 0);
        Files.createDirectories(dir.resolve("dog"));
        assertThatThrownBy(() -> ImageFolderReader.read(dir, ImageFolderReader.Options.defaults(3)))
                .hasMessageContaining("class 'dog' has no PNG or JPEG images");
    }

    @Test
    void fileThatEscapesTheFolderIsRefused(@TempDir Path outside) throws IOException {
        TestData.png(outside.resolve("secret.png"), 4, 4, 0);
        TestData.png(dir.resolve("cat/a.png"), 4, 4, 0);
        Files.createSymbolicLink(dir.resolve("cat/b.png"), outside.resolve("secret.png"));
        assertThatThrownBy(() -> ImageFolderReader.read(dir, ImageFolderReader.Options.defaults(3)))
                .hasMessageContaining("cat/b.png").hasMessageContaining("outside the dataset folder");
    }

    @Test
    void imagesOverTheLimitsAreRefused() throws IOException {
        TestData.png(dir.resolve("cat/big.png"), 64, 64, 0);
        var tooManyPixels = new ImageFolderReader.Options(null, null, 3, 1L << 20, 32 * 32);
        assertThatThrownBy(() -> ImageFolderReader.read(dir, tooManyPixels))
                .hasMessageContaining("cat/big.png").hasMessageContaining("64x64 pixels, over the limit of 1024");
        var tooManyBytes = new ImageFolderReader.Options(null, null, 3, 10, 1L << 20);
        assertThatThrownBy(() -> ImageFolderReader.read(dir, tooManyBytes))
                .hasMessageContaining("cat/big.png").hasMessageContaining("over the limit of 10");
    }

    @Test
    void unreadableImageIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("cat"));
        Files.writeString(dir.resolve("cat/broken.png"), "not a png");
        assertThatThrownBy(() -> ImageFolderReader.read(dir, ImageFolderReader.Options.defaults(3)))
                .hasMessageContaining("cat/broken.png").hasMessageContaining("not a readable");
    }

    @Test
    void aPlainFolderRefusesFilesThatEscapeItAndEmptiness(@TempDir Path outside) throws IOException {
        assertThatThrownBy(() -> ImageFolderReader.readUnlabelled(dir, ImageFolderReader.Options.defaults(1)))
                .hasMessageContaining("no PNG or JPEG images in it or below it");
        TestData.png(outside.resolve("secret.png"), 4, 4, 0);
        TestData.png(dir.resolve("a.png"), 4, 4, 0);
        Files.createSymbolicLink(dir.resolve("b.png"), outside.resolve("secret.png"));
        assertThatThrownBy(() -> ImageFolderReader.readUnlabelled(dir, ImageFolderReader.Options.defaults(1)))
                .hasMessageContaining("b.png").hasMessageContaining("outside the dataset folder");
    }

    /** Small files in the formats the importers read. */
    static final class TestData {
        static Path idxImages(Path file, int n, int h, int w, int missingBytes) throws IOException {
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
                out.writeInt(IdxReader.IMAGES_MAGIC);
                out.writeInt(n);
                out.writeInt(h);
                out.writeInt(w);
                for (int i = 0; i < n * h * w - missingBytes; i++) {
                    out.writeByte(i % 256);
                }
            }
            return file;
        }

        static Path idxLabels(Path file, byte[] labels) throws IOException {
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
                out.writeInt(IdxReader.LABELS_MAGIC);
                out.writeInt(labels.length);
                out.write(labels);
            }
            return file;
        }

        static void png(Path file, int w, int h, int rgb) throws IOException {
            Files.createDirectories(file.getParent());
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    image.setRGB(x, y, rgb);
                }
            }
            ImageIO.write(image, "png", file.toFile());
        }
    }
}
