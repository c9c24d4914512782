package dev.simclr.runs;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.CheckpointMeta;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.train.TrainingLoop;

/** A checkpoint's encoder, frozen, for a dataset's images: what linear evaluation and embeddings both read. */
final class FrozenEncoder {
    private FrozenEncoder() {}

    /** Refuses images the encoder cannot take (other channels, too small), naming {@code dataset}. */
    static void requireFits(CheckpointMeta info, LabelledImages images, String dataset) {
        EncoderSpec held = info.encoder();
        int channels = info.inChannels() == null ? 0 : info.inChannels();
        if (channels != images.channels()) {
            throw new IllegalArgumentException("dataset: the encoder takes " + channels + "-channel images, "
                    + dataset + " has " + images.channels());
        }
        Encoders.requireInputSize("dataset", held.family(), held.depth(), images.height(), images.width());
    }

    /** The encoder with the checkpoint's weights, frozen, on {@code manager}; {@link #requireFits} first. */
    static Network load(Checkpoint c, CheckpointMeta info, LabelledImages images, NDManager manager) {
        EncoderSpec held = info.encoder();
        Encoders.Encoder enc = Encoders.build(held.family(), held.depth(), held.width(), images.channels());
        Network encoder = new Network(enc, manager.newSubManager(),
                new Shape(2, images.channels(), images.height(), images.width()), 0);
        TrainingLoop.loadNetwork(encoder, c.network("encoder"), "encoder");
        encoder.freeze(true);
        return encoder;
    }
}
