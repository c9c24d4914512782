package dev.simclr.core.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code datasets/<name>/<version>/manifest.json}: what a dataset is and where its bytes are. A derived dataset
 * (class subset, label fraction) names its {@code parent}, reuses the parent's shards and lists, per split, the
 * parent indices it keeps; {@code parentClasses[i]} is the parent class that is class i here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetManifest(
        int schemaVersion,
        String name,
        String version,
        ImageShape imageShape,
        List<String> classNames,
        Map<String, Split> splits,
        Parent parent,
        List<Integer> parentClasses,
        String source,
        Instant createdAt) {

    public static final int SCHEMA_VERSION = 1;

    public record ImageShape(int height, int width, int channels) {}

    public record Shard(String key, int count, String sha256) {}

    /** {@code indices}: for a derived dataset, positions in the parent split's concatenated shards. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Split(int count, List<Integer> classCounts, List<Shard> shards, List<Integer> indices) {}

    public record Parent(String name, String version) {}

    public String prefix() {
        return "datasets/" + name + "/" + version + "/";
    }

    public static String manifestKey(String name, String version) {
        return "datasets/" + name + "/" + version + "/manifest.json";
    }
}
