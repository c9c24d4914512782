package dev.simclr.eval.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.core.Transient;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.rest.ExperimentsResource;
import dev.simclr.eval.submission.SubmissionCheck;
import dev.simclr.kit.AckedSend;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The web pages, on eval-service's port beside its REST API: the experiments ({@code /}), one experiment
 * ({@code /ui/experiments/{id}}, with {@code /live}, the part that changes, which the page asks for every two
 * seconds), its report's files and its runs' checkpoints (streamed from the object store: a browser has no store
 * credentials), and the submit form ({@code /ui/submit}). Every answer is HTML, errors too; cancelling is the REST
 * API's {@code DELETE /experiments/{id}}, which the page calls. Submissions are checked and sent exactly as
 * {@code POST /experiments} does ({@link Coordinator#check}, then the experiments topic).
 */
@Path("/")
@ApplicationScoped
@Produces(MediaType.TEXT_HTML)
@Tag(name = "web pages", description = "HTML for people: the experiments, one experiment live, the submit form")
public class WebPages {
    private static final Logger LOG = Logger.getLogger(WebPages.class);
    private static final String HTML = MediaType.TEXT_HTML + ";charset=UTF-8";
    /** The report's plots (one per study table), as {@link Report#publish} names them. */
    private static final Pattern PLOT = Pattern.compile("[a-z0-9-]{1,100}\\.(svg|png)");
    /** Only our own files: no inline script, styles and scripts from this origin. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** The report's files: its HTML has inline styles and SVG, and nothing runs. */
    private static final String FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

    @Inject
    Coordinator coordinator;

    @Inject
    ObjectStore store;

    @Inject
    @Channel("experiments-out")
    Emitter<String> experiments;

    @Inject
    @Location("ui/experiments.html")
    Template listTemplate;

    @Inject
    @Location("ui/experiment.html")
    Template experimentTemplate;

    @Inject
    @Location("ui/live.html")
    Template liveTemplate;

    @Inject
    @Location("ui/submit.html")
    Template submitTemplate;

    @Inject
    @Location("ui/error.html")
    Template errorTemplate;

    private volatile Recipes recipes;
    private volatile Pages pages;

    private Pages pages() {
        if (pages == null) {
            synchronized (this) {
                if (pages == null) {
                    recipes = Recipes.fromClassPath();
                    pages = new Pages(coordinator, store, recipes);
                }
            }
        }
        return pages;
    }

    @GET
    @Operation(summary = "The experiments (HTML)", description = "Newest first, paged like GET /experiments, "
            + "filtered by state.")
    public Response list(@QueryParam("state") String state,
                         @QueryParam("offset") @DefaultValue("0") String offset,
                         @QueryParam("limit") @DefaultValue("50") String limit) {
        List<String> bad = new ArrayList<>();
        int from = ExperimentsResource.pageNumber("offset", offset, 0, Integer.MAX_VALUE, bad);
        int size = ExperimentsResource.pageNumber("limit", limit, 1, ExperimentsResource.MAX_PAGE, bad);
        ExperimentState.Status only = null;
        if (state != null && !state.isBlank()) {
            try {
                only = ExperimentState.Status.valueOf(state.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                bad.add("state: one of running, completed, failed or cancelled, got '"
                        + SubmissionCheck.printable(state) + "'");
            }
        }
        if (!bad.isEmpty()) {
            return error(400, "Not a page of the list", bad);
        }
        return html(200, listTemplate.data("page", pages().list(from, size, only)).render());
    }

    @GET
    @Path("ui/experiments/{id}")
    @Operation(summary = "One experiment (HTML)", description = "Runs by stage with progress, live while it runs; "
            + "verdicts, tables, plots, cost and downloads once its report is written; the spec as submitted.")
    public Response experiment(@PathParam("id") String id, @QueryParam("sent") String sent) {
        List<String> bad = SubmissionCheck.idProblems(id);
        if (!bad.isEmpty()) {
            return error(400, "Not an experiment id", bad);
        }
        Optional<Views.ExperimentPage> page = pages().experiment(id);
        if (page.isEmpty()) {
            if (sent != null) {
                // just submitted: the coordinator plans it when it takes the submission off the topic
                return html(404, errorTemplate.data("error", new Views.Error(404, "Experiment " + id
                        + " is on its way", List.of("The submission was sent; this page shows the experiment as soon "
                        + "as the coordinator has planned it."))).data("refresh", true).render());
            }
            return error(404, "No such experiment", List.of("no experiment " + id));
        }
        return html(200, experimentTemplate.data("page", page.get()).render());
    }

    @GET
    @Path("ui/experiments/{id}/live")
    @Operation(summary = "The live part of an experiment's page (an HTML fragment)")
    public Response live(@PathParam("id") String id) {
        List<String> bad = SubmissionCheck.idProblems(id);
        if (!bad.isEmpty()) {
            return error(400, "Not an experiment id", bad);
        }
        return pages().live(id).map(l -> html(200, liveTemplate.data("live", l).render()))
                .orElseGet(() -> error(404, "No such experiment", List.of("no experiment " + id)));
    }

    @GET
    @Path("ui/experiments/{id}/files/{name}")
    @Produces({MediaType.WILDCARD})
    @Operation(summary = "A file of an experiment's report", description = "results.json, results.csv, results.md, "
            + "report.html and the plots, streamed from the object store.")
    public Response file(@PathParam("id") String id, @PathParam("name") String name) {
        List<String> bad = new ArrayList<>(SubmissionCheck.idProblems(id));
        if (!Pages.DOWNLOADS.contains(name) && !PLOT.matcher(name).matches()) {
            bad.add("file: one of " + Pages.DOWNLOADS + " or a plot, got '" + SubmissionCheck.printable(name) + "'");
        }
        if (!bad.isEmpty()) {
            return error(400, "Not a file of a report", bad);
        }
        Optional<InputStream> in = store.open(Report.prefix(id) + name);
        if (in.isEmpty()) {
            return error(404, "No such file", List.of("experiment " + id + " has no " + name + " (yet: a report is "
                    + "written when the experiment completes)"));
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        String type = switch (ext) {
            case "json" -> "application/json";
            case "csv" -> "text/csv;charset=UTF-8";
            case "md" -> "text/markdown;charset=UTF-8";
            case "html" -> HTML;
            case "svg" -> "image/svg+xml";
            default -> "image/png";
        };
        // report.html and the SVG plots are our own markup, but opened on their own they run nothing all the same
        Response.ResponseBuilder r = Response.ok(in.get(), type).header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", FILE_CSP);
        if (name.startsWith("results.")) {
            r.header("Content-Disposition", "attachment; filename=\"" + id + "-" + name + "\"");
        }
        return r.build();
    }

    @GET
    @Path("ui/experiments/{id}/runs/{runId}/checkpoint")
    @Produces({MediaType.WILDCARD})
    @Operation(summary = "A run's checkpoint", description = "The checkpoint a completed run of the experiment wrote "
            + "(an .npz), streamed from the object store.")
    public Response checkpoint(@PathParam("id") String id, @PathParam("runId") String runId) {
        List<String> bad = new ArrayList<>(SubmissionCheck.idProblems(id));
        dev.simclr.contracts.Ids.problem("run", runId).ifPresent(bad::add);
        if (!bad.isEmpty()) {
            return error(400, "Not a run of an experiment", bad);
        }
        if (!pages().hasRun(id, runId)) {
            return error(404, "No such run", List.of("experiment " + id + " has no run " + runId));
        }
        Optional<String> key = pages().checkpointKey(runId);
        Optional<InputStream> in = key.flatMap(store::open);
        if (in.isEmpty()) {
            return error(404, "No checkpoint", List.of("run " + runId + " has written no checkpoint (an evaluation's "
                    + "result is its metrics; a run that has not completed has none yet)"));
        }
        String file = runId + "-" + key.get().substring(key.get().lastIndexOf('/') + 1);
        return Response.ok(in.get(), "application/octet-stream").header("X-Content-Type-Options", "nosniff")
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"").build();
    }

    @GET
    @Path("ui/submit")
    @Operation(summary = "The submit form (HTML)")
    public Response submitForm(@QueryParam("recipe") String recipe, @QueryParam("scale") String scale) {
        pages();
        String r = recipe != null ? recipe : recipes.get("demo").map(Recipes.Recipe::name).orElse("");
        return html(200, submitTemplate.data("form", new Views.SubmitForm(recipes.all(), r,
                scale != null ? scale : "demo", "", "", false, Map.of(), List.of())).render());
    }

    /** What the form sends; {@code spec}: pasted JSON, which replaces the recipe's scale when not blank. */
    @POST
    @Path("ui/submit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(summary = "Submit from the form", description = "The same checks as POST /experiments; 303 to the "
            + "experiment's page, or the form again with each problem beside its field.")
    public Response submit(@FormParam("recipe") String recipe, @FormParam("scale") String scale,
                           @FormParam("spec") String specText, @FormParam("experimentId") String experimentId,
                           @FormParam("fresh") String fresh) {
        pages();
        String recipeName = recipe == null ? "" : recipe.trim();
        String scaleName = scale == null ? "" : scale.trim();
        String pasted = specText == null ? "" : specText;
        String idText = experimentId == null ? "" : experimentId.trim();
        boolean isFresh = fresh != null && !fresh.isBlank();
        Map<String, List<String>> problems = new LinkedHashMap<>();
        boolean fromRecipe = pasted.isBlank();
        JsonNode spec = null;
        if (!fromRecipe) {
            try {
                spec = Json.STRICT.readTree(pasted);
                if (spec == null || !spec.isObject()) {
                    add(problems, "spec", "spec: expected a JSON object, one scale of a recipe");
                    spec = null;
                }
            } catch (JsonProcessingException e) {
                add(problems, "spec", Json.problem("spec", e));
            }
        } else {
            Optional<Recipes.Recipe> r = recipes.get(recipeName);
            if (r.isEmpty()) {
                add(problems, "recipe", "recipe: choose one of " + recipes.all().stream().map(Recipes.Recipe::name)
                        .toList() + ", or paste a spec");
            } else if (!r.get().scales().containsKey(scaleName)) {
                add(problems, "scale", "scale: recipe " + recipeName + " has the scales " + r.get().scaleNames()
                        + ", not '" + SubmissionCheck.printable(scaleName) + "'");
            } else {
                spec = r.get().scales().get(scaleName);
            }
        }
        if (spec != null && isFresh) {
            spec = ((ObjectNode) spec.deepCopy()).put("fresh", true);
        }
        String id = !idText.isEmpty() ? idText : (recipeName.isEmpty() ? "experiment"
                : recipeName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-")) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        List<String> general = new ArrayList<>();
        if (problems.isEmpty()) {
            ExperimentSubmitted e = new ExperimentSubmitted(Event.SCHEMA_VERSION, id, recipeName, spec, "web page",
                    Instant.now());
            Coordinator.Submitted checked = coordinator.check(e);
            switch (checked.taken()) {
                case REFUSED -> checked.problems().forEach(p -> add(problems, field(p, fromRecipe), p));
                case RETRY -> general.add("the object store is not answering (" + String.join("; ",
                        checked.problems()) + "): try again in a minute");
                default -> {
                    String json = EventCodec.encode(e);
                    if (json.length() > SubmissionCheck.MAX_BYTES) {
                        add(problems, "spec", "spec: the submission is " + json.length() + " bytes, at most "
                                + SubmissionCheck.MAX_BYTES);
                    } else {
                        if (checked.taken() != Coordinator.Taken.DUPLICATE) {
                            AckedSend.send(experiments, id, null, json);
                        }
                        return Response.seeOther(URI.create(Pages.experimentHref(id) + "?sent=1")).build();
                    }
                }
            }
        }
        Views.SubmitForm form = new Views.SubmitForm(recipes.all(), recipeName, scaleName, pasted, idText, isFresh,
                problems, general);
        return html(general.isEmpty() ? 400 : 503, submitTemplate.data("form", form).render());
    }

    /** The form field a problem names by its first word ("experimentId: ...", "recipe: ..."); the spec otherwise. */
    static String field(String problem, boolean fromRecipe) {
        String head = problem.contains(":") ? problem.substring(0, problem.indexOf(':')).trim() : "";
        return switch (head) {
            case "experimentId" -> "experimentId";
            case "recipe" -> "recipe";
            default -> fromRecipe ? "scale" : "spec";
        };
    }

    private static void add(Map<String, List<String>> problems, String field, String problem) {
        problems.computeIfAbsent(field, k -> new ArrayList<>()).add(problem);
    }

    private static Response html(int status, String body) {
        return Response.status(status).type(HTML).header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff").entity(body).build();
    }

    private Response error(int status, String title, List<String> problems) {
        return html(status, errorTemplate.data("error", new Views.Error(status, title, problems))
                .data("refresh", false).render());
    }

    /** What escapes a page is an HTML page too (the REST API's JSON problem bodies are its own, {@code Problems}). */
    @ServerExceptionMapper
    public Response failed(Throwable e) {
        if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            return error(status, w.getResponse().getStatusInfo().getReasonPhrase(),
                    List.of(w.getMessage() == null ? "" : w.getMessage()));
        }
        if (Transient.in(e)) {
            return error(503, "Try again in a minute", List.of(e.getMessage() + ": the page shows again when it is "
                    + "back"));
        }
        LOG.error("page failed", e);
        return error(500, "The page failed", List.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
}
