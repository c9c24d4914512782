package dev.simclr.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Reference values from PyTorch, made by engine/src/test/reference/make_engine_reference.py. */
public final class Reference {
    private static JsonNode json;

    private Reference() {}

    public static synchronized JsonNode json() {
        if (json == null) {
            try (InputStream in = Reference.class.getResourceAsStream("/reference/engine.json")) {
                json = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return json;
    }

    private static JsonNode bf16;

    /** The bf16 reference (make_bf16_reference.py). */
    public static synchronized JsonNode bf16() {
        if (bf16 == null) {
            try (InputStream in = Reference.class.getResourceAsStream("/reference/bf16.json")) {
                bf16 = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return bf16;
    }

    public static Map<String, Npy.Array> npz(String name) {
        try (InputStream in = Reference.class.getResourceAsStream("/reference/" + name)) {
            return Npz.read(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static float[] floats(JsonNode matrix) {
        int rows = matrix.size();
        if (!matrix.get(0).isArray()) {
            float[] out = new float[rows];
            for (int i = 0; i < rows; i++) {
                out[i] = (float) matrix.get(i).asDouble();
            }
            return out;
        }
        int cols = matrix.get(0).size();
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = (float) matrix.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    public static long[] shape(JsonNode matrix) {
        return matrix.get(0).isArray() ? new long[] {matrix.size(), matrix.get(0).size()} : new long[] {matrix.size()};
    }
}
