package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Frozen features of an encoder (eval mode: batch norm uses its running statistics), in chunks. */
public final class Features {
    private static final int CHUNK = 512;

    private Features() {}

    /** N×D features of every image, attached to {@code out}. */
    public static NDArray of(Network encoder, Normalization norm, LabelledImages images, NDManager out) {
        List<NDArray> parts = new ArrayList<>();
        int size = images.imageBytes();
        for (int from = 0; from < images.count(); from += CHUNK) {
            int to = Math.min(images.count(), from + CHUNK);
            try (NDManager chunk = out.newSubManager()) {
                NDArray x = norm.toTensor(chunk, Arrays.copyOfRange(images.pixels(), from * size, to * size), to - from,
                        images.height(), images.width(), images.channels(), encoder.channelsLast());
                NDArray f = encoder.forward(x, false);
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
