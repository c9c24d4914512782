package dev.simclr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./simclr bench busy -- <command...>}: how busy the machine's cores were while a command ran (e.g.
 * {@code ./simclr demo}), system-wide from {@code /proc/stat}: the busy share over the command's wall time, and per
 * interval, so the idle time can be placed (start-up, scheduling gaps between runs, the end). Busy = user + nice +
 * system + irq + softirq + steal jiffies; idle = idle + iowait (iowait reported apart: time waiting on disk; steal
 * too: time this guest had work but the hypervisor ran another, so a share of it says the host, not the command,
 * held the cores back).
 */
public final class BusyShare {
    /** Jiffies since boot summed over all cores: {busy (steal included), idle, iowait, steal}. */
    record Sample(long nanos, long busy, long idle, long iowait, long steal) {
        static Sample now() throws IOException {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait ..."
            String[] f = cpu.trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new Sample(System.nanoTime(), user + nice + system + irq + softirq + steal, idle, iowait, steal);
        }

        /** Busy share of all cores between {@code from} and this sample. */
        double busyShare(Sample from) {
            return share(busy - from.busy, from);
        }

        double iowaitShare(Sample from) {
            return share(iowait - from.iowait, from);
        }

        double stealShare(Sample from) {
            return share(steal - from.steal, from);
        }

        private double share(long jiffies, Sample from) {
            long all = (busy - from.busy) + (idle - from.idle) + (iowait - from.iowait);
            return all == 0 ? 0 : (double) jiffies / all;
        }
    }

    public static void main(String[] args) throws Exception {
        int at = 0;
        int interval = 10;
        if (args.length > 1 && args[0].equals("--interval")) {
            interval = Integer.parseInt(args[1]);
            at = 2;
        }
        if (at < args.length && args[at].equals("--")) {
            at++;
        }
        if (at >= args.length) {
            System.err.println("usage: ./simclr bench busy [--interval seconds] -- command [args...]");
            System.exit(2);
        }
        List<String> command = List.of(args).subList(at, args.length);
        Process p = new ProcessBuilder(command).inheritIO().start();
        Sample start = Sample.now();
        Sample last = start;
        List<String> timeline = new ArrayList<>();
        while (!p.waitFor(interval, java.util.concurrent.TimeUnit.SECONDS)) {
            Sample s = Sample.now();
            timeline.add(String.format(Locale.ROOT, "%5.0f s %3.0f %%", (s.nanos() - start.nanos()) / 1e9,
                    100 * s.busyShare(last)));
            last = s;
        }
        Sample end = Sample.now();
        timeline.add(String.format(Locale.ROOT, "%5.0f s %3.0f %%", (end.nanos() - start.nanos()) / 1e9,
                100 * end.busyShare(last)));
        int cores = Runtime.getRuntime().availableProcessors();
        double wall = (end.nanos() - start.nanos()) / 1e9;
        System.out.println("busy share per " + interval + " s (system-wide, " + cores + " cores):");
        timeline.forEach(t -> System.out.println("  " + t));
        System.out.printf(Locale.ROOT, "busy_share=%.3f over %.0f s wall (%.0f of %.0f core-seconds busy; iowait "
                        + "%.3f, steal %.3f); command exit %d%n", end.busyShare(start), wall,
                end.busyShare(start) * wall * cores, wall * cores, end.iowaitShare(start), end.stealShare(start),
                p.exitValue());
        System.exit(p.exitValue());
    }
}
