package dev.simclr.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.StackSettings;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestInfrastructure;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of {@code ./simclr import folder|idx|subset} on bad input, through the CLI's own code path (picocli
 * executing the command against a real S3 server): one line on stderr that names the problem, exit status 2 (the
 * input must change), nothing published. A subset needs its parent in the store, hence the server.
 */
class ImportRefusalsIT {
    static Map<String, String> processEnvironment;
    static ObjectStore store;

    @TempDir
    Path dir;
    @TempDir
    Path outside;

    @BeforeAll
    static void pointTheCliAtTheTestStore() {
        StackSettings settings = TestInfrastructure.get();
        store = new ObjectStore(settings);
        processEnvironment = Simclr.environment;
        Simclr.environment = settings.asEnv();
    }

    @AfterAll
    static void restore() {
        Simclr.environment = processEnvironment;
    }

    /** A refusal: exit 2, one line, "error: " and every expected part. */
    CliRun refused(String[] args, String... parts) {
        CliRun r = CliRun.of(args);
        assertThat(r.err()).as("%s", List.of(args)).startsWith("error: ").doesNotContain("\n")
                .doesNotContain("internal error").doesNotContain("Exception");
        for (String p : parts) {
            assertThat(r.err()).as("%s", List.of(args)).contains(p);
        }
        assertThat(r.exit()).as("exit status of %s: %s", List.of(args), r.err()).isEqualTo(2);
        return r;
    }

    String[] folder(String name) {
        return new String[] {"import", "folder", "--dir", dir.toString(), "--name", name};
    }

    String[] idx(String name) {
        return new String[] {"import", "idx", "--dir", dir.toString(), "--name", name};
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aSymlinkOutOfTheFolderIsRefused() throws IOException {
        png(outside.resolve("secret.png"), 4, 4);
        png(dir.resolve("cat/a.png"), 4, 4);
        Files.createSymbolicLink(dir.resolve("cat/b.png"), outside.resolve("secret.png"));
        refused(folder(unique("symlink")), "cat/b.png", "outside the dataset folder");
    }

    @Test
    void aTruncatedPngIsRefused() throws IOException {
        png(dir.resolve("cat/a.png"), 16, 16);
        png(dir.resolve("dog/b.png"), 16, 16);
        byte[] whole = Files.readAllBytes(dir.resolve("dog/b.png"));
        Files.write(dir.resolve("dog/b.png"), Arrays.copyOf(whole, whole.length / 2));
        refused(folder(unique("truncated")), "dog/b.png", "not a readable");
    }

    @Test
    void aZeroBytePngIsRefused() throws IOException {
        png(dir.resolve("cat/a.png"), 4, 4);
        Files.createDirectories(dir.resolve("dog"));
        Files.write(dir.resolve("dog/empty.png"), new byte[0]);
        refused(folder(unique("zero")), "dog/empty.png", "not a readable PNG or JPEG image");
    }

    @Test
    void aTextFileNamedPngIsRefused() throws IOException {
        png(dir.resolve("cat/a.png"), 4, 4);
        Files.createDirectories(dir.resolve("dog"));
        Files.writeString(dir.resolve("dog/notes.png"), "these are not pixels\n");
        refused(folder(unique("text")), "dog/notes.png", "not a readable PNG or JPEG image");
    }

    @Test
    void mixedImageSizesAreRefused() throws IOException {
        png(dir.resolve("cat/a.png"), 4, 4);
        png(dir.resolve("dog/b.png"), 8, 6);
        refused(folder(unique("mixed")), "mixed image sizes", "dog/b.png", "give a size");
    }

    @Test
    void anEmptyClassFolderIsRefused() throws IOException {
        png(dir.resolve("cat/a.png"), 4, 4);
        Files.createDirectories(dir.resolve("dog"));
        refused(folder(unique("empty-class")), "class 'dog' has no PNG or JPEG images");
    }

    @Test
    void aFolderWithoutClassFoldersIsRefused() throws IOException {
        png(dir.resolve("a.png"), 4, 4);
        refused(folder(unique("flat")), "no class sub-folders");
    }

    @Test
    void aNameOrVersionWithDotDotIsRefusedBeforeAnythingIsRead() throws IOException {
        png(dir.resolve("cat/a.png"), 4, 4);
        refused(folder("../escape"), "--name '../escape' must match", "no '..'");
        refused(folder("a..b"), "--name 'a..b' must match");
        String[] withVersion = {"import", "folder", "--dir", dir.toString(), "--name", unique("v"), "--version", ".."};
        refused(withVersion, "--version '..' must match");
    }

    @Test
    void anIdxFileWithAWrongMagicNumberIsRefused() throws IOException {
        writeIdx(0x0000_0999, 4, 2, 2, 4 * 4, LABELS_MAGIC, 4, 4);
        refused(idx(unique("magic")), "train-images-idx3-ubyte.gz", "wrong magic 0x999");
        writeIdx(0x0000_0803, 4, 2, 2, 4 * 4, 0x0000_0803, 4, 4);
        refused(idx(unique("magic")), "train-labels-idx1-ubyte.gz", "wrong magic 0x803");
    }

    @Test
    void truncatedIdxDataIsRefused() throws IOException {
        writeIdx(0x0000_0803, 10, 4, 4, 3 * 16, LABELS_MAGIC, 10, 10);
        refused(idx(unique("short")), "train-images-idx3-ubyte.gz", "truncated");
        writeIdx(0x0000_0803, 10, 4, 4, 10 * 16, LABELS_MAGIC, 10, 4);
        refused(idx(unique("short")), "train-labels-idx1-ubyte.gz", "truncated");
    }

    @Test
    void anImplausibleIdxHeaderIsRefused() throws IOException {
        writeIdx(0x0000_0803, 100_000, 50_000, 50_000, 0, LABELS_MAGIC, 0, 0);
        refused(idx(unique("huge")), "implausible shape 100000x50000x50000");
        writeIdx(0x0000_0803, 2, -1, 4, 0, LABELS_MAGIC, 0, 0);
        refused(idx(unique("negative")), "implausible shape 2x-1x4");
    }

    @Test
    void aLabelCountThatDoesNotMatchIsRefused() throws IOException {
        writeIdx(0x0000_0803, 4, 2, 2, 4 * 4, LABELS_MAGIC, 3, 3);
        refused(idx(unique("count")), "3 labels for 4 images");
    }

    @Test
    void missingIdxFilesAreRefused() throws IOException {
        refused(idx(unique("missing")), "train-images-idx3-ubyte.gz: no such file");
        writeIdx(0x0000_0803, 4, 2, 2, 4 * 4, LABELS_MAGIC, 4, 4);
        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
        refused(idx(unique("missing")), "train-labels-idx1-ubyte.gz: no such file");
    }

    @Test
    void aSubsetNamingAClassTheParentDoesNotHaveIsRefused() {
        String parent = TestImages.publishStripes(store, "parent"); // four classes, 0..3
        String[] args = {"import", "subset", "--parent", parent, "--classes", "0,12", "--name", unique("sub")};
        refused(args, "classes [0, 12]", "0..3");
        String[] noParent = {"import", "subset", "--parent", unique("nope"), "--classes", "0,1", "--name", "x"};
        refused(noParent, "nope");
    }

    @Test
    void nothingRefusedWasPublished() throws IOException {
        png(dir.resolve("cat/a.png"), 4, 4);
        Files.createDirectories(dir.resolve("dog"));
        String name = unique("unpublished");
        refused(folder(name), "has no PNG or JPEG images");
        assertThat(new DatasetStore(store).manifest(name, "v1")).isEmpty();
        assertThat(store.list("datasets/" + name + "/")).isEmpty();
    }

    static void png(Path file, int w, int h) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 37 + y * 91) * 0x010101 & 0xffffff);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }


    static final int LABELS_MAGIC = 0x0000_0801;

    /** The train pair of an IDX folder: a header as given, then {@code pixelBytes} bytes; labels likewise. */
    void writeIdx(int imagesMagic, int count, int height, int width, int pixelBytes, int labelsMagic,
                  int labelCount, int labelBytes) throws IOException {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(images)) {
            out.writeInt(imagesMagic);
            out.writeInt(count);
            out.writeInt(height);
            out.writeInt(width);
            out.write(new byte[pixelBytes]);
        }
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(labels)) {
            out.writeInt(labelsMagic);
            out.writeInt(labelCount);
            out.write(new byte[labelBytes]);
        }
        // plain bytes under the .gz names: the reader takes gzip or not by its magic bytes
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), images.toByteArray());
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), labels.toByteArray());
    }
}
