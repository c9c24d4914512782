package dev.simclr.launcher.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one starter of a stack: whoever starts, stops, adopts or records the stack's processes ({@code ./simclr up},
 * {@code down}, the supervisor's rounds) holds this lock on {@code <data>/stack.lock}, so those steps never
 * interleave — not across JVMs (an OS file lock, released by the kernel when its holder dies, even by kill -9) nor
 * inside one (a lock per data directory: the OS lock is per process). The holder's pid and purpose are written into
 * the file for whoever waits.
 */
final class StackLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel; // null when nested inside this thread's own hold
    private final FileLock lock;

    private StackLock(ReentrantLock local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, waiting at most {@code patience} for whoever holds it (said once on {@code out}); a thread that
     * holds it already takes it again.
     */
    static StackLock acquire(Path dataDir, String purpose, Duration patience, PrintStream out)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Optional<StackLock> taken = take(dataDir, purpose, deadline, out);
        return taken.orElseThrow(() -> new IllegalStateException("the stack is busy: " + holder(dataDir)
                + " has held " + file(dataDir) + " for more than " + patience.toSeconds() + " s; try again, or "
                + "./simclr status"));
    }

    /** Takes the lock if nobody holds it now. */
    static Optional<StackLock> tryAcquire(Path dataDir, String purpose) throws IOException, InterruptedException {
        return take(dataDir, purpose, System.nanoTime(), null);
    }

    private static Optional<StackLock> take(Path dataDir, String purpose, long deadline, PrintStream out)
            throws IOException, InterruptedException {
        Path key = dataDir.toAbsolutePath().normalize();
        ReentrantLock local = IN_JVM.computeIfAbsent(key, k -> new ReentrantLock());
        if (!local.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        if (local.getHoldCount() > 1) {
            return Optional.of(new StackLock(local, null, null));
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key);
            channel = FileChannel.open(file(key), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            boolean said = false;
            while (true) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " (" + purpose + ")\n")
                            .getBytes(StandardCharsets.UTF_8)), 0);
                    return Optional.of(new StackLock(local, channel, lock));
                }
                if (System.nanoTime() >= deadline) {
                    channel.close();
                    local.unlock();
                    return Optional.empty();
                }
                if (!said && out != null) {
                    out.println("waiting for " + holder(key) + ", which is starting or stopping the stack ...");
                    said = true;
                }
                Thread.sleep(200);
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    /** Who holds (or last held) the lock, as its holder wrote it. */
    static String holder(Path dataDir) {
        try {
            String s = Files.readString(file(dataDir)).trim();
            return s.isEmpty() ? "another process" : s;
        } catch (IOException e) {
            return "another process";
        }
    }

    private static Path file(Path dataDir) {
        return dataDir.resolve("stack.lock");
    }

    @Override
    public void close() throws IOException {
        try {
            if (channel != null) {
                lock.release();
                channel.close();
            }
        } finally {
            local.unlock();
        }
    }
}
