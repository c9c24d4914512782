package dev.simclr.contracts;

/** A dataset (or a derived dataset) in object storage: {@code datasets/<name>/<version>/manifest.json}. */
public record DatasetRef(String name, String version) {
    public String manifestKey() {
        return "datasets/" + name + "/" + version + "/manifest.json";
    }
}
