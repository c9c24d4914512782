package dev.simclr.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** eval-service's REST API as the process ITs call it: submit, status, any other request. */
final class EvalHttp {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private EvalHttp() {}

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST /experiments with this id, recipe and spec (JSON text). */
    static HttpResponse<String> submit(String base, String id, String recipe, String spec) throws Exception {
        String body = Json.MAPPER.writeValueAsString(Map.of("experimentId", id, "recipe", recipe, "spec",
                Json.MAPPER.readTree(spec)));
        return send(HttpRequest.newBuilder(URI.create(base + "/experiments")).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** GET /experiments/{id}, or null while it is not known or the service does not answer (being healed). */
    static JsonNode status(String base, String id) {
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/experiments/" + id)));
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }
}
