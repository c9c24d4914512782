package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.simclr.contracts.Precision;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.precision.Autocast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Frozen features of an encoder (eval mode: batch norm uses its running statistics), in chunks. */
public final class Features {
    private static final int CHUNK = 512;

    private Features() {}

    /** N×D fp32 features of every image, attached to {@code out}. */
    public static NDArray of(Network encoder, Normalization norm, LabelledImages images, NDManager out) {
        return of(encoder, norm, images, out, Precision.FP32);
    }

    /**
     * The same with the encoder run in {@code precision} ({@code bf16}: under autocast; the features come back
     * fp32 either way, so what reads them — kNN, linear evaluation, embeddings, export — is unchanged).
     */
    public static NDArray of(Network encoder, Normalization norm, LabelledImages images, NDManager out,
                             Precision precision) {
        List<NDArray> parts = new ArrayList<>();
        int size = images.imageBytes();
        for (int from = 0; from < images.count(); from += CHUNK) {
            int to = Math.min(images.count(), from + CHUNK);
            try (NDManager chunk = out.newSubManager()) {
                NDArray x = norm.toTensor(chunk, Arrays.copyOfRange(images.pixels(), from * size, to * size), to - from,
                        images.height(), images.width(), images.channels(), encoder.channelsLast());
                NDArray f;
                try (Autocast a = Autocast.enter(precision == Precision.BF16, out.getDevice().isGpu())) {
                    f = encoder.forward(x, false);
                }
                f = Autocast.toFloat32(f);
                f.attach(out);
                parts.add(f);
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray all = ai.djl.ndarray.NDArrays.concat(new NDList(parts), 0);
        all.attach(out);
        parts.forEach(NDArray::close);
        return all;
    }
}
