package dev.simclr.core.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @Test
    void roundTripsEveryStoredDtype() {
        byte[] px = {0, 1, (byte) 200, (byte) 255, 7, 8};
        Npy.Array images = Npy.read(Npy.write(Npy.uint8(px, 1, 2, 3, 1)));
        assertThat(images.shape()).containsExactly(1, 2, 3, 1);
        assertThat(images.data()).containsExactly(px);
        assertThat(Npy.read(Npy.write(Npy.int64(new long[] {3, -1, 1L << 40}))).asLongs())
                .containsExactly(3, -1, 1L << 40);
        assertThat(Npy.read(Npy.write(Npy.float32(new float[] {1.5f, -2f}, 2))).asFloats())
                .containsExactly(1.5f, -2f);
    }

    @Test
    void anArchiveThatInflatesPastTheLimitIsRefused() {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) { // deflated, as numpy.savez_compressed writes
            zip.putNextEntry(new java.util.zip.ZipEntry("images.npy"));
            zip.write(Npy.write(Npy.uint8(new byte[1 << 16], 1 << 16)));
            zip.closeEntry();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        byte[] npz = bytes.toByteArray();
        assertThat(npz.length).isLessThan(1 << 12); // zeros deflate well: a small file, a large array
        assertThat(Npz.read(npz, 1 << 17)).containsKey("images");
        assertThatThrownBy(() -> Npz.read(npz, 1 << 12)).hasMessageContaining("inflates to more than 4096 bytes");
    }

    @Test
    void headerIsAlignedTo64BytesAsNumpyRequires() {
        byte[] npy = Npy.write(Npy.int64(new long[] {1, 2, 3}));
        int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        assertThat((10 + headerLength) % 64).isZero();
        assertThat(npy[10 + headerLength - 1]).isEqualTo((byte) '\n');
    }

    @Test
    void sameArraysGiveTheSameNpzBytes() {
        Map<String, Npy.Array> a = Map.of("labels", Npy.int64(new long[] {1, 2}));
        assertThat(Npz.write(a)).isEqualTo(Npz.write(a));
    }

    /** Map.of's order changes from one JVM to the next: a dataset imported twice got two sha256s per shard. */
    @Test
    void anUnorderedMapOfSeveralArraysIsRefused() {
        Map<String, Npy.Array> unordered = Map.of("images", Npy.int64(new long[] {1}), "labels", Npy.int64(new long[] {2}));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Npz.write(unordered))
                .hasMessageContaining("ordered map");
    }

    @Test
    void refusesWhatIsNotNpy() {
        assertThatThrownBy(() -> Npy.read("hello world, not numpy".getBytes()))
                .hasMessageContaining("wrong magic");
        assertThatThrownBy(() -> Npz.read(new byte[] {1, 2, 3})).hasMessageContaining("not an .npz archive");
    }

    /** numpy itself reads what we write (the format users and the reference scripts depend on). */
    @Test
    void numpyLoadsOurNpz(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("images", Npy.uint8(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2, 1));
        arrays.put("labels", Npy.int64(new long[] {4, 9}));
        Path file = dir.resolve("shard.npz");
        Files.write(file, Npz.write(arrays));
        Process p = new ProcessBuilder("/usr/bin/python3", "-c",
                "import numpy as np, sys; z = np.load(sys.argv[1]); "
                        + "print(z['images'].shape, z['images'].dtype, z['images'].sum(), list(z['labels']), "
                        + "z['labels'].dtype)", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assumeTrue(!out.contains("No module named 'numpy'"), "numpy not installed");
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("(2, 2, 2, 1) uint8 36 [4, 9] int64");
    }
}
