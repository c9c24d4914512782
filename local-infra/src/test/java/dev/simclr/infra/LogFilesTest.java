package dev.simclr.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log over its cap is copied aside and truncated in place, and its writer goes on at the new end. */
class LogFilesTest {

    @Test
    void aFileOverTheCapIsCopiedAsideAndTheAppendingWriterGoesOnAtTheStart(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("svc.log");
        try (FileOutputStream writer = new FileOutputStream(log.toFile(), true)) { // O_APPEND, as a child's stdout
            writer.write("x".repeat(3000).getBytes(StandardCharsets.US_ASCII));
            assertThat(LogFiles.rotateIfOver(log, 4000)).isFalse();
            writer.write("y".repeat(2000).getBytes(StandardCharsets.US_ASCII));
            assertThat(LogFiles.rotateAll(dir, 4000)).containsExactly("svc.log");
            assertThat(Files.size(dir.resolve("svc.log.1"))).isEqualTo(5000);
            assertThat(Files.size(log)).isZero();
            writer.write("after\n".getBytes(StandardCharsets.US_ASCII));
        }
        // no hole of zeros where the old content was: the writer appended at the truncated end
        assertThat(Files.readString(log)).isEqualTo("after\n");
        assertThat(LogFiles.rotateAll(dir, 4000)).isEmpty();
    }
}
