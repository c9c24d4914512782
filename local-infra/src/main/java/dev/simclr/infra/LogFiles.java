package dev.simclr.infra;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the embedded stack's log files bounded: a file over the cap is copied to {@code <file>.1} (replacing the
 * older copy) and truncated in place — logrotate's "copytruncate" — so a process that keeps appending to it (every
 * child's stdout is opened with O_APPEND) goes on writing at the new, short end. One file and one copy each: at
 * most twice the cap per process. {@code ./simclr up} does it when it starts a process, the supervisor every round.
 */
public final class LogFiles {
    /** 10 MB: days of a service's INFO lines; a runaway logger is cut within one supervisor round. */
    public static final long CAP_BYTES = 10L << 20;

    private LogFiles() {}

    /** Rotates {@code file} if it is larger than {@code capBytes}; true if it did. */
    public static boolean rotateIfOver(Path file, long capBytes) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) <= capBytes) {
            return false;
        }
        Path old = file.resolveSibling(file.getFileName() + ".1");
        Files.copy(file, old, StandardCopyOption.REPLACE_EXISTING);
        // lines appended between the copy and the truncation are lost: a few, at most, and only from a runaway
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        return true;
    }

    /** Rotates every {@code *.log} in {@code dir} that is over the cap; returns the names of those it rotated. */
    public static List<String> rotateAll(Path dir, long capBytes) throws IOException {
        List<String> rotated = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return rotated;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                if (rotateIfOver(f, capBytes)) {
                    rotated.add(f.getFileName().toString());
                }
            }
        }
        return rotated;
    }
}
