package dev.simclr.core.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code datasets/<name>/<version>/manifest.json}: what a dataset is and where its bytes are. A derived dataset
 * (class subset, label fraction) names its {@code parent}, reuses the parent's shards and lists, per split, the
 * parent indices it keeps; {@code parentClasses[i]} is the parent class that is class i here. A split says how many of
 * its images have a label ({@code labelled}; absent in manifests written before unlabelled imports: all of them):
 * pretraining takes any images, fine-tuning, distillation's labelled side and evaluation only labelled splits.
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

    /**
     * {@code indices}: for a derived dataset, positions in the parent split's concatenated shards; {@code labelled}:
     * how many images have a label ({@link LabelledImages#UNLABELLED} marks the others).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Split(int count, List<Integer> classCounts, List<Shard> shards, List<Integer> indices,
                        Integer labelled) {
        /** A split whose every image is labelled. */
        public Split(int count, List<Integer> classCounts, List<Shard> shards, List<Integer> indices) {
            this(count, classCounts, shards, indices, count);
        }

        public int labelledCount() {
            return labelled == null ? count : labelled;
        }

        public boolean fullyLabelled() {
            return labelledCount() == count;
        }
    }

    public record Parent(String name, String version) {}

    /** Whether every image of every split has a label. */
    public boolean fullyLabelled() {
        return splits.values().stream().allMatch(Split::fullyLabelled);
    }

    /** "train 0 of 60000 labelled, test …": what a refusal quotes. */
    public String labelSummary() {
        StringBuilder b = new StringBuilder();
        splits.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(' ').append(v.labelledCount())
                .append(" of ").append(v.count()).append(" labelled"));
        return b.toString();
    }

    public String prefix() {
        return "datasets/" + name + "/" + version + "/";
    }

    public static String manifestKey(String name, String version) {
        return "datasets/" + name + "/" + version + "/manifest.json";
    }
}
