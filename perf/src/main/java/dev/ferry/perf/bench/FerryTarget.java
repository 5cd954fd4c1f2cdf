package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.request.protocol.FunctionId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * "ferry": the whole platform as {@code ./ferry dev} runs it (gateway, controller and a worker
 * whose containers are child processes), with the example app deployed, reached through the
 * gateway by host name. The built {@code cli/target/ferry.jar} runs in a JVM of its own, with
 * a Ferry home of its own under the work directory, so the bench neither uses nor disturbs a
 * developer's {@code ~/.ferry} or running dev server. HTTP/1.1 and h2c share the gateway's
 * HTTP port. Thread-safe.
 */
final class FerryTarget extends ProcessTarget {

    /** The line {@code ferry dev} prints once the gateway listens and the example app is deployed. */
    static final String READY = "Deploy your own";
    /** The example app's name: functions are served at {@code examples--<function>.localhost}. */
    static final String APP = "examples";
    /** A cold JVM, a fresh local certificate authority and the example app's deploy, on a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path examplesJar;
    private final Path home;
    private final int adminPort;
    private final BearerToken adminToken;

    /** The gateway's HTTP port for both protocols: it tells h2c from HTTP/1.1 by the connection preface. */
    private FerryTarget(
            Processes.Child ferry, Path examplesJar, Path home, int httpPort, int adminPort, BearerToken adminToken) {
        super("ferry", ferry, httpPort, httpPort);
        this.examplesJar = examplesJar;
        this.home = home;
        this.adminPort = adminPort;
        this.adminToken = adminToken;
    }

    /**
     * Starts {@code ferry dev} from {@code ferryRoot}'s build on free loopback ports, with its
     * home at {@code workDir/ferry-home} and its output in {@code workDir/ferry.log}; returns
     * once it says the example app is deployed. Every admin API call then sends the admin token
     * that {@code ferry dev} saved in its home's credentials before saying so.
     *
     * @param ferryRoot the repository root, which holds {@code cli/target/ferry.jar} and
     *     {@code examples/target/examples.jar}
     * @throws IOException when a jar is missing, Ferry does not start (the message holds the
     *     command and the log) or its home holds no admin token
     */
    static FerryTarget start(Path ferryRoot, Path workDir) throws IOException {
        return start(ferryRoot, workDir, List.of());
    }

    /**
     * {@link #start(Path, Path)} with {@code extraArguments} added to {@code ferry dev}'s
     * (such as {@code --redis URL}, for the same stack on the Redis store).
     */
    static FerryTarget start(Path ferryRoot, Path workDir, List<String> extraArguments) throws IOException {
        FerryBuild build = FerryBuild.of(ferryRoot);
        Path work = workDir.toAbsolutePath();
        int httpPort = Processes.freeLoopbackPort();
        int httpsPort = Processes.freeLoopbackPort();
        int adminPort = Processes.freeLoopbackPort();
        List<String> arguments = new ArrayList<>(List.of(
                "dev",
                "--host",
                "127.0.0.1",
                "--http-port",
                Integer.toString(httpPort),
                "--https-port",
                Integer.toString(httpsPort),
                "--admin-port",
                Integer.toString(adminPort),
                "--examples",
                build.examplesJar().toString()));
        arguments.addAll(extraArguments);
        Path home = work.resolve("ferry-home");
        Processes.Child ferry = build.launch(arguments, home, work.resolve("ferry.log"))
                .readyOnLine(READY)
                .start(START_TIMEOUT);
        BearerToken token;
        try {
            token = BearerToken.read(home, adminUrl(adminPort));
        } catch (IOException e) {
            Processes.stopAll(List.of(ferry));
            throw new IOException(ferry.describe("cannot call the admin API: " + e.getMessage()), e);
        }
        return new FerryTarget(ferry, build.examplesJar(), home, httpPort, adminPort, token);
    }

    @Override
    public Optional<Route> route(Endpoint endpoint) {
        return Optional.of(
                switch (endpoint) {
                    case HELLO -> new Route(host("hello"), "/");
                    case WEBSOCKET_ECHO -> new Route(host("ws"), "/");
                    case SSE -> new Route(host("sse"), "/?n=1");
                });
    }

    /** The Host header (authority) that reaches the example app's {@code function} through the gateway. */
    String host(String function) {
        return host(APP, function);
    }

    /** The Host header (authority) that reaches {@code app}'s {@code function} through the gateway. */
    String host(String app, String function) {
        return FunctionId.of(app, function) + ".localhost:" + port(Protocol.HTTP_1_1);
    }

    /**
     * The {@code ferry dev} JVM, where the gateway runs (with the controller and the worker:
     * one process), and the containers of the example app's {@code hello}, of any version and
     * in any state, each found by the port it listens on (the admin API gives each container's
     * address; {@link ContainerProcesses}). The example app's other containers and idle
     * warm-pool members are left out: they serve none of the requests measured. Where no
     * process of hello's containers can be found, every process of the stack counts instead,
     * and each one's description says so.
     */
    @Override
    public Map<Long, String> cpuProcesses(List<ProcessHandle> candidates) throws IOException, InterruptedException {
        long dev = process().pid();
        Map<Long, String> roles = new LinkedHashMap<>();
        roles.put(dev, "ferry dev (gateway, controller and worker in one JVM)");
        List<Long> containers = ContainerProcesses.listeningOnAny(candidates, containerPorts(apps(), APP, "hello"));
        for (long pid : containers) {
            roles.putIfAbsent(pid, "container of " + FunctionId.of(APP, "hello"));
        }
        if (roles.size() == 1) {
            for (ProcessHandle p : candidates) {
                roles.putIfAbsent(
                        p.pid(),
                        "process of the ferry dev tree, counted since no process listens on a port of hello's"
                                + " containers: " + title(p.pid()));
            }
        }
        return roles;
    }

    /**
     * The ports of {@code app}'s {@code function}'s containers in an answer of {@code GET
     * /v1/apps}: every container with an address, of any version and in any state.
     *
     * @throws IOException when an address is not HOST:PORT
     */
    static Set<Integer> containerPorts(JsonNode apps, String app, String function) throws IOException {
        Set<Integer> ports = new LinkedHashSet<>();
        for (JsonNode a : apps.path("apps")) {
            if (!a.path("name").asText().equals(app)) {
                continue;
            }
            for (JsonNode f : a.path("functions")) {
                if (!f.path("name").asText().equals(function)) {
                    continue;
                }
                for (JsonNode c : f.path("containers")) {
                    String address = c.path("address").asText();
                    if (address.isEmpty() || address.endsWith(":0")) {
                        continue; // not placed or not started yet
                    }
                    try {
                        ports.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
                    } catch (NumberFormatException e) {
                        throw new IOException("container address: \"" + address + "\" (expected: HOST:PORT)", e);
                    }
                }
            }
        }
        return ports;
    }

    /** The admin API's port on 127.0.0.1. */
    int adminPort() {
        return adminPort;
    }

    /** The admin API's base URL, as {@code ferry dev} names it in its credentials. */
    static String adminUrl(int adminPort) {
        return "http://127.0.0.1:" + adminPort;
    }

    /** The admin token {@code ferry dev} made at its start: every admin API call sends it. */
    BearerToken adminToken() {
        return adminToken;
    }

    /** The dev server's Ferry home, where a CLI started with {@code FERRY_HOME} set to it finds the server. */
    Path home() {
        return home;
    }

    /**
     * The admin API's view of the apps ({@code GET /v1/apps}): each app's version and functions,
     * each function's containers with their version, state and address. Blocking.
     *
     * @throws IOException when the admin API cannot be reached or does not answer 200
     */
    JsonNode apps() throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl(adminPort) + "/v1/apps");
        HttpResponse<String> response = admin(HttpRequest.newBuilder(uri).GET(), uri, 200);
        return JSON.readTree(response.body());
    }

    /**
     * Changes how the example app's {@code function} scales, as {@code ferry scale examples
     * FUNCTION} does ({@code POST /v1/scale/examples/FUNCTION}); {@code change} is the JSON
     * object, such as {@code {"maxContainers": 1}}. Applies to the version deployed now: the
     * next deploy resets it. Blocking.
     *
     * @throws IOException when the admin API cannot be reached or refuses the change
     */
    void scale(String function, String change) throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl(adminPort) + "/v1/scale/" + APP + "/" + function);
        admin(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(change)),
                uri,
                200);
    }

    /**
     * Makes a token with {@code scopes} (such as {@code call}) named {@code name}, as {@code ferry
     * token create} does ({@code POST /v1/tokens}). Blocking.
     *
     * @throws IOException when the admin API cannot be reached or refuses it
     */
    BearerToken.Issued createToken(String name, List<String> scopes) throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl(adminPort) + "/v1/tokens");
        HttpResponse<String> response = admin(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("name", name, "scopes", scopes)))),
                uri,
                201);
        return BearerToken.issued(response.body());
    }

    /**
     * Revokes token {@code id} ({@code DELETE /v1/tokens/ID}). Blocking.
     *
     * @throws IOException when the admin API cannot be reached or refuses it
     */
    void revokeToken(String id) throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl(adminPort) + "/v1/tokens/" + id);
        admin(HttpRequest.newBuilder(uri).DELETE(), uri, 200);
    }

    private HttpResponse<String> admin(HttpRequest.Builder request, URI uri, int expected)
            throws IOException, InterruptedException {
        Processes.Child ferry = process();
        HttpResponse<String> response;
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(
                    adminToken.authorize(request).timeout(ADMIN_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException(ferry.describe("admin API call " + uri + " failed: " + e), e);
        }
        if (response.statusCode() != expected) {
            throw new IOException(
                    ferry.describe("admin API call " + request.build().method() + " " + uri
                            + " answered " + response.statusCode() + " "
                            + response.body().strip() + " (expected: "
                            + expected + ")"));
        }
        return response;
    }

    /**
     * Redeploys the example app, so that the next request to any of its functions is served by
     * a container of the new version, which has yet to start: a cold start. Returns once the
     * admin API has accepted the deploy; blocking.
     *
     * @throws IOException when the admin API cannot be reached or refuses the jar; the message
     *     holds its answer and Ferry's last log lines
     */
    void makeCold() throws IOException, InterruptedException {
        Processes.Child ferry = process();
        ferry.checkAlive();
        URI uri = URI.create(adminUrl(adminPort) + "/v1/apps?name=" + APP + "&file=" + examplesJar.getFileName());
        HttpRequest request = adminToken
                .authorize(HttpRequest.newBuilder(uri))
                .timeout(DEPLOY_TIMEOUT)
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(examplesJar))
                .build();
        HttpResponse<String> response;
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException(
                    ferry.describe("did not take the redeploy of " + examplesJar + " at " + uri + ": " + e), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(ferry.describe("refused the redeploy of " + examplesJar + " at " + uri + ": "
                    + response.statusCode() + " " + response.body().strip() + " (expected: 200)"));
        }
        // A redeploy starts the new version beside the old one and moves traffic once it is up,
        // so the next request would reach the old version's warm container: wait until the old
        // version's containers are gone, and the new version's fresh ones are all that serve.
        String version = JSON.readTree(response.body()).path("version").asText();
        if (version.isEmpty()) {
            throw new IOException(ferry.describe("answered the redeploy without a version: "
                    + response.body().strip() + " (expected: the app's JSON with its version)"));
        }
        long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos();
        while (!onlyVersion(apps(), version)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(ferry.describe("still runs containers of the version before " + version + " "
                        + DEPLOY_TIMEOUT.toSeconds() + " s after the redeploy"));
            }
            Thread.sleep(50); // polling the admin API, with the deadline above
        }
    }

    /**
     * Makes the next request to the example app's {@code function} a cold start from zero: sets
     * its scaledown window to 1 s (until the next deploy) and waits until it has no container
     * left. A redeploy no longer makes one: it starts the new version beside the old before
     * moving traffic. Blocking.
     *
     * @throws IOException when the admin API refuses, or a container is still there after the deploy timeout
     */
    void scaleToZero(String function) throws IOException, InterruptedException {
        scale(function, "{\"scaledownWindow\": \"1s\"}");
        long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos();
        while (containers(apps(), function) > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(process()
                        .describe(function + " still has containers " + DEPLOY_TIMEOUT.toSeconds()
                                + " s after its scaledown window was set to 1 s"));
            }
            Thread.sleep(50); // polling the admin API, with the deadline above
        }
    }

    /** How many containers, in any state, the example app's {@code function} has in {@code apps}. */
    static int containers(JsonNode apps, String function) {
        int n = 0;
        for (JsonNode a : apps.path("apps")) {
            if (a.path("name").asText().equals(APP)) {
                for (JsonNode f : a.path("functions")) {
                    if (f.path("name").asText().equals(function)) {
                        n += f.path("containers").size();
                    }
                }
            }
        }
        return n;
    }

    /** Whether every container of the example app in {@code apps} ({@code GET /v1/apps}) is of {@code version}. */
    static boolean onlyVersion(JsonNode apps, String version) {
        for (JsonNode a : apps.path("apps")) {
            if (!a.path("name").asText().equals(APP)) {
                continue;
            }
            for (JsonNode f : a.path("functions")) {
                for (JsonNode c : f.path("containers")) {
                    if (!c.path("version").asText().equals(version)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ferry (gateway 127.0.0.1:" + port(Protocol.HTTP_1_1) + ", admin 127.0.0.1:" + adminPort + ", "
                + process() + ")";
    }
}
