package dev.simclr.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./simclr engine}: which libtorch the services will load (version, CPU or CUDA flavour, GPUs seen) and a
 * product of two matrices on the chosen device. The CUDA images run it at build time to put libtorch in the image.
 */
@Command(name = "engine", description = "Show the deep-learning engine, its libtorch flavour and devices; run a "
        + "small product on the device.")
public final class EngineCommand implements Callable<Integer> {
    /** The CUDA images run it at build time: {@code java -cp … dev.simclr.engine.EngineCommand --device gpu}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new EngineCommand()).execute(args));
    }

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("engine   : %s %s%n", engine.getEngineName(), engine.getVersion());
        System.out.printf("flavour  : %s%n", System.getenv().getOrDefault("PYTORCH_FLAVOR",
                engine.getGpuCount() > 0 ? "cuda" : "cpu"));
        System.out.printf("GPUs     : %d%n", engine.getGpuCount());
        Device d = Device.fromName(device);
        if (d.isGpu() && engine.getGpuCount() == 0) {
            System.err.println("error: --device gpu, but this libtorch sees no GPU (CPU flavour, or no driver)");
            return 1;
        }
        try (NDManager m = NDManager.newBaseManager(d)) {
            NDArray a = m.arange(12f).reshape(3, 4);
            float sum = a.matMul(a.transpose()).sum().getFloat();
            System.out.printf("check    : sum of A·Aᵀ on %s = %.0f (expected 1134)%n", d, sum);
            return sum == 1134f ? 0 : 1;
        }
    }
}
