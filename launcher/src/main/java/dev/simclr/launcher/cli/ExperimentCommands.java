package dev.simclr.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Precision;
import dev.simclr.launcher.stack.EmbeddedStack;
import dev.simclr.core.store.ObjectStore;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./simclr submit} and {@code ./simclr report}: experiments through eval-service's REST interface. */
final class ExperimentCommands {
    private static final ObjectMapper JSON = dev.simclr.contracts.Json.MAPPER;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ExperimentCommands() {}

    /** eval-service's URL: SIMCLR_EVAL_URL, else the embedded stack's. */
    static String evalUrl() {
        String url = System.getenv("SIMCLR_EVAL_URL");
        if (url != null) {
            return url;
        }
        return Simclr.stack().services().stream().filter(s -> s.name().equals("eval-service"))
                .map(EmbeddedStack.Service::url).findFirst().orElseThrow();
    }

    @Command(name = "submit", description = "Submit a recipe (one of its scales) as an experiment.")
    static final class Submit implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "recipe file, e.g. recipes/demo.json")
        Path recipe;

        @CommandLine.Option(names = "--scale", defaultValue = "demo", description = "a scale the recipe defines: demo (2 CPU cores, minutes), cpu (2 CPU cores, the studies to a verdict, hours), full (GPUs); the ablation also has conditions")
        String scale;

        @CommandLine.Option(names = "--id", description = "experiment id (default: recipe name and a random suffix)")
        String id;

        @CommandLine.Option(names = "--follow", description = "show progress until it ends, then print the tables")
        boolean follow;

        @CommandLine.Option(names = "--fresh", description = "run every run again (spec fresh: true) instead of "
                + "reusing runs another experiment finished with the same computation")
        boolean fresh;

        @CommandLine.Option(names = "--precision", description = "fp32, bf16 or auto: every training stage of the "
                + "scale in this precision (pretrain, finetune, distill, transfer), whatever the recipe says")
        String precision;

        @Override
        public Integer call() throws Exception {
            return submit(recipe, scale, id, follow, fresh, precision, System.out);
        }
    }

    /** The spec's stages that take a {@code precision} (ExperimentSpec's Pretrain, Finetune, Distill, Transfer). */
    static final List<String> PRECISION_STAGES = List.of("pretrain", "finetune", "distill", "transfer");

    /** {@code spec} with every stage it has set to {@code precision} (checked: fp32, bf16 or auto). */
    static ObjectNode withPrecision(JsonNode spec, String precision) {
        Precision p;
        try {
            p = JSON.convertValue(precision, Precision.class);
        } catch (IllegalArgumentException e) {
            p = null;
        }
        if (p == null) {
            throw new UserError("--precision: expected fp32, bf16 or auto, got '" + precision + "'");
        }
        ObjectNode copy = (ObjectNode) spec.deepCopy();
        for (String stage : PRECISION_STAGES) {
            if (copy.path(stage).isObject()) {
                ((ObjectNode) copy.get(stage)).put("precision", p.wireName());
            }
        }
        return copy;
    }

    static int submit(Path recipe, String scale, String id, boolean follow, boolean fresh, String precision,
                      PrintStream out) throws Exception {
        String text = UserError.read("recipe", recipe);
        JsonNode file;
        try {
            file = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserError("recipe: " + recipe + " is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (file == null || !file.isObject() || !file.path("scales").isObject()) {
            throw new UserError("recipe: " + recipe + " must be a JSON object with \"scales\": {\"demo\": {...}, ...}"
                    + " (see recipes/demo.json)");
        }
        JsonNode spec = file.path("scales").path(scale);
        if (!spec.isObject()) {
            java.util.List<String> scales = new java.util.ArrayList<>();
            file.path("scales").fieldNames().forEachRemaining(scales::add);
            throw new UserError("--scale: " + recipe + " has no scale '" + scale + "' (has " + scales + ")");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("recipe", file.path("recipe").asText(recipe.getFileName().toString().replace(".json", "")));
        if (precision != null) {
            spec = withPrecision(spec, precision);
        }
        if (fresh) {
            spec = ((ObjectNode) spec.deepCopy()).put("fresh", true);
        }
        body.set("spec", spec);
        body.put("submittedBy", System.getProperty("user.name"));
        if (id != null) {
            body.put("experimentId", id);
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(evalUrl() + "/experiments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() != 202) {
            out.println("refused (" + r.statusCode() + "):");
            answer.path("problems").forEach(p -> out.println("  - " + p.asText()));
            return 2;
        }
        String experimentId = answer.get("experimentId").asText();
        out.println("submitted " + experimentId + " (" + body.get("recipe").asText() + ", scale " + scale + ")");
        return follow ? follow(experimentId, out) : 0;
    }

    /** Polls the experiment once a second: a line per run that starts or ends, a summary line now and then. */
    static int follow(String id, PrintStream out) throws Exception {
        long start = System.nanoTime();
        Map<String, String> seen = new LinkedHashMap<>();
        long lastSummary = 0;
        while (true) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(evalUrl() + "/experiments/" + id))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode s = JSON.readTree(r.body());
                int done = 0;
                int total = s.path("runs").size();
                StringBuilder running = new StringBuilder();
                for (JsonNode run : s.path("runs")) {
                    String status = run.path("status").asText();
                    done += status.equals("COMPLETED") ? 1 : 0;
                    String what = run.path("stage").asText() + " " + run.path("labels").toString();
                    if (!status.equals(seen.get(run.path("runId").asText()))) {
                        seen.put(run.path("runId").asText(), status);
                        if (!status.equals("PLANNED")) {
                            out.printf("%6.1fs  %-9s %s %s%n", (System.nanoTime() - start) / 1e9,
                                    status.toLowerCase(Locale.ROOT), run.path("runId").asText(), what);
                        }
                    }
                    if (run.has("step")) {
                        running.append(String.format("  %s %s %s/%s", run.path("runId").asText(),
                                bar(run.path("step").asLong(), run.path("totalSteps").asLong()),
                                run.path("step").asLong(), run.path("totalSteps").asLong()));
                    }
                }
                if (System.nanoTime() - lastSummary > 10_000_000_000L) {
                    lastSummary = System.nanoTime();
                    out.printf("%6.1fs  [%s] %d/%d runs done%s%n", (System.nanoTime() - start) / 1e9,
                            bar(done, total), done, total, running);
                }
                String state = s.path("status").asText();
                if (state.equals("COMPLETED")) {
                    out.printf("experiment %s completed in %.0f s%n%n", id, (System.nanoTime() - start) / 1e9);
                    return report(id, Path.of("reports"), out);
                }
                if (state.equals("FAILED")) {
                    out.println("experiment " + id + " failed:");
                    s.path("reasons").forEach(x -> out.println("  - " + x.asText()));
                    return 1;
                }
            }
            Thread.sleep(1000);
        }
    }

    private static String bar(long done, long total) {
        int width = 20;
        int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
        return "#".repeat(filled) + ".".repeat(width - filled);
    }

    @Command(name = "experiments", description = "List the experiments, newest first: id, recipe, state, runs done.")
    static final class Experiments implements Callable<Integer> {
        @CommandLine.Option(names = "--limit", defaultValue = "50", description = "how many (${DEFAULT-VALUE})")
        int limit;

        @CommandLine.Option(names = "--offset", defaultValue = "0", description = "skip the newest N")
        int offset;

        @Override
        public Integer call() throws Exception {
            return list(offset, limit, System.out);
        }
    }

    static int list(int offset, int limit, PrintStream out) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(evalUrl() + "/experiments?offset="
                + offset + "&limit=" + limit)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new UserError(String.join("; ", JSON.convertValue(body.path("problems"), List.class)));
        }
        out.printf("%-36s %-28s %-10s %-11s %s%n", "experiment", "recipe", "state", "runs", "submitted");
        for (JsonNode e : body.path("experiments")) {
            out.printf("%-36s %-28s %-10s %-11s %s%n", e.path("experimentId").asText(), e.path("recipe").asText("-"),
                    e.path("status").asText().toLowerCase(Locale.ROOT), e.path("runsDone").asLong() + "/"
                            + e.path("runsTotal").asLong(), e.path("submittedAt").asText("-"));
        }
        out.printf("%d of %d%n", body.path("experiments").size(), body.path("total").asLong());
        return 0;
    }

    @Command(name = "cancel", description = "Cancel an experiment under way: no new run starts, running ones stop at "
            + "their next slice, finished runs are kept.")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "experiment id")
        String id;

        @CommandLine.Option(names = "--reason", description = "recorded with the cancellation")
        String reason;

        @Override
        public Integer call() throws Exception {
            String query = reason == null ? "" : "?reason=" + java.net.URLEncoder.encode(reason,
                    StandardCharsets.UTF_8);
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(evalUrl() + "/experiments/"
                    + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8) + query)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) {
                throw new UserError(String.join("; ", JSON.convertValue(JSON.readTree(r.body()).path("problems"),
                        List.class)));
            }
            System.out.println("cancelling " + id + ": running slices stop at their next boundary");
            return 0;
        }
    }

    @Command(name = "report", description = "Download an experiment's report to reports/<id>/ and print its tables.")
    static final class Report implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "experiment id")
        String id;

        @CommandLine.Option(names = "--out", defaultValue = "reports", description = "where to put the files")
        Path out;

        @Override
        public Integer call() throws Exception {
            return report(id, out, System.out);
        }
    }

    static int report(String id, Path dir, PrintStream out) throws Exception {
        ObjectStore store = new ObjectStore(Simclr.targetSettings());
        String prefix = "reports/" + id + "/";
        var keys = store.list(prefix);
        if (keys.isEmpty()) {
            out.println("no report for " + id + " yet");
            return 1;
        }
        Path target = dir.resolve(id);
        Files.createDirectories(target);
        for (String key : keys) {
            Files.write(target.resolve(key.substring(prefix.length())), store.get(key));
        }
        out.print(new String(store.get(prefix + "results.md"), StandardCharsets.UTF_8));
        out.println();
        out.println("report files: " + target.toAbsolutePath());
        return 0;
    }
}
