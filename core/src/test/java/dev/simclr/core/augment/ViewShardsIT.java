package dev.simclr.core.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.dataset.DataOrder;
import dev.simclr.core.store.ChecksumMismatchException;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shard writers and the reader on the real S3 server: sharing, restart, look-ahead, same bytes as in process. */
class ViewShardsIT {
    static final int IMAGES = 90;
    static ObjectStore store;
    static String dataset;
    static LabelledImages images;

    @BeforeAll
    static void publishDataset() {
        store = new ObjectStore(TestInfrastructure.get());
        store.ensureBucket();
        dataset = "shards-" + UUID.randomUUID().toString().substring(0, 8);
        images = AugmentPolicyTest.images(3, IMAGES);
        new DatasetStore(store).publish(dataset, "v1", List.of("a"), Map.of("train", images), "test", 1000);
    }

    static AugmentRequested request(String run, int epochs, int lookahead) {
        return new AugmentRequested(1, "exp", run, new DatasetRef(dataset, "v1"), "train", "simclr", epochs, 9, 2, 32,
                lookahead, null, null);
    }

    @Test
    void twoWritersShareARunWithoutWritingAShardTwiceAndARestartWritesNothing() throws Exception {
        String run = "augment-" + UUID.randomUUID();
        AugmentRequested r = request(run, 2, 5);
        ShardWriter a = new ShardWriter(store, 1);
        ShardWriter b = new ShardWriter(store, 1);
        var first = CompletableFuture.supplyAsync(() -> call(a, r.slice(0, 2)));
        var second = CompletableFuture.supplyAsync(() -> call(b, r.slice(1, 2)));
        ShardWriter.Result ra = first.get();
        ShardWriter.Result rb = second.get();
        int total = ShardWriter.plan(r, IMAGES).totalShards();
        assertThat(total).isEqualTo(6);
        assertThat(ra.shardsWritten() + rb.shardsWritten()).isEqualTo(total);
        assertThat(ra.shardsWritten()).isEqualTo(3);
        assertThat(ra.runDone() || rb.runDone()).isTrue();
        assertThat(store.list(ViewShards.prefix(run)).stream().filter(k -> k.endsWith(".npz"))).hasSize(total);
        // another instance (or this one restarted) picks the slice up again: everything exists, nothing is written
        ShardWriter restarted = new ShardWriter(store, 2);
        assertThat(call(restarted, r.slice(0, 2)).shardsWritten()).isZero();
        assertThat(call(restarted, r.slice(1, 2)).runDone()).isTrue();
    }

    @Test
    void readerGetsTheInProcessBytesAndTheWriterStaysWithinItsLookahead() throws Exception {
        String run = "augment-" + UUID.randomUUID();
        AugmentRequested r = request(run, 3, 1);
        ShardWriter writer = new ShardWriter(store, 2);
        // budget spent while waiting for the consumer: the writer stops after epochs 0 and 1 and says MORE (slices
        // of 2 s until both are written: on a loaded machine one slice may not be enough, which is no failure)
        ShardWriter.Result firstSlice = writer.run(r, Duration.ofSeconds(2), null);
        for (int i = 0; i < 30 && store.list(ViewShards.epochPrefix(run, 1)).size() < 3; i++) {
            assertThat(firstSlice.outcome()).isEqualTo(ShardWriter.Outcome.MORE);
            firstSlice = writer.run(r, Duration.ofSeconds(2), null);
        }
        assertThat(firstSlice.outcome()).isEqualTo(ShardWriter.Outcome.MORE);
        assertThat(store.list(ViewShards.epochPrefix(run, 1))).hasSize(3);
        assertThat(store.list(ViewShards.epochPrefix(run, 2))).isEmpty();

        try (ShardReader reader = new ShardReader(store, run, images, AugmentPolicy.parse("simclr"), 9,
                ShardWriter.datasetName(r), 2, Duration.ofSeconds(30));
             Augmenter inProcess = new Augmenter(images, AugmentPolicy.parse("simclr"), 9, ShardWriter.datasetName(r),
                     2, 1)) {
            for (int step = 0; step < DataOrder.stepsPerEpoch(IMAGES, 30); step++) {
                int[] batch = DataOrder.batch(9, 0, IMAGES, 30, step);
                assertThat(reader.views(0, step, batch)).isDeepEqualTo(inProcess.views(0, step, batch));
            }
            reader.release(0);
            assertThat(store.list(ViewShards.epochPrefix(run, 0))).isEmpty();
            assertThat(ViewShards.cursor(store, run)).isEqualTo(1);
            // the consumer moved on: the next slice of work writes epoch 2 and finishes
            ShardWriter.Result rest = writer.run(r, Duration.ofSeconds(30), null);
            assertThat(rest.outcome()).isEqualTo(ShardWriter.Outcome.DONE);
            assertThat(rest.shardsWritten()).isEqualTo(3);
            int[] batch = DataOrder.batch(9, 2, IMAGES, 30, 1);
            assertThat(reader.views(2, 1, batch)).isDeepEqualTo(inProcess.views(2, 1, batch));
            // an epoch already released (resume from an older checkpoint) is augmented in process, same bytes
            int[] old = DataOrder.batch(9, 0, IMAGES, 30, 2);
            assertThat(reader.views(0, 2, old)).isDeepEqualTo(inProcess.views(0, 2, old));
        }
    }

    @Test
    void aShardAlteredInStorageIsReportedByName() throws Exception {
        Path objects = TestInfrastructure.embeddedObjectsDir();
        assumeTrue(objects != null, "needs the embedded S3 server's files");
        String run = "augment-" + UUID.randomUUID();
        AugmentRequested r = request(run, 1, 1);
        new ShardWriter(store, 1).run(r, Duration.ofSeconds(30), null);
        String key = ViewShards.shardKey(run, 0, 1);
        Path onDisk = objects.resolve(store.bucket()).resolve(key);
        byte[] bytes = Files.readAllBytes(onDisk);
        bytes[bytes.length / 2] ^= 1;
        Files.write(onDisk, bytes);
        assertThatThrownBy(() -> new ShardWriter(store, 1).run(r, Duration.ofSeconds(30), null))
                .isInstanceOf(ChecksumMismatchException.class).hasMessageContaining(key);
    }

    @Test
    void aMissingDatasetIsNamed() {
        AugmentRequested r = new AugmentRequested(1, "exp", "augment-x", new DatasetRef("no-such-data", "v9"), "train",
                "simclr", 1, 1, 2, 32, 1, null, null);
        assertThatThrownBy(() -> new ShardWriter(store, 1).run(r, Duration.ofSeconds(5), null))
                .hasMessageContaining("no-such-data");
    }

    private static ShardWriter.Result call(ShardWriter w, AugmentRequested r) {
        try {
            return w.run(r, Duration.ofSeconds(60), null);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
