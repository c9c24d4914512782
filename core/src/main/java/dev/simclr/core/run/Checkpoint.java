package dev.simclr.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A training checkpoint as one {@code .npz} (numpy reads it): every network tensor ({@code net/<name>/p0000_...},
 * running statistics included), every optimiser slot ({@code opt/<parameter>/<slot>}) and {@code meta}, UTF-8 JSON
 * with the step, epoch, seed (data order and augmentation are pure functions of it) and the run's config. Writing
 * the same state twice gives the same bytes.
 */
public record Checkpoint(ObjectNode meta, Map<String, Npy.Array> tensors) {
    public static final ObjectMapper JSON = dev.simclr.contracts.Json.MAPPER;

    public byte[] toBytes() {
        Map<String, Npy.Array> entries = new LinkedHashMap<>(new TreeMap<>(tensors));
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(meta);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        entries.put("meta", Npy.uint8(json, json.length));
        return Npz.write(entries);
    }

    public static Checkpoint fromBytes(byte[] bytes) {
        Map<String, Npy.Array> entries;
        try {
            entries = Npz.read(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a checkpoint: " + e.getMessage(), e);
        }
        Npy.Array meta = entries.remove("meta");
        if (meta == null) {
            throw new IllegalArgumentException("not a checkpoint: no meta entry");
        }
        try {
            JsonNode node = JSON.readTree(new String(meta.data(), StandardCharsets.UTF_8));
            return new Checkpoint((ObjectNode) node, entries);
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("not a checkpoint: unreadable meta", e);
        }
    }

    /** The tensors of one network, in parameter order. */
    public Map<String, Npy.Array> network(String name) {
        Map<String, Npy.Array> out = new TreeMap<>();
        String prefix = "net/" + name + "/";
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
