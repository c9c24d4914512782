package dev.simclr.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Renders a kustomization as {@code kubectl kustomize} would, for the features our manifests use — resources
 * (files and directories), namespace, images (newName/newTag), patches (JSON 6902 with a kind/name target),
 * secretGenerator from env files with disableNameSuffixHash — and refuses any other field, so that a manifest
 * using more than this is noticed here rather than trusted. kubectl is not on the build machines.
 */
final class Kustomize {
    static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "namespace", "resources", "images",
            "patches", "secretGenerator", "generatorOptions");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

    private Kustomize() {}

    static List<ObjectNode> render(Path dir) {
        JsonNode k = read(dir.resolve("kustomization.yaml")).get(0);
        k.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(dir + "/kustomization.yaml: field '" + f + "' is not rendered "
                        + "by this check; extend Kustomize or do without it");
            }
        });
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                read(p).forEach(n -> out.add((ObjectNode) n));
            }
        }
        for (JsonNode g : k.path("secretGenerator")) {
            if (!k.path("generatorOptions").path("disableNameSuffixHash").asBoolean(false)) {
                throw new IllegalArgumentException(dir + ": secretGenerator without disableNameSuffixHash");
            }
            out.add(secret(dir, g));
        }
        for (JsonNode patch : k.path("patches")) {
            JsonNode target = patch.path("target");
            JsonNode ops = read(patch.path("patch").asText()).get(0);
            int hits = 0;
            for (int i = 0; i < out.size(); i++) {
                ObjectNode res = out.get(i);
                if (res.path("kind").asText().equals(target.path("kind").asText())
                        && res.path("metadata").path("name").asText().equals(target.path("name").asText())) {
                    out.set(i, (ObjectNode) JsonPatch.apply(ops, res));
                    hits++;
                }
            }
            if (hits != 1) {
                throw new IllegalArgumentException(dir + ": patch target " + target + " matched " + hits
                        + " resources, expected 1");
            }
        }
        for (JsonNode image : k.path("images")) {
            out.forEach(res -> containers(res).forEach(c -> retag(c, image)));
        }
        if (k.has("namespace")) {
            out.stream().filter(res -> !CLUSTER_SCOPED.contains(res.path("kind").asText()))
                    .forEach(res -> ((ObjectNode) res.with("metadata")).put("namespace", k.get("namespace").asText()));
        }
        return out;
    }

    /** The containers of a workload (Deployment, Job), none for other kinds. */
    static List<ObjectNode> containers(JsonNode res) {
        List<ObjectNode> cs = new ArrayList<>();
        res.path("spec").path("template").path("spec").path("containers").forEach(c -> cs.add((ObjectNode) c));
        return cs;
    }

    private static void retag(ObjectNode container, JsonNode image) {
        String current = container.path("image").asText();
        String name = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
        if (name.equals(image.path("name").asText())) {
            String newName = image.path("newName").asText(name);
            String tag = image.path("newTag").asText(current.contains(":")
                    ? current.substring(current.lastIndexOf(':') + 1) : "latest");
            container.put("image", newName + ":" + tag);
        }
    }

    private static ObjectNode secret(Path dir, JsonNode g) {
        ObjectNode s = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
        s.putObject("metadata").put("name", g.path("name").asText());
        s.put("type", "Opaque");
        ObjectNode data = s.putObject("stringData");
        for (JsonNode env : g.path("envs")) {
            Path file = dir.resolve(env.asText());
            // the real file holds credentials and is never committed: its committed example has the same keys
            Path source = Files.exists(file) ? file : dir.resolve(env.asText() + ".example");
            try {
                for (String line : Files.readAllLines(source)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        int eq = line.indexOf('=');
                        data.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return s;
    }

    static List<JsonNode> read(Path file) {
        try {
            return read(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every document of a YAML stream, in order. */
    static List<JsonNode> read(String yaml) {
        try (var parser = new YAMLFactory().createParser(yaml)) {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(parser, JsonNode.class).forEachRemaining(n -> {
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            });
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
