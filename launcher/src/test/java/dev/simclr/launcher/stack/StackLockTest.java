package dev.simclr.launcher.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One starter per stack: across JVMs (released when its holder is killed), and across threads of one JVM. */
class StackLockTest {

    /** Holds the lock of the data directory in args[0] until its stdin closes (a JVM of its own). */
    public static void main(String[] args) throws Exception {
        try (StackLock lock = StackLock.acquire(Path.of(args[0]), "a test holder", Duration.ofSeconds(30),
                System.out)) {
            System.out.println("held");
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void anotherJvmWaitsForTheHolderAndGetsTheLockOnceTheHolderIsKilled(@TempDir Path data) throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StackLockTest.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("held");
            assertThat(StackLock.tryAcquire(data, "this test")).isEmpty();
            assertThatThrownBy(() -> StackLock.acquire(data, "this test", Duration.ofMillis(500), quiet()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the stack is busy: pid " + holder.pid() + " (a test holder)");

            // kill -9: the kernel releases the lock with the process
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Optional<StackLock> mine = StackLock.tryAcquire(data, "this test");
            assertThat(mine).isPresent();
            mine.get().close();
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aThreadHoldingTheLockTakesItAgainAnotherThreadWaits(@TempDir Path data) throws Exception {
        try (StackLock outer = StackLock.acquire(data, "outer", Duration.ofSeconds(1), quiet())) {
            try (StackLock inner = StackLock.acquire(data, "inner", Duration.ofSeconds(1), quiet())) {
                assertThat(inner).isNotNull();
            }
            // still held by this thread after the nested release
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    return StackLock.tryAcquire(data, "other thread").isPresent();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get()).isFalse();
        }
        Optional<StackLock> again = StackLock.tryAcquire(data, "after");
        assertThat(again).isPresent();
        again.get().close();
    }

    private static PrintStream quiet() {
        return new PrintStream(PrintStream.nullOutputStream());
    }
}
