package dev.simclr.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
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
        CheckpointMeta info = CheckpointMeta.of(c);
        meta.put("family", info.encoder().family().wireName());
        meta.put("depth", info.encoder().depth());
        meta.put("width", info.encoder().width());
        meta.put("inChannels", info.inChannels());
        meta.set("normalization", info.normalization());
        byte[] json = meta.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        entries.put("meta", Npy.uint8(json, json.length));
        return Npz.write(entries);
    }
}
