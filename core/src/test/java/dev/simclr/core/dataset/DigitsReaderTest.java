package dev.simclr.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sklearn's digits from Debian's python3-sklearn: read, scaled, enlarged and split the same way every time. */
class DigitsReaderTest {
    @TempDir
    Path dir;

    static void assumeSklearn() {
        assumeTrue(Files.isRegularFile(Importers.SKLEARN_DIGITS), "python3-sklearn not installed (no "
                + Importers.SKLEARN_DIGITS + ")");
    }

    @Test
    void readsTheRealFile() {
        assumeSklearn();
        LabelledImages raw = DigitsReader.readRaw(Importers.SKLEARN_DIGITS);
        assertThat(raw.count()).isEqualTo(1797);
        assertThat(raw.height()).isEqualTo(8);
        int[] perClass = new int[10];
        Arrays.stream(raw.labels()).forEach(l -> perClass[(int) l]++);
        // sklearn's documented class sizes
        assertThat(perClass).containsExactly(178, 182, 177, 183, 181, 182, 181, 179, 174, 180);
        byte max = 0;
        for (byte b : raw.pixels()) {
            max = (byte) Math.max(max, b);
        }
        assertThat(max).isEqualTo((byte) 16);
        // the first image is a 0: its first row is 0 0 5 13 9 1 0 0
        assertThat(Arrays.copyOf(raw.pixels(), 8)).containsExactly(0, 0, 5, 13, 9, 1, 0, 0);
        assertThat(raw.labels()[0]).isZero();
    }

    @Test
    void splitsStratifiedAndTheSameEveryTime() {
        assumeSklearn();
        LabelledImages all = DigitsReader.scaled(DigitsReader.readRaw(Importers.SKLEARN_DIGITS), 28);
        assertThat(all.height()).isEqualTo(28);
        assertThat(all.width()).isEqualTo(28);
        assertThat(all.channels()).isEqualTo(1);
        Map<String, LabelledImages> split = DigitsReader.split(all);
        assertThat(split.get("train").count()).isEqualTo(1438);
        assertThat(split.get("test").count()).isEqualTo(359);
        int[] testPerClass = new int[10];
        Arrays.stream(split.get("test").labels()).forEach(l -> testPerClass[(int) l]++);
        assertThat(Arrays.stream(testPerClass).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(34, 37));
        Map<String, LabelledImages> again = DigitsReader.split(
                DigitsReader.scaled(DigitsReader.readRaw(Importers.SKLEARN_DIGITS), 28));
        assertThat(again.get("test").pixels()).isEqualTo(split.get("test").pixels());
        assertThat(again.get("train").labels()).isEqualTo(split.get("train").labels());
    }

    @Test
    void scalesToFullGreyRangeAndEnlargesBilinearly() throws IOException {
        // one 8x8 image: left half 16, right half 0
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            line.append(i % 8 < 4 ? 16 : 0).append(',');
        }
        line.append("7\n");
        LabelledImages raw = DigitsReader.readRaw(gz("one.csv.gz", line.toString()));
        LabelledImages eight = DigitsReader.scaled(raw, 8);
        assertThat(eight.pixels()[0] & 0xff).isEqualTo(255);
        assertThat(eight.pixels()[7] & 0xff).isZero();
        LabelledImages big = DigitsReader.scaled(raw, 28);
        assertThat(big.labels()).containsExactly(7);
        assertThat(big.pixels()[0] & 0xff).isEqualTo(255);
        assertThat(big.pixels()[27] & 0xff).isZero();
        int mid = big.pixels()[14] & 0xff; // the edge: between the two
        assertThat(mid).isBetween(1, 254);
    }

    @Test
    void missingFileSaysWhatToInstall() {
        assertThatThrownBy(() -> DigitsReader.readRaw(dir.resolve("digits.csv.gz")))
                .isInstanceOf(DatasetImportException.class).hasMessageContaining("install Debian's python3-sklearn");
    }

    @Test
    void badInputIsRefusedNamingTheLine() throws IOException {
        String ok = "0,".repeat(64) + "1\n";
        assertThatThrownBy(() -> DigitsReader.readRaw(gz("short.csv.gz", ok + "0,0,3\n")))
                .isInstanceOf(DatasetImportException.class).hasMessageContaining("line 2")
                .hasMessageContaining("expected 65");
        assertThatThrownBy(() -> DigitsReader.readRaw(gz("bright.csv.gz", "17," + "0,".repeat(63) + "1\n")))
                .hasMessageContaining("line 1").hasMessageContaining("outside 0..16");
        assertThatThrownBy(() -> DigitsReader.readRaw(gz("label.csv.gz", "0,".repeat(64) + "10\n")))
                .hasMessageContaining("label 10");
        Path plain = dir.resolve("plain.csv.gz");
        Files.writeString(plain, ok);
        assertThatThrownBy(() -> DigitsReader.readRaw(plain)).isInstanceOf(DatasetImportException.class)
                .hasMessageContaining("gzip");
        byte[] whole = Files.readAllBytes(gz("whole.csv.gz", ok.repeat(50)));
        Path truncated = dir.resolve("truncated.csv.gz");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> DigitsReader.readRaw(truncated)).isInstanceOf(DatasetImportException.class)
                .hasMessageContaining("truncated.csv.gz");
    }

    private Path gz(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        return p;
    }
}
