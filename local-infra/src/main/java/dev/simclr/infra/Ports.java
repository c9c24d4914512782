package dev.simclr.infra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback port helpers for the embedded stack and tests. */
public final class Ports {
    /** Free ports are drawn from here up to the kernel's ephemeral range. */
    static final int LOWEST = 10_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /**
     * Every port this JVM has handed out. A free port is only checked, not held, until its server binds it, so two
     * calls before that could draw the same one (seen: Kafka's broker and controller given one port, "two
     * listeners on the same port"); none is handed out twice.
     */
    private static final Set<Integer> GIVEN = new HashSet<>(); // guarded by the class (claim, release)

    private Ports() {}

    /** A port nothing listens on, below the kernel's ephemeral range (see {@link #free(int)}). */
    public static int free() {
        return free(1);
    }

    /**
     * The first of {@code count} consecutive ports that nothing listens on (Kafka takes two: broker and controller).
     * They are drawn below the kernel's ephemeral range: a port from the range (what binding port 0 gives) can be
     * taken by any outgoing connection's local end before the server that was meant to have it binds it — seen
     * as Kafka's controller failing with "Address already in use" in the suite. A port this JVM handed out before
     * is never handed out again.
     */
    public static int free(int count) {
        int highest = ephemeralLow() - count;
        for (int attempt = 0; attempt < 1000 && highest > LOWEST; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            if (claim(base, count)) {
                if (bindable(base, count)) {
                    return base;
                }
                release(base, count);
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports between " + LOWEST + " and "
                + highest);
    }

    static int ephemeralLow() {
        // read as a stream: /proc files report a size of 0, and Files.readString returned only their first byte
        try (var in = Files.newBufferedReader(EPHEMERAL_RANGE)) {
            return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default range starts here
        }
    }

    /** Takes {@code base … base + count − 1} for this JVM, or nothing if any of them was taken before. */
    private static synchronized boolean claim(int base, int count) {
        for (int p = base; p < base + count; p++) {
            if (GIVEN.contains(p)) {
                return false;
            }
        }
        for (int p = base; p < base + count; p++) {
            GIVEN.add(p);
        }
        return true;
    }

    private static synchronized void release(int base, int count) {
        for (int p = base; p < base + count; p++) {
            GIVEN.remove(p);
        }
    }

    private static boolean bindable(int base, int count) {
        for (int p = base; p < base + count; p++) {
            // the wildcard address: taken on any interface means taken
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    public static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The pid of the process listening on this TCP port, from Linux's socket tables ({@code /proc/net/tcp},
     * {@code tcp6}) and each process's open descriptors: empty if nothing listens, or the holder is not ours to see.
     * {@code ./simclr status} and {@code up} use it to tell this stack's processes from another program.
     */
    public static Optional<Long> holder(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (var lines = Files.lines(Path.of(table))) {
                lines.skip(1).map(l -> l.trim().split("\\s+")).filter(f -> f.length > 9)
                        // local address "ADDR:PORT" in hex; state 0A = LISTEN
                        .filter(f -> f[3].equals("0A")
                                && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port)
                        .forEach(f -> inodes.add("socket:[" + f[9] + "]"));
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6): nothing listens there
            }
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                return fds.anyMatch(fd -> {
                    try {
                        return inodes.contains(Files.readSymbolicLink(fd).toString());
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (IOException | RuntimeException e) {
                return false; // gone, or not ours to read
            }
        }).findFirst();
    }
}
