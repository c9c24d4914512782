package dev.simclr.core.dataset;

import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.store.Sha256;
import dev.simclr.core.testing.TestInfrastructure;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Importing, reading back and deriving datasets on the real S3 server. */
class DatasetStoreIT {
    ObjectStore objects;
    DatasetStore datasets;
    String name;

    @BeforeEach
    void setUp() {
        objects = new ObjectStore(TestInfrastructure.get());
        datasets = new DatasetStore(objects);
        name = "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** 3 classes, 12 train and 6 test images of 2x2, pixel = image index. */
    static Map<String, LabelledImages> tiny() {
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splits.put("train", images(12));
        splits.put("test", images(6));
        return splits;
    }

    static LabelledImages images(int n) {
        byte[] px = new byte[n * 4];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, i * 4, i * 4 + 4, (byte) i);
            labels[i] = i % 3;
        }
        return new LabelledImages(2, 2, 1, px, labels);
    }

    @Test
    void importsShardsWithChecksumsAndReadsThemBack(@TempDir Path dir) throws Exception {
        Path img = DatasetReadersTest.TestData.idxImages(dir.resolve("train-images-idx3-ubyte"), 12, 2, 2, 0);
        Path lbl = DatasetReadersTest.TestData.idxLabels(dir.resolve("train-labels-idx1-ubyte"),
                new byte[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2});
        DatasetManifest m = datasets.publish(name, "v1", List.of("a", "b", "c"),
                Map.of("train", IdxReader.read(img, lbl)), "test", 5);
        assertThat(m.splits().get("train").shards()).hasSize(3)
                .extracting(DatasetManifest.Shard::count).containsExactly(5, 5, 2);
        assertThat(m.splits().get("train").classCounts()).containsExactly(4, 4, 4);
        DatasetManifest.Shard shard = m.splits().get("train").shards().get(1);
        byte[] npz = objects.get(shard.key());
        assertThat(Sha256.hex(npz)).isEqualTo(shard.sha256());
        Map<String, Npy.Array> arrays = Npz.read(npz);
        assertThat(arrays.get("images").shape()).containsExactly(5, 2, 2, 1);
        assertThat(arrays.get("labels").asLongs()).containsExactly(2, 0, 1, 2, 0);
        LabelledImages back = datasets.load(name, "v1", "train");
        assertThat(back.pixels()).isEqualTo(IdxReader.read(img, lbl).pixels());
        assertThat(datasets.requireManifest(name, "v1").classNames()).containsExactly("a", "b", "c");
        assertThat(datasets.list()).contains(name + "/v1");
    }

    /** sklearn's digits from Debian's python3-sklearn: stored at 28×28, the same shards however often imported. */
    @Test
    void digitsImportTheSameBytesEveryTime() {
        DigitsReaderTest.assumeSklearn();
        DatasetManifest first = Importers.digits(datasets, name, "v1", Importers.SKLEARN_DIGITS, 28);
        DatasetManifest second = Importers.digits(datasets, name + "-again", "v1", Importers.SKLEARN_DIGITS, 28);
        assertThat(first.imageShape()).isEqualTo(new DatasetManifest.ImageShape(28, 28, 1));
        assertThat(first.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(first.splits().get("train").count()).isEqualTo(1438);
        assertThat(first.splits().get("test").count()).isEqualTo(359);
        assertThat(first.source()).contains("python3-sklearn").contains("bilinear to 28x28");
        for (String split : List.of("train", "test")) {
            assertThat(second.splits().get(split).shards()).extracting(DatasetManifest.Shard::sha256)
                    .isEqualTo(first.splits().get(split).shards().stream().map(DatasetManifest.Shard::sha256).toList());
        }
        LabelledImages test = datasets.load(name, "v1", "test");
        assertThat(test.count()).isEqualTo(359);
        assertThat(Arrays.stream(test.labels()).min().orElseThrow()).isZero();
        assertThat(Arrays.stream(test.labels()).max().orElseThrow()).isEqualTo(9);
        DatasetManifest two = datasets.deriveClassSubset(name, "v1", name + "-2c", List.of(0, 1));
        assertThat(two.splits().get("train").count() + two.splits().get("test").count()).isEqualTo(178 + 182);
    }

    @Test
    void badDataPublishesNothing() {
        Map<String, LabelledImages> splits = tiny();
        splits.put("test", new LabelledImages(2, 2, 1, new byte[8], new long[] {0, 1}));
        assertThatThrownBy(() -> datasets.publish(name, "v1", List.of("a", "b", "c"), splits, "test", 5))
                .isInstanceOf(DatasetImportException.class).hasMessageContaining("class 'c' has no images");
        Map<String, LabelledImages> mixed = tiny();
        mixed.put("test", new LabelledImages(3, 3, 1, new byte[9 * 3], new long[] {0, 1, 2}));
        assertThatThrownBy(() -> datasets.publish(name, "v1", List.of("a", "b", "c"), mixed, "test", 5))
                .hasMessageContaining("3x3x1");
        assertThatThrownBy(() -> datasets.publish("../escape", "v1", List.of("a", "b", "c"), tiny(), "t", 5))
                .hasMessageContaining("dataset name '../escape'");
        assertThat(objects.list("datasets/" + name + "/")).isEmpty();
    }

    /** A fixture written by numpy itself ({@code core/src/test/reference/make_numpy_fixtures.py}). */
    static Path numpyFixture(String file) throws Exception {
        return Path.of(DatasetStoreIT.class.getResource("/numpy/" + file).toURI());
    }

    @Test
    void aNumpyArchiveInKerasLayoutKeepsItsImagesAndSaysWhichAreLabelled() throws Exception {
        DatasetManifest m = Importers.npz(datasets, name, "v1", numpyFixture("keras-layout.npz"));
        assertThat(m.imageShape()).isEqualTo(new DatasetManifest.ImageShape(4, 5, 1));
        assertThat(m.classNames()).containsExactly("0", "1", "2");
        assertThat(m.splits().get("train").count()).isEqualTo(6);
        assertThat(m.splits().get("train").labelledCount()).isEqualTo(4);
        assertThat(m.splits().get("test").fullyLabelled()).isTrue();
        assertThat(m.fullyLabelled()).isFalse();
        LabelledImages train = datasets.load(name, "v1", "train");
        assertThat(train.labels()).containsExactly(0, 1, 2, -1, -1, 1);
        assertThat(Byte.toUnsignedInt(train.pixels()[37])).isEqualTo(37); // np.arange(...) % 256, C order
        assertThat(datasets.load(name, "v1", "test").labels()).containsExactly(2, 0, 1);
        // what needs labels refuses it, naming the dataset and the way out
        assertThatThrownBy(() -> datasets.loadLabelled(name, "v1", "train", "fine-tuning"))
                .isInstanceOf(DatasetImportException.class).hasMessageContaining(name + "/v1 is not labelled")
                .hasMessageContaining("train 4 of 6 labelled").hasMessageContaining("fine-tuning needs labelled")
                .hasMessageContaining("pretrain.dataset");
        assertThat(datasets.loadLabelled(name, "v1", "test", "evaluation").count()).isEqualTo(3);
        assertThatThrownBy(() -> datasets.deriveSample(name, "v1", name + "-s", 0.5, 1))
                .hasMessageContaining("is not labelled");
        assertThatThrownBy(() -> datasets.deriveClassSubset(name, "v1", name + "-c", List.of(0, 1)))
                .hasMessageContaining("is not labelled");
    }

    @Test
    void imagesWithoutLabelsAreAnUnlabelledDataset() throws Exception {
        DatasetManifest m = Importers.npy(datasets, name, "v1", numpyFixture("rgb-unlabelled.npy"), null);
        assertThat(m.imageShape()).isEqualTo(new DatasetManifest.ImageShape(3, 2, 3));
        assertThat(m.classNames()).isEmpty();
        assertThat(m.splits().keySet()).containsExactly("train");
        assertThat(m.splits().get("train").labelledCount()).isZero();
        LabelledImages train = datasets.load(name, "v1", "train");
        assertThat(train.count()).isEqualTo(4);
        assertThat(train.labelledOnly().count()).isZero();
        // the manifest says so in JSON as well
        assertThat(new String(objects.get(DatasetManifest.manifestKey(name, "v1")))).contains("\"labelled\" : 0");
    }

    @Test
    void badNumpyInputPublishesNothing(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Importers.npy(datasets, name, "v1", numpyFixture("float-images.npy"), null))
                .isInstanceOf(DatasetImportException.class).hasMessageContaining("images must be uint8, got <f4");
        Path labels = dir.resolve("labels.npy");
        java.nio.file.Files.write(labels, Npy.write(Npy.int64(new long[] {0, 1})));
        assertThatThrownBy(() -> Importers.npy(datasets, name, "v1", numpyFixture("rgb-unlabelled.npy"), labels))
                .hasMessageContaining("4 images but labels of shape [2]");
        java.nio.file.Files.write(labels, Npy.write(Npy.int64(new long[] {0, 1, -2, 0})));
        assertThatThrownBy(() -> Importers.npy(datasets, name, "v1", numpyFixture("rgb-unlabelled.npy"), labels))
                .hasMessageContaining("label -2");
        Path odd = dir.resolve("odd.npz");
        java.nio.file.Files.write(odd, Npz.write(Map.of("pixels", Npy.uint8(new byte[4], 1, 2, 2))));
        assertThatThrownBy(() -> Importers.npz(datasets, name, "v1", odd)).hasMessageContaining("arrays [pixels]");
        Map<String, Npy.Array> extra = new LinkedHashMap<>();
        extra.put("images", Npy.uint8(new byte[4], 1, 2, 2));
        extra.put("names", Npy.uint8(new byte[1], 1));
        java.nio.file.Files.write(odd, Npz.write(extra));
        assertThatThrownBy(() -> Importers.npz(datasets, name, "v1", odd)).hasMessageContaining("arrays [names]");
        java.nio.file.Files.write(odd, Npz.write(Map.of("images", Npy.uint8(new byte[8], 1, 2, 2, 2))));
        assertThatThrownBy(() -> Importers.npz(datasets, name, "v1", odd)).hasMessageContaining("C 1 or 3");
        assertThatThrownBy(() -> Importers.npz(datasets, name, "v1", dir.resolve("missing.npz")))
                .hasMessageContaining("no such file");
        assertThat(objects.list("datasets/" + name + "/")).isEmpty();
    }

    @Test
    void aFolderWithoutClassesIsUnlabelledAndACsvLabelsSomeOfIt(@TempDir Path dir) throws Exception {
        DatasetReadersTest.TestData.png(dir.resolve("b.png"), 4, 4, 0x00ff00);
        DatasetReadersTest.TestData.png(dir.resolve("a/x.png"), 4, 4, 0xff0000);
        DatasetReadersTest.TestData.png(dir.resolve("a/deeper/y.png"), 4, 4, 0x0000ff);
        var options = ImageFolderReader.Options.defaults(3);
        DatasetManifest plain = Importers.unlabelledFolder(datasets, name, "v1", dir, options, null);
        assertThat(plain.splits().get("train").count()).isEqualTo(3);
        assertThat(plain.splits().get("train").labelledCount()).isZero();
        // relative paths in order: a/deeper/y.png (blue), a/x.png (red), b.png (green)
        LabelledImages read = datasets.load(name, "v1", "train");
        assertThat(Arrays.copyOfRange(read.pixels(), 0, 3)).containsExactly(0, 0, (byte) 255);
        assertThat(Arrays.copyOfRange(read.pixels(), 48, 51)).containsExactly((byte) 255, 0, 0);
        Path csv = dir.resolve("labels.csv");
        java.nio.file.Files.writeString(csv, "file,label\na/x.png,cat\nb.png,dog\n");
        DatasetManifest some = Importers.unlabelledFolder(datasets, name + "-l", "v1", dir, options, csv);
        assertThat(some.classNames()).containsExactly("cat", "dog");
        assertThat(some.splits().get("train").labelledCount()).isEqualTo(2);
        assertThat(datasets.load(name + "-l", "v1", "train").labels()).containsExactly(-1, 0, 1);
        java.nio.file.Files.writeString(csv, "a/x.png,cat\nnope.png,dog\n");
        assertThatThrownBy(() -> Importers.unlabelledFolder(datasets, name + "-m", "v1", dir, options, csv))
                .hasMessageContaining("'nope.png' is not an image of");
        java.nio.file.Files.writeString(csv, "a/x.png,cat\na/x.png,dog\n");
        assertThatThrownBy(() -> Importers.unlabelledFolder(datasets, name + "-m", "v1", dir, options, csv))
                .hasMessageContaining("labelled twice");
        assertThat(objects.list("datasets/" + name + "-m/")).isEmpty();
    }

    @Test
    void classSubsetReferencesTheParentsShardsAndRelabels() {
        datasets.publish(name, "v1", List.of("a", "b", "c"), tiny(), "test", 5);
        DatasetManifest sub = datasets.deriveClassSubset(name, "v1", name + "-2c", List.of(2, 0));
        assertThat(sub.classNames()).containsExactly("c", "a");
        assertThat(sub.splits().get("train").shards())
                .isEqualTo(datasets.requireManifest(name, "v1").splits().get("train").shards());
        assertThat(objects.list("datasets/" + name + "-2c/")).containsExactly(
                "datasets/" + name + "-2c/v1/manifest.json");
        LabelledImages train = datasets.load(name + "-2c", "v1", "train");
        assertThat(train.count()).isEqualTo(8);
        // image i has label i % 3: parent class 2 is class 0 here, parent class 0 is class 1
        for (int i = 0; i < train.count(); i++) {
            int parentIndex = Byte.toUnsignedInt(train.pixels()[i * 4]);
            assertThat(train.labels()[i]).isEqualTo(parentIndex % 3 == 2 ? 0 : 1);
        }
        assertThatThrownBy(() -> datasets.deriveClassSubset(name, "v1", name + "-x", List.of(1, 7)))
                .hasMessageContaining("need 2 or more distinct classes of 0..2");
    }

    @Test
    void labelFractionIsClassBalancedAndSeeded() {
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splits.put("train", images(300));
        splits.put("test", images(30));
        datasets.publish(name, "v1", List.of("a", "b", "c"), splits, "test", 100);
        DatasetManifest tenth = datasets.deriveLabelFraction(name, "v1", name + "-10pc", 0.1, 42);
        assertThat(tenth.splits().get("train").classCounts()).containsExactly(10, 10, 10);
        assertThat(tenth.splits().get("test").count()).isEqualTo(30);
        DatasetManifest again = datasets.deriveLabelFraction(name, "v1", name + "-10pc-again", 0.1, 42);
        assertThat(again.splits().get("train").indices()).isEqualTo(tenth.splits().get("train").indices());
        DatasetManifest other = datasets.deriveLabelFraction(name, "v1", name + "-10pc-other", 0.1, 43);
        assertThat(other.splits().get("train").indices()).isNotEqualTo(tenth.splits().get("train").indices());
        assertThatThrownBy(() -> datasets.deriveLabelFraction(name, "v1", name + "-bad", 1.5, 1))
                .hasMessageContaining("outside (0, 1]");
    }

    @Test
    void aSampleOfAClassSubsetKeepsItsClassesAndSamplesEverySplit() {
        Map<String, LabelledImages> splits = new LinkedHashMap<>();
        splits.put("train", images(300));
        splits.put("test", images(60));
        datasets.publish(name, "v1", List.of("a", "b", "c"), splits, "test", 100);
        datasets.deriveClassSubset(name, "v1", name + "-2c", List.of(2, 1));
        DatasetManifest sample = datasets.deriveSample(name + "-2c", "v1", name + "-2c-s", 0.1, 7);
        assertThat(sample.classNames()).containsExactly("c", "b");
        assertThat(sample.splits().get("train").classCounts()).containsExactly(10, 10);
        assertThat(sample.splits().get("test").classCounts()).containsExactly(2, 2);
        LabelledImages test = datasets.load(name + "-2c-s", "v1", "test");
        LabelledImages parentTest = datasets.load(name, "v1", "test");
        for (int i = 0; i < test.count(); i++) {
            int rootIndex = sample.splits().get("test").indices().get(i);
            long rootLabel = parentTest.labels()[rootIndex];
            assertThat(test.labels()[i]).isEqualTo(rootLabel == 2 ? 0 : 1);
            assertThat(Arrays.copyOfRange(test.pixels(), i * test.imageBytes(), (i + 1) * test.imageBytes()))
                    .isEqualTo(Arrays.copyOfRange(parentTest.pixels(), rootIndex * test.imageBytes(),
                            (rootIndex + 1) * test.imageBytes()));
        }
        // the whole test split with a sample of the rest: every run scored on all of it
        DatasetManifest wholeTest = datasets.deriveSample(name + "-2c", "v1", name + "-2c-t", 0.1, 1.0, 7);
        assertThat(wholeTest.splits().get("train").classCounts()).containsExactly(10, 10);
        assertThat(wholeTest.splits().get("test").classCounts()).containsExactly(20, 20);
        assertThat(wholeTest.source()).contains("test split: 1.0");
    }

    @Test
    void corruptShardIsRefusedOnLoad() {
        DatasetManifest m = datasets.publish(name, "v1", List.of("a", "b", "c"), tiny(), "test", 50);
        String key = m.splits().get("test").shards().get(0).key();
        objects.put(key, Npz.write(Map.of("labels", Npy.int64(new long[] {1}))), "application/octet-stream");
        assertThatThrownBy(() -> datasets.load(name, "v1", "test"))
                .hasMessageContaining("sha256 mismatch for " + key);
    }
}
