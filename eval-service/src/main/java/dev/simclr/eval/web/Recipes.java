package dev.simclr.eval.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The recipes the submit page offers: the repository's {@code recipes/*.json}, copied onto eval-service's class path
 * by its build (one source, and a container has them too). A recipe is {@code {"recipe": name, "description": ...,
 * "scales": {"demo": spec, ...}}}, as the CLI's {@code submit} reads it.
 */
public final class Recipes {
    /** One recipe file: its name, what it is for, and its scales' specs in file order. */
    @io.quarkus.qute.TemplateData
    public record Recipe(String name, String description, Map<String, JsonNode> scales) {
        public List<String> scaleNames() {
            return List.copyOf(scales.keySet());
        }
    }

    private final Map<String, Recipe> byName;

    public Recipes(Map<String, Recipe> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    /** The recipes on the class path under {@code recipes/} (none when the build copied none). */
    public static Recipes fromClassPath() {
        Map<String, Recipe> out = new TreeMap<>();
        for (String file : listClassPath()) {
            try (InputStream in = Recipes.class.getClassLoader().getResourceAsStream("recipes/" + file)) {
                if (in != null) {
                    Recipe r = parse(file, Json.MAPPER.readTree(in));
                    if (r != null) {
                        out.put(r.name(), r);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("recipes/" + file, e);
            }
        }
        return new Recipes(out);
    }

    static Recipe parse(String file, JsonNode node) {
        if (node == null || !node.path("scales").isObject()) {
            return null;
        }
        Map<String, JsonNode> scales = new LinkedHashMap<>();
        node.path("scales").fields().forEachRemaining(e -> scales.put(e.getKey(), e.getValue()));
        String name = node.path("recipe").asText(file.replace(".json", ""));
        return new Recipe(name, node.path("description").asText(""), Collections.unmodifiableMap(scales));
    }

    /** The names of the JSON files under {@code recipes/}, from a directory (tests) or the application's jar. */
    private static List<String> listClassPath() {
        URL dir = Recipes.class.getClassLoader().getResource("recipes/demo.json");
        List<String> names = new ArrayList<>();
        if (dir == null) {
            return names;
        }
        try {
            if ("file".equals(dir.getProtocol())) {
                try (Stream<Path> s = Files.list(Path.of(dir.toURI()).getParent())) {
                    s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).forEach(names::add);
                }
            } else if ("jar".equals(dir.getProtocol())) {
                JarURLConnection c = (JarURLConnection) dir.openConnection();
                c.setUseCaches(false);
                try (JarFile jar = c.getJarFile()) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("recipes/") && n.endsWith(".json")
                            && n.indexOf('/', "recipes/".length()) < 0)
                            .forEach(n -> names.add(n.substring("recipes/".length())));
                }
            } else {
                names.add("demo.json"); // another kind of class path: at least the demo, which is known to be there
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the recipes at " + dir + ": " + e, e);
        }
        Collections.sort(names);
        return names;
    }

    public List<Recipe> all() {
        return List.copyOf(byName.values());
    }

    public Optional<Recipe> get(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    /**
     * Which scale of the named recipe a submitted spec is (a {@code "fresh": true} added by {@code --fresh} or the
     * page does not count), or empty when it is none of them (a pasted or edited spec).
     */
    public Optional<String> scaleOf(String recipe, JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            return Optional.empty();
        }
        ObjectNode bare = ((ObjectNode) spec).deepCopy();
        bare.remove("fresh");
        return get(recipe).flatMap(r -> r.scales().entrySet().stream()
                .filter(e -> e.getValue().equals(bare) || e.getValue().equals(spec)).map(Map.Entry::getKey)
                .findFirst());
    }
}
