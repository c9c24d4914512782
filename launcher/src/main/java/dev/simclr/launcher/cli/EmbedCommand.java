package dev.simclr.launcher.cli;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.runs.Embeddings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./simclr embed <run> --dataset NAME[/VERSION] [--split S]}: the split's features under the run's encoder,
 * as {@code features.npy} and {@code labels.npy} in object storage ({@link Embeddings}) and in a local folder.
 */
@Command(name = "embed", description = "Features of a dataset split under a run's encoder: features.npy (float32 "
        + "N×D) and labels.npy (int64 N, -1 for none), in object storage and a local folder.")
public final class EmbedCommand implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", description = "run id (a pretraining, fine-tuning or distillation run)")
    String runId;

    @CommandLine.Option(names = "--dataset", required = true, description = "NAME or NAME/VERSION (default v1)")
    String dataset;

    @CommandLine.Option(names = "--split", defaultValue = "test", description = "split (${DEFAULT-VALUE})")
    String split;

    @CommandLine.Option(names = "--out", defaultValue = "embeddings", description = "folder "
            + "(${DEFAULT-VALUE}/<run>/<dataset>-<version>-<split>/)")
    Path out;

    @CommandLine.Option(names = "--device", defaultValue = "cpu", description = "DJL device (${DEFAULT-VALUE}, gpu)")
    String device;

    @Override
    public Integer call() throws Exception {
        embed(new ObjectStore(Simclr.targetSettings()), runId, ref(dataset), split, out, device, System.out);
        return 0;
    }

    static DatasetRef ref(String text) {
        String[] nv = text.split("/", -1);
        if (nv.length > 2 || nv[0].isEmpty() || (nv.length == 2 && nv[1].isEmpty())) {
            throw new UserError("--dataset: NAME or NAME/VERSION, got '" + text + "'");
        }
        return new DatasetRef(nv[0], nv.length == 2 ? nv[1] : "v1");
    }

    /** The two local files written, features first. */
    public static List<Path> embed(ObjectStore store, String runId, DatasetRef dataset, String split, Path out,
                                   String device, PrintStream log) throws IOException {
        Embeddings.Written w;
        try {
            w = Embeddings.compute(store, runId, dataset, split, device);
        } catch (IllegalArgumentException | dev.simclr.core.dataset.DatasetImportException e) {
            throw new UserError(e.getMessage());
        }
        Path dir = out.resolve(runId).resolve(dataset.name() + "-" + dataset.version() + "-" + split);
        Files.createDirectories(dir);
        Path features = dir.resolve(Embeddings.FEATURES);
        Path labels = dir.resolve(Embeddings.LABELS);
        Files.write(features, store.get(w.featuresKey()));
        Files.write(labels, store.get(w.labelsKey()));
        log.printf("%d × %d features of %s/%s %s under %s%n  s3: %s%s, %s%n  local: %s, %s%n"
                        + "  numpy: np.load('%s'), np.load('%s')%n", w.count(), w.dimension(), dataset.name(),
                dataset.version(), split, runId, w.prefix(), Embeddings.FEATURES, Embeddings.LABELS, features, labels,
                features, labels);
        return List.of(features, labels);
    }
}
