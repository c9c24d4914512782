package dev.simclr.kit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory [simclr_process_resident_memory_bytes], from {@code /proc/self/status}: libtorch's
 * tensors live outside the JVM heap, so the JVM's own memory gauges cannot show them. NaN where /proc is absent.
 */
@Singleton
@Unremovable
public class NativeMemoryMetrics implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("simclr_process_resident_memory_bytes", NativeMemoryMetrics::residentBytes)
                .description("resident set size of the process: JVM heap, native libraries and libtorch tensors")
                .baseUnit("bytes").register(registry);
    }

    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
