package dev.simclr.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Json;
import dev.simclr.infra.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Headless Chromium driven by Debian's chromedriver over the W3C WebDriver protocol: the few calls the browser IT
 * needs (a session, navigate, find, click, type, script, the confirm dialog, a screenshot), as plain HTTP and JSON.
 */
final class WebDriver implements AutoCloseable {
    /** The flags a closed network and a root user need (no sandbox; nothing fetched in the background). */
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=1280,1100");
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process driver;
    private final String session;

    WebDriver(Path chromedriver, Path chromium, Path userDataDir, Path log) throws Exception {
        int port = Ports.free();
        driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (call("GET", url + "/status", null).path("ready").asBoolean()) {
                    break;
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    driver.destroyForcibly();
                    throw new IllegalStateException("chromedriver did not answer in 30 s (log " + log + ")", e);
                }
            }
            Thread.sleep(200);
        }
        List<String> args = new java.util.ArrayList<>(FLAGS);
        args.add("--user-data-dir=" + userDataDir);
        ObjectNode caps = Json.MAPPER.createObjectNode();
        caps.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
                .set("goog:chromeOptions", Json.MAPPER.valueToTree(Map.of("binary", chromium.toString(),
                        "args", args)));
        try {
            session = url + "/session/" + call("POST", url + "/session", caps).path("sessionId").asText();
        } catch (Exception e) {
            driver.destroyForcibly();
            throw e;
        }
    }

    /** POST or GET on the session; the answer's {@code value}; an error answer throws with its message. */
    private static JsonNode call(String method, String url, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (method.equals("GET")) {
            b.GET();
        } else if (method.equals("DELETE")) {
            b.DELETE();
        } else {
            b.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = Json.MAPPER.readTree(r.body()).path("value");
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " "
                    + value.path("error").asText() + ": " + value.path("message").asText());
        }
        return value;
    }

    void open(String url) throws Exception {
        call("POST", session + "/url", Map.of("url", url));
    }

    String find(String css) throws Exception {
        return call("POST", session + "/element", Map.of("using", "css selector", "value", css)).path(ELEMENT)
                .asText();
    }

    void click(String element) throws Exception {
        call("POST", session + "/element/" + element + "/click", Map.of());
    }

    void type(String element, String text) throws Exception {
        call("POST", session + "/element/" + element + "/value", Map.of("text", text));
    }

    /** A script's result ({@code return ...;}). */
    JsonNode script(String js) throws Exception {
        return call("POST", session + "/execute/sync", Map.of("script", js, "args", List.of()));
    }

    String text(String css) throws Exception {
        JsonNode v = script("const e = document.querySelector(" + Json.MAPPER.writeValueAsString(css)
                + "); return e ? e.innerText : null;");
        return v.isNull() ? null : v.asText();
    }

    String alertText() throws Exception {
        return call("GET", session + "/alert/text", null).asText();
    }

    void acceptAlert() throws Exception {
        call("POST", session + "/alert/accept", Map.of());
    }

    String url() throws Exception {
        return call("GET", session + "/url", null).asText();
    }

    void screenshot(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(call("GET", session + "/screenshot", null).asText()));
    }

    @Override
    public void close() {
        try {
            call("DELETE", session, null);
        } catch (Exception e) {
            // the driver goes below anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
