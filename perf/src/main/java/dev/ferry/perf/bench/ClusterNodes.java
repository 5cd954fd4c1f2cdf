package dev.ferry.perf.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Ferry cluster as separate processes sharing one Redis, as the README's "A cluster" runs
 * it: a controller (admin API), one or more workers (whose containers are their child
 * processes) and gateways, each a JVM of the built {@code cli/target/ferry.jar} with a home of its own under
 * the work directory, on free loopback ports. They are started one after the other, each once
 * it says it is up, so that no JVM's start competes with another's for the CPUs. Every admin
 * API call sends the admin token the controller made at its start (the store held none) and
 * saved in its home's credentials before saying it is up.
 */
final class ClusterNodes implements AutoCloseable {

    /** A cold JVM and, for a gateway, a fresh local certificate authority, on a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    private static final com.fasterxml.jackson.databind.ObjectMapper VIEW_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** One gateway: its id and HTTP port. */
    record Gateway(String id, int httpPort, Processes.Child process) {}

    /** One worker: its id and its latest process. */
    record Worker(String id, Processes.Child process) {}

    /** One controller: its id, admin API port and latest process. */
    record Controller(String id, int adminPort, Processes.Child process) {}

    private final FerryBuild build;
    private final Path work;
    private final String redisUrl;
    private final Map<String, Worker> workers = new java.util.LinkedHashMap<>();
    private final Map<String, Integer> workerStarts = new java.util.HashMap<>();
    private final List<Processes.Child> started = new ArrayList<>();
    private final List<Gateway> gateways = new ArrayList<>();
    private final Map<String, Controller> controllers = new java.util.LinkedHashMap<>();
    private final Map<String, Integer> roleStarts = new java.util.HashMap<>();
    private final HttpClient admin = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private int adminPort;
    private Processes.Child controller;
    private BearerToken adminToken;

    private ClusterNodes(FerryBuild build, Path work, String redisUrl) {
        this.build = build;
        this.work = work;
        this.redisUrl = redisUrl;
    }

    /**
     * Starts a controller, a worker and {@code gateways} gateways on {@code redisUrl}, with
     * their homes and logs under {@code workDir}; returns once all say they are up.
     *
     * @throws IOException when a jar is missing or a process does not start (the message
     *     holds its command and its log's last lines); whatever was started is stopped first
     */
    static ClusterNodes start(Path ferryRoot, Path workDir, String redisUrl, int gateways) throws IOException {
        return start(ferryRoot, workDir, redisUrl, gateways, List.of("worker"));
    }

    /**
     * Starts a controller, a worker for each of {@code workerIds} (default sandbox) and
     * {@code gateways} gateways on {@code redisUrl}, with their homes and logs under
     * {@code workDir}; returns once all say they are up.
     *
     * @throws IOException when a jar is missing, a process does not start (the message
     *     holds its command and its log's last lines) or the controller saved no admin token
     *     (say, the store held one already); whatever was started is stopped first
     */
    static ClusterNodes start(Path ferryRoot, Path workDir, String redisUrl, int gateways, List<String> workerIds)
            throws IOException {
        return start(ferryRoot, workDir, redisUrl, gateways, workerIds, 1);
    }

    /**
     * As {@link #start(Path, Path, String, int, List)}, with {@code controllers} controllers: the
     * first is {@code controller}, the others {@code controller-2}, ... (standbys while the
     * first leads), each with an admin API of its own. Admin API calls go to the first until
     * {@link #killController} kills the one they go to.
     */
    static ClusterNodes start(
            Path ferryRoot, Path workDir, String redisUrl, int gateways, List<String> workerIds, int controllers)
            throws IOException {
        if (controllers < 1) {
            throw new IllegalArgumentException("controllers: " + controllers + " (expected: >= 1)");
        }
        if (workerIds.isEmpty() || new java.util.HashSet<>(workerIds).size() != workerIds.size()) {
            throw new IllegalArgumentException("workerIds: " + workerIds + " (expected: at least one, no repeats)");
        }
        ClusterNodes nodes = new ClusterNodes(FerryBuild.of(ferryRoot), workDir.toAbsolutePath(), redisUrl);
        try {
            int adminPort = Processes.freeLoopbackPort();
            nodes.controller = nodes.launch(
                    "controller",
                    List.of(
                            "controller",
                            "--redis",
                            redisUrl,
                            "--id",
                            "controller",
                            "--admin-port",
                            Integer.toString(adminPort)),
                    "admin API on");
            nodes.adminPort = adminPort;
            try {
                // The first controller's: a later one finds a token in the store and saves none.
                nodes.adminToken = BearerToken.read(nodes.work.resolve("controller-home"), nodes.adminUrl());
            } catch (IOException e) {
                throw new IOException(nodes.controller.describe("cannot call the admin API: " + e.getMessage()), e);
            }
            nodes.controllers.put("controller", new Controller("controller", adminPort, nodes.controller));
            nodes.roleStarts.put("controller", 1);
            for (int i = 2; i <= controllers; i++) {
                nodes.startController("controller-" + i, Processes.freeLoopbackPort());
            }
            for (String id : workerIds) {
                nodes.startWorker(id);
            }
            for (int i = 1; i <= gateways; i++) {
                String id = "gateway-" + i;
                int httpPort = Processes.freeLoopbackPort();
                int httpsPort = Processes.freeLoopbackPort();
                nodes.gateways.add(nodes.startGateway(id, httpPort, httpsPort));
            }
        } catch (IOException | RuntimeException e) {
            nodes.close();
            throw e;
        }
        return nodes;
    }

    /**
     * Starts worker {@code id}: its first start has the home {@code <id>-home} and the log
     * {@code <id>.log}, a later one (after {@link #killWorker}) {@code <id>-<n>-home} and
     * {@code <id>-<n>.log}, so each start begins with an empty home. Returns once it says it is up.
     *
     * @throws IllegalStateException when worker {@code id} is running
     */
    void startWorker(String id) throws IOException {
        Worker running = workers.get(id);
        if (running != null && running.process().isAlive()) {
            throw new IllegalStateException(
                    "worker " + id + " is running (pid " + running.process().pid() + ")");
        }
        int n = workerStarts.merge(id, 1, Integer::sum);
        Processes.Child child = launch(
                n == 1 ? id : id + "-" + n,
                List.of("worker", "--redis", redisUrl, "--id", id),
                "ferry worker " + id + ":");
        workers.put(id, new Worker(id, child));
    }

    private Gateway startGateway(String id, int httpPort, int httpsPort) throws IOException {
        int n = roleStarts.merge(id, 1, Integer::sum);
        Processes.Child gateway = launch(
                n == 1 ? id : id + "-start" + n,
                work.resolve(id + "-home"),
                List.of(
                        "gateway",
                        "--redis",
                        redisUrl,
                        "--id",
                        id,
                        "--http-port",
                        Integer.toString(httpPort),
                        "--https-port",
                        Integer.toString(httpsPort)),
                "ferry gateway " + id + ":");
        return new Gateway(id, httpPort, gateway);
    }

    /**
     * SIGKILL to gateway {@code id} (a crash; its clients' connections break). Blocks until it has exited.
     */
    void killGateway(String id) {
        gateway(id).process().kill();
    }

    /**
     * Starts gateway {@code id} again, on its ports and home, after {@link #killGateway}; returns once it says it
     * is up. Its log is {@code <id>-start<n>.log}.
     */
    void restartGateway(String id) throws IOException {
        Gateway old = gateway(id);
        if (old.process().isAlive()) {
            throw new IllegalStateException(
                    "gateway " + id + " is running (pid " + old.process().pid() + ")");
        }
        int httpsPort = Processes.freeLoopbackPort();
        Gateway restarted = startGateway(id, old.httpPort(), httpsPort);
        gateways.set(gateways.indexOf(old), restarted);
    }

    private Gateway gateway(String id) {
        return gateways.stream()
                .filter(g -> g.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("gateway: " + id + " (expected: one of "
                        + gateways.stream().map(Gateway::id).toList() + ")"));
    }

    private void startController(String id, int port) throws IOException {
        int n = roleStarts.merge(id, 1, Integer::sum);
        Processes.Child child = launch(
                n == 1 ? id : id + "-start" + n,
                work.resolve(id + "-home"),
                List.of("controller", "--redis", redisUrl, "--id", id, "--admin-port", Integer.toString(port)),
                "admin API on");
        controllers.put(id, new Controller(id, port, child));
    }

    /** The controllers by id, each with its latest process. */
    Map<String, Controller> controllers() {
        return Map.copyOf(controllers);
    }

    /**
     * SIGKILL to controller {@code id}; when admin API calls went to it, they go to a live one from now on. Blocks
     * until it has exited.
     */
    void killController(String id) {
        Controller killed = controller(id);
        killed.process().kill();
        if (killed.adminPort() == adminPort) {
            controllers.values().stream()
                    .filter(c -> c.process().isAlive())
                    .findFirst()
                    .ifPresent(c -> {
                        controller = c.process();
                        adminPort = c.adminPort();
                    });
        }
    }

    /**
     * Starts controller {@code id} again, on its admin port and home, after {@link #killController}; returns once
     * it says it is up. Admin API calls stay with the controller they go to.
     */
    void restartController(String id) throws IOException {
        Controller old = controller(id);
        if (old.process().isAlive()) {
            throw new IllegalStateException(
                    "controller " + id + " is running (pid " + old.process().pid() + ")");
        }
        startController(id, old.adminPort());
    }

    private Controller controller(String id) {
        Controller c = controllers.get(id);
        if (c == null) {
            throw new IllegalArgumentException(
                    "controller: " + id + " (expected: one of " + controllers.keySet() + ")");
        }
        return c;
    }

    /**
     * SIGKILL to worker {@code id}'s JVM alone, as a crash: its containers are left to notice
     * on their own (see {@code dev.ferry.worker.Worker}'s javadoc for each sandbox). Blocks
     * until the JVM has exited; what is left of its containers is still stopped by
     * {@link #close()}.
     *
     * @return the worker's descendants (its containers) just before the kill, orphans now
     */
    List<ProcessHandle> killWorker(String id) {
        Worker worker = workers.get(id);
        if (worker == null) {
            throw new IllegalArgumentException("worker: " + id + " (expected: one of " + workers.keySet() + ")");
        }
        return worker.process().kill();
    }

    private Processes.Child launch(String name, List<String> arguments, String ready) throws IOException {
        return launch(name, work.resolve(name + "-home"), arguments, ready);
    }

    private Processes.Child launch(String name, Path home, List<String> arguments, String ready) throws IOException {
        long start = System.nanoTime();
        Processes.Child child = build.launch(arguments, home, work.resolve(name + ".log"))
                .readyOnLine(ready)
                .start(START_TIMEOUT);
        started.add(child);
        System.err.printf("bench: cluster: %s up in %.1f s%n", name, (System.nanoTime() - start) / 1e9);
        return child;
    }

    List<Gateway> gateways() {
        return List.copyOf(gateways);
    }

    int adminPort() {
        return adminPort;
    }

    /** The admin API's base URL, as the controller names it in its credentials. */
    String adminUrl() {
        return FerryTarget.adminUrl(adminPort);
    }

    /** The admin token the controller made at its start: every admin API call sends it. */
    BearerToken adminToken() {
        return adminToken;
    }

    /** The workers by id, each with its latest process. */
    Map<String, Worker> workers() {
        return Map.copyOf(workers);
    }

    /**
     * What the admin API's {@code GET /v1/apps} says now: apps, their functions' containers
     * (id, state, worker) and the live workers; blocking.
     *
     * @throws IOException when the controller does not answer, or not with 200
     */
    com.fasterxml.jackson.databind.JsonNode view() throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl() + "/v1/apps");
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri).timeout(ADMIN_TIMEOUT).GET().build(), "GET /v1/apps");
        expect200(response, "GET " + uri);
        return VIEW_JSON.readTree(response.body());
    }

    /** Every process of the cluster now (roles and containers). */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        started.forEach(child -> all.addAll(child.processTree()));
        return all;
    }

    /** Deploys the example app through the admin API; blocking. */
    void deployExamples() throws IOException, InterruptedException {
        Path examplesJar = build.examplesJar();
        URI uri = URI.create(adminUrl() + "/v1/apps?file=" + examplesJar.getFileName());
        HttpResponse<String> response = send(
                HttpRequest.newBuilder(uri)
                        .timeout(ADMIN_TIMEOUT)
                        .header("Content-Type", "application/java-archive")
                        .POST(HttpRequest.BodyPublishers.ofFile(examplesJar))
                        .build(),
                "deploy " + examplesJar);
        expect200(response, "deploy " + examplesJar + " at " + uri);
    }

    /**
     * PUT /v1/routes/{@code host} with {@code function}: the admin API's answer (its status;
     * the caller decides what a non-200 means).
     */
    HttpResponse<String> route(String host, String function) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(routeUri(host))
                        .timeout(ADMIN_TIMEOUT)
                        .PUT(HttpRequest.BodyPublishers.ofString(function))
                        .build(),
                "route " + host);
    }

    private URI routeUri(String host) {
        return URI.create(adminUrl() + "/v1/routes/" + URLEncoder.encode(host, StandardCharsets.UTF_8));
    }

    /**
     * Makes a token with scope {@code call} named {@code name}, as {@code ferry token create
     * --scope call} does ({@code POST /v1/tokens}); blocking.
     *
     * @throws IOException when the controller does not answer, or not with 201
     */
    BearerToken.Issued createCallToken(String name) throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl() + "/v1/tokens");
        HttpResponse<String> response = send(
                HttpRequest.newBuilder(uri)
                        .timeout(ADMIN_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                VIEW_JSON.writeValueAsString(Map.of("name", name, "scopes", List.of("call")))))
                        .build(),
                "POST /v1/tokens");
        if (response.statusCode() != 201) {
            throw new IOException(controller.describe("refused POST " + uri + ": " + response.statusCode() + " "
                    + response.body().strip() + " (expected: 201)"));
        }
        return BearerToken.issued(response.body());
    }

    /**
     * DELETE /v1/tokens/{@code id}: the admin API's answer (its status; the caller decides what
     * a non-200 means).
     */
    HttpResponse<String> revokeToken(String id) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(adminUrl() + "/v1/tokens/" + id))
                        .timeout(ADMIN_TIMEOUT)
                        .DELETE()
                        .build(),
                "revoke token " + id);
    }

    /** Sends {@code request} to the admin API with the admin token. */
    private HttpResponse<String> send(HttpRequest request, String what) throws IOException, InterruptedException {
        controller.checkAlive();
        HttpRequest authorized = HttpRequest.newBuilder(request, (name, value) -> true)
                .header("Authorization", adminToken.bearer())
                .build();
        try {
            return admin.send(authorized, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException(controller.describe("did not answer " + what + " at " + request.uri() + ": " + e), e);
        }
    }

    void expect200(HttpResponse<String> response, String what) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException(controller.describe("refused " + what + ": " + response.statusCode() + " "
                    + response.body().strip() + " (expected: 200)"));
        }
    }

    /**
     * Stops the gateways, the workers (and their containers, orphans of a killed worker included), then the controller.
     *
     * @throws IllegalStateException when one could not be stopped; see {@link Processes#stopAll}
     */
    @Override
    public void close() {
        admin.close();
        List<Processes.Child> all = List.copyOf(started);
        started.clear();
        Processes.stopAll(all);
    }

    @Override
    public String toString() {
        return "cluster (admin 127.0.0.1:" + adminPort + ", gateways "
                + gateways.stream()
                        .map(g -> g.id() + " 127.0.0.1:" + g.httpPort())
                        .toList() + ")";
    }
}
