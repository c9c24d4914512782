package dev.simclr.runs;

import dev.simclr.core.run.RunSlice;
import dev.simclr.core.run.RunStore;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.augment.Augmenter;
import dev.simclr.core.augment.ShardReader;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.Holdout;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.model.Encoders;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.CheckpointMeta;
import dev.simclr.engine.train.BestEpoch;
import dev.simclr.engine.train.Classification;
import dev.simclr.engine.train.Evaluation;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.engine.train.TrainingLoop;
import dev.simclr.engine.precision.Precisions;
import dev.simclr.core.augment.ViewSupplier;
import dev.simclr.core.store.ObjectStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One slice of a pretrain or fine-tune run (see {@link RunSlice}): builds the loop from the request, restores the
 * run's latest checkpoint, trains until the budget is spent or the run ends, and on the end evaluates, exports the
 * encoder and stores the result. Plain Java: trainer-service calls it from its Kafka listener, tests call it directly.
 */
public final class TrainRun {
    /**
     * Worker settings: device ("cpu" or "gpu"), augmentation threads, checkpoint cadence in steps (0 = every
     * epoch), how long to wait for a view shard, kNN monitor cadence in epochs (0 = off) and its sizes.
     */
    public record Options(String device, int threads, int checkpointEverySteps, Duration viewTimeout,
                          int knnEveryEpochs, int knnBank, int knnQueries) {
        public static Options defaults() {
            return new Options("cpu", Runtime.getRuntime().availableProcessors(), 0, Duration.ofMinutes(10), 1,
                    2000, 1000);
        }
    }

    private final ObjectStore store;
    private final RunStore runs;
    private final DatasetStore datasets;
    private final Options options;

    public TrainRun(ObjectStore store, Options options) {
        this.store = store;
        this.runs = new RunStore(store);
        this.datasets = new DatasetStore(store);
        this.options = options;
    }

    public RunSlice.Outcome run(TrainRequested r, RunSlice.Budget budget, RunSlice.Listener listener) {
        Optional<RunSlice.Outcome> done = Slices.alreadyDone(runs, r.runId());
        if (done.isPresent()) {
            return done.get();
        }
        boolean pretrain = r.stage() == Stage.PRETRAIN;
        DatasetManifest manifest = datasets.requireManifest(r.dataset().name(), r.dataset().version());
        int classes = manifest.classNames().size();
        // pretraining takes any images (an unlabelled import too); fine-tuning needs labels and scores on test
        LabelledImages train = pretrain ? datasets.load(r.dataset().name(), r.dataset().version(), "train")
                : datasets.loadLabelled(r.dataset().name(), r.dataset().version(), "train", "fine-tuning");
        if (!pretrain && r.labelFraction() < 1) {
            train = train.select(DatasetStore.labelFraction(train.labels(), classes, r.labelFraction(), r.seed()));
        }
        // the best-validation budget chooses its epoch on a validation split carved from its own labelled images
        // (those images are then not trained on); the test split stays for the final score, read once
        LabelledImages validation = null;
        if (!pretrain && r.patienceEpochs() != null) {
            Holdout holdout = Holdout.of(train, classes);
            train = holdout.train();
            validation = holdout.validation();
        }
        LabelledImages test = !pretrain && manifest.splits().containsKey(DatasetStore.TEST_SPLIT)
                ? datasets.loadLabelled(r.dataset().name(), r.dataset().version(), DatasetStore.TEST_SPLIT,
                "fine-tuning") : null;
        Encoders.requireInputSize("encoder", r.encoder().family(), r.encoder().depth(), train.height(), train.width());
        Checkpoint initial = r.initialCheckpoint() == null ? null
                : runs.loadByKey("initialCheckpoint", r.initialCheckpoint());
        if (initial != null) {
            checkCompatible(initial, train);
        }
        JsonNode storedNorm = initial == null ? null : CheckpointMeta.of(initial).normalization();
        Normalization norm = storedNorm != null ? Normalization.of(storedNorm)
                : Normalization.of(train.pixels(), train.channels());
        LoopSettings settings = new LoopSettings(r.batchSize(), r.epochs(), r.seed(), r.optimizer().name(),
                r.optimizer().learningRate(), r.optimizer().momentum(), r.optimizer().weightDecay(),
                r.optimizer().nesterov(), r.optimizer().warmupEpochs(), r.optimizer().lrScaling(),
                options.checkpointEverySteps());
        String datasetName = r.dataset().name() + "/" + r.dataset().version() + "/train";
        AugmentPolicy policy = AugmentPolicy.parse(r.policy());
        int views = pretrain ? 2 : 1;
        Optional<RunStore.Latest> latest = runs.latest(r.runId());
        double cpuBefore = latest.map(RunStore.Latest::cpuSeconds).orElse(0.0);
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(options.device()));
             AutoCloseable viewsResource = viewSupplier(r, train, policy, datasetName, views)) {
            ViewSupplier supplier = (ViewSupplier) viewsResource;
            TrainingLoop loop;
            Pretraining pretraining = null;
            Classification classification = null;
            if (pretrain) {
                // the kNN monitor reads a validation split carved from train, never the test split
                // (on the labelled images only, when an import labels some)
                Holdout holdout = Holdout.of(train.labelledOnly(), classes);
                Pretraining.Monitor monitor = options.knnEveryEpochs() <= 0 || holdout.validation().count() == 0 ? null
                        : new Pretraining.Monitor(head(holdout.train(), options.knnBank()),
                        head(holdout.validation(), options.knnQueries()), classes, options.knnEveryEpochs());
                pretraining = new Pretraining(settings, new Pretraining.Spec(r.encoder().family(), r.encoder().depth(),
                        r.encoder().width(), r.projectionLayers(), r.temperature()), train, norm, supplier, monitor,
                        manager);
                loop = pretraining;
            } else {
                classification = new Classification(settings, new Classification.Spec(r.encoder().family(),
                        r.encoder().depth(), r.encoder().width(), List.of(), r.freezeEncoder(), classes), train, norm,
                        supplier, manager);
                if (initial != null) {
                    classification.loadEncoder(initial);
                }
                if (validation != null) {
                    classification.selectOn(validation, r.patienceEpochs());
                }
                loop = classification;
            }
            // auto resolves on this worker; a resumed run keeps the precision its checkpoint records
            loop.precision(Precisions.resolve(r.precisionOrDefault(), manager.getDevice().isGpu()));
            if (latest.isPresent()) {
                loop.restore(runs.load(latest.get()));
            }
            final TrainingLoop running = loop;
            boolean finished = Slices.train(runs, r.runId(), loop, budget, listener, cpuBefore, step -> {
                if (viewsResource instanceof ShardReader shards) {
                    // epochs a checkpoint covers are never read again from shards: augment-service moves on
                    for (int e = 0; e < step / running.stepsPerEpoch(); e++) {
                        shards.release(e);
                    }
                }
            });
            if (!finished) {
                return new RunSlice.Outcome(null, running.step(), running.totalSteps(), false);
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", running.lastLoss());
            metrics.put("steps", (double) running.totalSteps());
            metrics.put("trainImages", (double) train.count());
            if (pretraining != null && pretraining.lastKnnAccuracy() != null) {
                metrics.put("knnAccuracy", pretraining.lastKnnAccuracy());
            }
            List<String> degenerate;
            if (pretraining != null) {
                if (pretraining.lastEmbeddingStd() != null) {
                    metrics.put("embeddingStd", pretraining.lastEmbeddingStd());
                }
                degenerate = Degeneracy.pretraining(running.lastLoss(), r.batchSize(), pretraining.lastEmbeddingStd(),
                        pretraining.embeddingDim(), pretraining.lastKnnAccuracy(), classes, running.nonFiniteLossStep());
            } else {
                BestEpoch best = classification.selection();
                if (best != null) {
                    best.metrics(metrics);
                    metrics.put("validationImages", (double) validation.count());
                    // the steps it trained, not the cap's
                    metrics.put("steps", (double) best.epochsTrained() * running.stepsPerEpoch());
                }
                // the test split, once, on the kept weights (the best epoch's with a best-validation budget)
                Evaluation e = test == null ? null : classification.evaluate(test);
                if (e != null) {
                    metrics.put("top1", e.top1());
                    if (e.top5() != null) {
                        metrics.put("top5", e.top5());
                    }
                    metrics.put("predictedClasses", (double) e.predictedClasses());
                }
                // a fixed-budget fine-tune has no validation split (it trains on its labelled fraction to the end):
                // its health is read on the test split's score, a flag on the result, never a choice made on it
                degenerate = best != null ? Degeneracy.classifier(running.lastLoss(), "validation",
                        best.bestAccuracy() < 0 ? null : best.bestAccuracy(), classes,
                        e == null ? null : e.predictedClasses(), running.nonFiniteLossStep())
                        : Degeneracy.classifier(running.lastLoss(), "test", e == null ? null : e.top1(), classes,
                        e == null ? null : e.predictedClasses(), running.nonFiniteLossStep());
            }
            RunCompleted completed = Slices.finish(runs, r.experimentId(), r.runId(), r.stage(), running, metrics,
                    degenerate);
            return new RunSlice.Outcome(completed, running.step(), running.totalSteps(), false);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private AutoCloseable viewSupplier(TrainRequested r, LabelledImages train, AugmentPolicy policy, String datasetName,
                                       int views) {
        if (r.viewsFromRun() != null) {
            return new ShardReader(store, r.viewsFromRun(), train, policy, r.seed(), datasetName, views,
                    options.viewTimeout());
        }
        return new Augmenter(train, policy, r.seed(), datasetName, views, options.threads());
    }

    /** A pretrained encoder must take this dataset's images: same channels. */
    private static void checkCompatible(Checkpoint initial, LabelledImages train) {
        Integer stored = CheckpointMeta.of(initial).inChannels();
        int channels = stored != null ? stored : train.channels();
        if (channels != train.channels()) {
            throw new IllegalArgumentException("initialCheckpoint: its encoder takes " + channels
                    + "-channel images, the dataset has " + train.channels());
        }
    }

    private static LabelledImages head(LabelledImages images, int n) {
        int k = Math.min(n, images.count());
        int[] idx = new int[k];
        Arrays.setAll(idx, i -> i);
        return images.select(idx);
    }
}
