package dev.simclr.launcher.cli;

import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.infra.RepoLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./simclr export <run>}: a pretrained encoder to use elsewhere — {@code encoder.npz} (weights and meta) with
 * the PyTorch loader beside it, and, where Debian's python3-torch is installed, {@code encoder.pt}: TorchScript,
 * checked by {@code python/export_torchscript.py} to give the same features as the loader's model.
 */
@Command(name = "export", description = "Write a run's encoder (encoder.npz, the PyTorch loader and, where "
        + "python3-torch is installed, TorchScript) to a folder.")
public final class ExportCommand implements Callable<Integer> {
    /** The Python with torch on Debian (python3-torch); a pyenv shim first on the PATH may not have it. */
    static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    @CommandLine.Parameters(index = "0", description = "run id (a pretraining run)")
    String runId;

    @CommandLine.Option(names = "--out", defaultValue = "exports", description = "folder (${DEFAULT-VALUE}/<run>/)")
    Path out;

    @CommandLine.Option(names = "--size", defaultValue = "32x32", description = "input size to check TorchScript at")
    String size;

    @Override
    public Integer call() throws Exception {
        int[] hw = UserError.size("--size", size);
        export(new ObjectStore(Simclr.targetSettings()), runId, out, RepoLayout.locate().root(), hw, System.out);
        return 0;
    }

    /** The files written, under {@code out/<run>/}. */
    public static List<Path> export(ObjectStore store, String runId, Path out, Path repo, int[] size,
                                    PrintStream log) throws IOException, InterruptedException {
        if (!store.exists(RunStore.encoderKey(runId))) {
            throw new UserError("run " + runId + ": no encoder.npz (pretraining runs export one when they finish)");
        }
        Path dir = out.resolve(runId);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path npz = dir.resolve("encoder.npz");
        Files.write(npz, store.get(RunStore.encoderKey(runId)));
        written.add(npz);
        for (String script : List.of("load_encoder.py", "simclr_torch.py", "export_torchscript.py")) {
            Path to = dir.resolve(script);
            Files.copy(repo.resolve("python").resolve(script), to, StandardCopyOption.REPLACE_EXISTING);
            written.add(to);
        }
        log.println("wrote " + npz + " and the PyTorch loader (python3 " + dir.resolve("load_encoder.py")
                + " encoder.npz images.npy features.npy)");
        if (!torchAvailable()) {
            log.println("no TorchScript: Debian's python3-torch is not installed (apt-get install python3-torch)");
            return written;
        }
        Path pt = dir.resolve("encoder.pt");
        Process p = new ProcessBuilder(SYSTEM_PYTHON.toString(), dir.resolve("export_torchscript.py").toString(),
                npz.toString(), pt.toString(), Integer.toString(size[0]), Integer.toString(size[1]))
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("TorchScript export failed: " + said);
        }
        log.println(said.lines().reduce((a, b) -> b).orElse(said));
        written.add(pt);
        return written;
    }

    /** Whether Debian's python3-torch answers (the TorchScript half of an export needs it). */
    public static boolean torchAvailable() {
        if (!Files.isExecutable(SYSTEM_PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(SYSTEM_PYTHON.toString(), "-c", "import torch").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
