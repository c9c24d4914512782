package dev.simclr.platform.engine.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.platform.dataset.Npy;
import dev.simclr.platform.dataset.Npz;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained encoder for PyTorch: an {@code .npz} with the tensors as {@code p0000_<name>}, ... in parameter order
 * (convolution weight; batch-norm gamma, beta, running mean, running var; linear weight, bias) and {@code meta}
 * (family, depth, width, input channels, normalisation). {@code python/load_encoder.py} builds the same model
 * from {@code python/simclr_torch.py} and loads it by position, checking every shape.
 */
public final class EncoderExport {
    private EncoderExport() {}

    public static byte[] fromCheckpoint(Checkpoint c) {
        Map<String, Npy.Array> entries = new LinkedHashMap<>(c.network("encoder"));
        ObjectNode meta = Checkpoint.JSON.createObjectNode();
        var spec = c.meta().get("spec");
        meta.put("family", spec.get("family").asText());
        meta.put("depth", spec.get("depth").asInt());
        meta.put("width", spec.get("width").asDouble());
        meta.put("inChannels", c.meta().get("inChannels").asInt());
        meta.set("normalization", c.meta().get("normalization"));
        byte[] json = meta.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        entries.put("meta", Npy.uint8(json, json.length));
        return Npz.write(entries);
    }
}
