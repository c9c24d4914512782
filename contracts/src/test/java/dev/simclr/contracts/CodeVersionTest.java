package dev.simclr.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The build stamps the commit it was made from; a completion made here carries it. */
class CodeVersionTest {

    @Test
    void theBuildStampsTheCommitAndCompletionsCarryIt() throws Exception {
        Path root = Path.of(System.getProperty("simclr.repo.root", ".."));
        Assumptions.assumeTrue(Files.isDirectory(root.resolve(".git")), "built from a git checkout");
        Process git = new ProcessBuilder("git", "-C", root.toString(), "rev-parse", "HEAD").start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Assumptions.assumeTrue(git.waitFor() == 0, "git answers");
        String version = CodeVersion.current();
        assertThat(version).matches("[0-9a-f]{7,40}(-dirty)?");
        assertThat(head).startsWith(version.replace("-dirty", ""));
        RunCompleted done = new RunCompleted(1, "e", "r", Stage.EVAL, null, java.util.Map.of(), 0,
                java.time.Instant.EPOCH);
        assertThat(done.codeVersion()).isEqualTo(version);
        assertThat(EventCodec.decode(EventCodec.encode(done), RunCompleted.class).codeVersion()).isEqualTo(version);
    }
}
