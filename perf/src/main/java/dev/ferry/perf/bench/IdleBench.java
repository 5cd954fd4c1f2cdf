package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench idle}: one gateway (its own process, in a cluster on a redis-server of the
 * bench's own) holds many idle keep-alive HTTP/1.1 connections, then many idle WebSockets
 * besides, while new requests keep coming at a modest open-loop rate. The report gives the
 * gateway's memory (RSS, and live heap after a full GC) before, with the keep-alives and with
 * the WebSockets added, hence bytes per connection; the WebSockets' container's memory,
 * threads and descriptors per WebSocket; the new requests' latency before and while holding;
 * and whether the held connections still answer at the end.
 *
 * <p>The counts asked for may not fit: a process may hold as many sockets as its open-file
 * limit allows (on some machines 20,000, and not to be raised). The bench reads the gateway's
 * and its own limit and, where the counts do not fit, holds fewer in the same proportion, and
 * says so. Memory per connection is a difference divided by the count held, so it stands.
 *
 * <p>The gateway closes a keep-alive connection idle for 75 s. Each keep-alive makes one
 * request when it opens; the hold is kept shorter than that (the report gives how long the
 * first keep-alive had been idle when they were checked).
 */
@Command(
        name = "idle",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Holds many idle keep-alive connections and WebSockets through one gateway while new requests"
                + " go on, and reports the gateway's memory per connection and per WebSocket, the container's cost"
                + " per WebSocket, and the new requests' latency before and while holding.")
public final class IdleBench implements Callable<Integer> {

    /**
     * Descriptors left free in each process for what it opens besides the held sockets: its jars
     * and logs, Redis, the connections to containers, the new requests and the checks.
     */
    static final int FD_MARGIN = 1500;

    /** The gateway's idle timeout for keep-alive connections (Http1Timeouts' default). */
    static final Duration KEEP_ALIVE_IDLE_TIMEOUT = Duration.ofSeconds(75);

    /** The admin API's {@code POST /v1/scale/APP/FUNCTION} (the controller's AdminApi.SCALE_PATH). */
    private static final String SCALE_PATH = "/v1/scale/";

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONTAINER_WAIT = Duration.ofSeconds(90);
    private static final Duration CHECK_LIMIT = Duration.ofSeconds(20);

    @Option(
            names = "--quick",
            description = "A short run (under a minute on 2 cores): 2,000 keep-alives, 500 WebSockets, short probes.")
    boolean quick;

    @Option(
            names = "--keep-alives",
            paramLabel = "N",
            description = "Idle keep-alive HTTP/1.1 connections to hold (default: 50000; quick: 2000).")
    Integer keepAlives;

    @Option(
            names = "--websockets",
            paramLabel = "N",
            description = "Idle WebSockets to hold besides (default: 20000; quick: 500).")
    Integer webSockets;

    @Option(
            names = "--sources",
            paramLabel = "N",
            description = "Loopback source addresses the connections come from, 127.0.0.2 onwards; each has about"
                    + " 28,000 ephemeral ports (default: 4).")
    Integer sources;

    @Option(
            names = "--rate",
            paramLabel = "PER_SECOND",
            description = "New requests per second (hello, open loop) before and while holding (default: 50;"
                    + " quick: 20).")
    Double rate;

    @Option(
            names = "--probe",
            paramLabel = "SECONDS",
            description = "How long each run of new requests lasts (default: 10; quick: 2).")
    Double probe;

    @Option(
            names = "--sample",
            paramLabel = "N",
            description = "Held keep-alives and WebSockets checked at the end, each (default: 500; quick: 100).")
    Integer sample;

    @Option(names = "--concurrency", paramLabel = "N", description = "Connections being opened at once (default: 200).")
    Integer concurrency;

    @Option(
            names = "--open-limit",
            paramLabel = "SECONDS",
            description = "The longest each of the two opening phases may take (default: 60; quick: 20).")
    Double openLimit;

    @Option(names = "--threads", paramLabel = "N", description = "Client event loops (default: 2).")
    Integer threads;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the report (default: perf/results/<timestamp>-idle).")
    Path out;

    /** What to run, after defaults and checks. */
    record Plan(
            int keepAlives,
            int webSockets,
            int sources,
            double rate,
            Duration probe,
            int sample,
            int concurrency,
            Duration openLimit,
            int threads) {

        Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("keep_alives_asked", keepAlives);
            s.put("websockets_asked", webSockets);
            s.put("source_addresses", sources);
            s.put("new_requests_per_s", rate);
            s.put("probe_s", probe.toMillis() / 1000.0);
            s.put("sample", sample);
            s.put("open_concurrency", concurrency);
            s.put("open_limit_s", openLimit.toMillis() / 1000.0);
            s.put("client_event_loops", threads);
            return s;
        }
    }

    Plan plan() {
        int s = OptionChecks.positive(this, "--sources", sources, 4);
        if (s > 250) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--sources: " + s + " (expected: 1..250, 127.0.0.2 to 127.0.0.251)");
        }
        return new Plan(
                OptionChecks.positive(this, "--keep-alives", keepAlives, quick ? 2000 : 50_000),
                OptionChecks.positive(this, "--websockets", webSockets, quick ? 500 : 20_000),
                s,
                OptionChecks.seconds(this, "--rate", rate, quick ? 20 : 50).toMillis() / 1000.0,
                OptionChecks.seconds(this, "--probe", probe, quick ? 2 : 10),
                OptionChecks.positive(this, "--sample", sample, quick ? 100 : 500),
                OptionChecks.positive(this, "--concurrency", concurrency, 200),
                OptionChecks.seconds(this, "--open-limit", openLimit, quick ? 20 : 60),
                OptionChecks.positive(this, "--threads", threads, 2));
    }

    /**
     * The counts held: those asked for, or, when the gateway or the bench cannot hold that
     * many sockets, as many as fit in the same proportion.
     *
     * @param room the sockets both processes can still open, less {@link #FD_MARGIN}
     */
    record Counts(int keepAlives, int webSockets, String why) {
        static Counts fitting(int keepAlives, int webSockets, long room, String limits) {
            long asked = (long) keepAlives + webSockets;
            if (asked <= room) {
                return new Counts(keepAlives, webSockets, null);
            }
            double share = Math.max(0, room) / (double) asked;
            return new Counts(
                    (int) Math.floor(keepAlives * share),
                    (int) Math.floor(webSockets * share),
                    "scaled down to " + String.format(Locale.ROOT, "%.1f", share * 100) + "% of what was asked: "
                            + asked + " sockets do not fit in " + room + " (" + limits + ")");
        }
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        try {
            RedisProcess.executable();
        } catch (IOException e) {
            System.err.println("ferry bench idle: " + e.getMessage());
            return 1;
        }
        Path root = BenchMain.root();
        Path dir = BenchMain.resultsDir(out, "idle");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        long began = System.nanoTime();
        String loadBefore = ClusterBench.loadAverage();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Machine.describe());
        json.put("settings", plan.settings());
        json.put("load_average_before", loadBefore);
        EventLoopGroup group = ClientTransport.group(plan.threads());
        try (RedisProcess redis = RedisProcess.start(dir.resolve("redis"), logs.resolve("redis.log"))) {
            System.err.println("bench: " + redis);
            System.err.println("bench: starting the cluster: 1 controller, 1 worker, 1 gateway");
            try (ClusterNodes nodes = ClusterNodes.start(root, logs, redis.url(), 1)) {
                run(plan, nodes, group, dir, json);
                System.err.println("bench: stopping the cluster");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        json.put("load_average_after", ClusterBench.loadAverage());
        json.put("run_seconds", round1((System.nanoTime() - began) / 1e9));
        String markdown = IdleReport.summary(json);
        Files.writeString(dir.resolve("summary.md"), markdown);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("idle.json").toFile(), json);
        System.out.println(markdown);
        System.out.println("summary: " + dir.resolve("summary.md"));
        System.out.println("json:    " + dir.resolve("idle.json"));
        return 0;
    }

    private static void run(Plan plan, ClusterNodes nodes, EventLoopGroup group, Path dir, Map<String, Object> json)
            throws Exception {
        ClusterNodes.Gateway gateway = nodes.gateways().getFirst();
        long gatewayPid = gateway.process().pid();
        long t = System.nanoTime();
        nodes.deployExamples();
        deploy(nodes, IdleJar.write(dir.resolve("idle.jar")));
        // One container takes every WebSocket, started before they come: its cost per socket is then its growth.
        scale(nodes, "{\"minContainers\":1,\"maxContainers\":1}");
        long containerPid = awaitContainer(nodes);
        System.err.printf(
                Locale.ROOT,
                "bench: apps deployed, %s's container up (pid %d) in %.1f s%n",
                IdleJar.host(),
                containerPid,
                (System.nanoTime() - t) / 1e9);

        long self = ProcessHandle.current().pid();
        ProcessFigures gatewayStart = ProcessFigures.of(gatewayPid, false);
        ProcessFigures selfStart = ProcessFigures.of(self, false);
        long gatewayRoom = gatewayStart.fdLimit() - gatewayStart.fds() - FD_MARGIN;
        long clientRoom = selfStart.fdLimit() - selfStart.fds() - FD_MARGIN;
        String limits = "the gateway's open-file limit " + limitText(gatewayStart.fdLimit()) + " with "
                + gatewayStart.fds() + " open, the bench's " + limitText(selfStart.fdLimit()) + " with "
                + selfStart.fds() + " open, " + FD_MARGIN + " kept free in each";
        Counts counts = Counts.fitting(plan.keepAlives(), plan.webSockets(), Math.min(gatewayRoom, clientRoom), limits);
        Map<String, Object> held = new LinkedHashMap<>();
        held.put("keep_alives_asked", plan.keepAlives());
        held.put("websockets_asked", plan.webSockets());
        held.put("keep_alives_to_hold", counts.keepAlives());
        held.put("websockets_to_hold", counts.webSockets());
        held.put("limits", limits);
        held.put("scaled_down", counts.why());
        json.put("counts", held);
        if (counts.why() != null) {
            System.err.println("bench: NOTE: holding " + counts.keepAlives() + " keep-alives and "
                    + counts.webSockets() + " WebSockets, not " + plan.keepAlives() + " and " + plan.webSockets()
                    + ": " + counts.why());
        }

        List<String> sourceAddresses = new ArrayList<>();
        for (int i = 0; i < plan.sources(); i++) {
            sourceAddresses.add("127.0.0." + (2 + i));
        }
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(e -> loops.add((EventLoop) e));
        String helloHost = FerryTarget.APP + "--hello.localhost";
        Target.Route hello = new Target.Route(helloHost + ":" + gateway.httpPort(), "/");

        Map<String, Object> gatewayFigures = new LinkedHashMap<>();
        Map<String, Object> newRequests = new LinkedHashMap<>();
        awaitHello(gateway.httpPort(), helloHost);
        // Unreported: the gateway's and hello's first calls run cold code, which is not what holding costs.
        System.err.println("bench: warming up the new requests' path");
        newRequests.put("warm_up_unreported", probe(plan, loops, gateway.httpPort(), hello));
        System.err.println("bench: new requests before holding anything");
        newRequests.put("before", probe(plan, loops, gateway.httpPort(), hello));
        ProcessFigures base = ProcessFigures.of(gatewayPid, true);
        gatewayFigures.put("before", base.json());

        try (IdleConnections idle = new IdleConnections(group, gateway.httpPort(), sourceAddresses)) {
            // The WebSockets first: they have no idle timeout, and the keep-alives, opened last,
            // are then checked well within theirs.
            ProcessFigures containerBefore = ProcessFigures.of(containerPid, true);
            System.err.printf("bench: opening %d WebSockets%n", counts.webSockets());
            IdleConnections.Opened ws =
                    idle.openWebSockets(counts.webSockets(), IdleJar.host(), plan.concurrency(), plan.openLimit());
            System.err.printf(Locale.ROOT, "bench: %d WebSockets held in %.1f s%n", ws.held(), ws.seconds());
            ProcessFigures withWebSockets = ProcessFigures.of(gatewayPid, true);
            gatewayFigures.put("with_websockets", withWebSockets.json());
            ProcessFigures containerAfter = ProcessFigures.of(containerPid, true);

            Duration keepAliveLimit = keepAliveOpenLimit(plan);
            System.err.printf(
                    "bench: opening %d keep-alive connections (at most %d s: the gateway closes one idle for %d s)%n",
                    counts.keepAlives(), keepAliveLimit.toSeconds(), KEEP_ALIVE_IDLE_TIMEOUT.toSeconds());
            long keepAlivesStart = System.nanoTime();
            IdleConnections.Opened ka =
                    idle.openKeepAlives(counts.keepAlives(), helloHost, plan.concurrency(), keepAliveLimit);
            System.err.printf(Locale.ROOT, "bench: %d keep-alives held in %.1f s%n", ka.held(), ka.seconds());
            ProcessFigures withKeepAlives = ProcessFigures.of(gatewayPid, true);
            gatewayFigures.put("with_keep_alives_added", withKeepAlives.json());

            System.err.println("bench: new requests while holding them");
            newRequests.put("while_holding", probe(plan, loops, gateway.httpPort(), hello));

            Map<String, Object> end = new LinkedHashMap<>();
            end.put("keep_alives_open", idle.openKeepAlives());
            end.put("websockets_open", idle.openWebSockets());
            end.put("longest_keep_alive_idle_s", round1((System.nanoTime() - keepAlivesStart) / 1e9));
            end.put("keep_alive_check", checked(idle.checkKeepAlives(plan.sample(), CHECK_LIMIT)));
            end.put("websocket_check", checked(idle.checkWebSockets(plan.sample(), CHECK_LIMIT)));

            held.put("websockets", opened(ws));
            held.put("keep_alives", opened(ka));
            held.put("keep_alive_open_limit_s", keepAliveLimit.toSeconds());
            json.put("gateway", gatewayFigures);
            json.put("per_connection", perConnection(base, withWebSockets, withKeepAlives, ws.held(), ka.held()));
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("before", containerBefore.json());
            container.put("with_websockets", containerAfter.json());
            container.put("per_websocket", perWebSocket(containerBefore, containerAfter, ws.held()));
            json.put("container", container);
            json.put("new_requests", newRequests);
            json.put("at_the_end", end);
        }
        // Every socket closed: the gateway should give back its descriptors (a leak would keep them).
        Map<String, Object> after = awaitClosed(gatewayPid, gateway.httpPort()).json();
        after.put("client_connections_left_by_state", ServerConnections.byState(gateway.httpPort()));
        after.put("containers_running", containers(nodes));
        json.put("gateway_after_closing", after);
    }

    /** How many containers the admin API lists, of every function: the gateway holds connections to each. */
    private static int containers(ClusterNodes nodes) throws IOException, InterruptedException {
        int n = 0;
        for (JsonNode app : nodes.view().path("apps")) {
            for (JsonNode f : app.path("functions")) {
                n += f.path("containers").size();
            }
        }
        return n;
    }

    private static Map<String, Object> probe(Plan plan, List<EventLoop> loops, int port, Target.Route route)
            throws Exception {
        List<LoadClient> clients = new ArrayList<>();
        try {
            for (EventLoop loop : loops) {
                clients.add(new Http1LoadClient(loop, port, route, 4));
            }
            LoadDriver.Result r = LoadDriver.openLoop(clients, loops, plan.rate(), plan.probe());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rate_per_s", plan.rate());
            m.put("seconds", plan.probe().toMillis() / 1000.0);
            m.put("answered", r.latencies().count());
            m.put("errors", r.latencies().errors());
            m.put("p50_ms", r.latencies().percentileMicros(50) / 1000.0);
            m.put("p99_ms", r.latencies().percentileMicros(99) / 1000.0);
            m.put("max_ms", r.latencies().maxMicros() / 1000.0);
            return m;
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    /** The gateway's growth per held socket: the WebSockets' from {@code base}, the keep-alives' after them. */
    static Map<String, Object> perConnection(
            ProcessFigures base, ProcessFigures ws, ProcessFigures ka, int webSockets, int keepAlives) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rss_bytes_per_keep_alive", perItem(ws.rssKib(), ka.rssKib(), keepAlives));
        m.put("heap_bytes_per_keep_alive", perItem(ws.heapUsedKib(), ka.heapUsedKib(), keepAlives));
        m.put("rss_bytes_per_websocket", perItem(base.rssKib(), ws.rssKib(), webSockets));
        m.put("heap_bytes_per_websocket", perItem(base.heapUsedKib(), ws.heapUsedKib(), webSockets));
        m.put("fds_per_keep_alive", ratio(ka.fds() - ws.fds(), keepAlives));
        m.put("fds_per_websocket", ratio(ws.fds() - base.fds(), webSockets));
        m.put("threads_added", ka.threads() < 0 || base.threads() < 0 ? null : ka.threads() - base.threads());
        return m;
    }

    /**
     * How long the keep-alives may take to open: the first must still be within the gateway's
     * idle timeout when they are checked, after the heap measurement, the new requests and the
     * WebSockets' check (20 s for those besides the new requests).
     */
    static Duration keepAliveOpenLimit(Plan plan) {
        Duration left = KEEP_ALIVE_IDLE_TIMEOUT.minus(plan.probe()).minusSeconds(20);
        Duration floor = Duration.ofSeconds(5);
        Duration limit = left.compareTo(floor) < 0 ? floor : left;
        return plan.openLimit().compareTo(limit) < 0 ? plan.openLimit() : limit;
    }

    /** Waits (up to 90 s) for hello's first 200 through the gateway: its container's cold start is not a new request's latency. */
    private static void awaitHello(int port, String host) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CONTAINER_WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            // A raw request: Java's HttpClient will not send a Host of our choosing.
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream()
                        .write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer =
                        new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (answer.startsWith("HTTP/1.1 200")) {
                    return;
                }
                last = answer.lines().findFirst().orElse("(nothing)");
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200); // after a refusal, before asking again
        }
        throw new IOException("no 200 from " + host + " within " + CONTAINER_WAIT.toSeconds() + " s; last: " + last);
    }

    static Map<String, Object> perWebSocket(ProcessFigures before, ProcessFigures after, int webSockets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rss_bytes", perItem(before.rssKib(), after.rssKib(), webSockets));
        m.put("heap_bytes", perItem(before.heapUsedKib(), after.heapUsedKib(), webSockets));
        m.put("threads", ratio(after.threads() - before.threads(), webSockets));
        m.put("fds", ratio(after.fds() - before.fds(), webSockets));
        return m;
    }

    /** Bytes per item of the growth from {@code fromKib} to {@code toKib}; null when unknown or no items. */
    static Long perItem(long fromKib, long toKib, int items) {
        if (fromKib < 0 || toKib < 0 || items <= 0) {
            return null;
        }
        return Math.round((toKib - fromKib) * 1024.0 / items);
    }

    private static Double ratio(long delta, int items) {
        return items <= 0 ? null : Math.round(delta * 1000.0 / items) / 1000.0;
    }

    private static Map<String, Object> opened(IdleConnections.Opened o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("asked", o.asked());
        m.put("held", o.held());
        m.put("open_seconds", round1(o.seconds()));
        m.put("failures", o.failures());
        return m;
    }

    private static Map<String, Object> checked(IdleConnections.Checked c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checked", c.checked());
        m.put("ok", c.ok());
        m.put("failures", c.failures());
        return m;
    }

    /**
     * The gateway's figures once no client connection to {@code port} is left on its side
     * (TIME_WAIT aside: those hold no descriptor), or after 30 s: a connection it failed to
     * close would stay, as a descriptor and a CLOSE_WAIT.
     */
    private static ProcessFigures awaitClosed(long pid, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && ServerConnections.open(port) > 0) {
            Thread.sleep(200); // polling /proc: nothing to wait on
        }
        return ProcessFigures.of(pid, false);
    }

    private static String limitText(long limit) {
        return limit == Long.MAX_VALUE ? "unlimited" : Long.toString(limit);
    }

    private static void deploy(ClusterNodes nodes, Path jar) throws IOException, InterruptedException {
        URI uri = URI.create(nodes.adminUrl() + "/v1/apps?file=" + jar.getFileName());
        HttpResponse<String> r = admin(
                nodes,
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/java-archive")
                        .POST(HttpRequest.BodyPublishers.ofFile(jar)));
        nodes.expect200(r, "deploy " + jar + " at " + uri);
    }

    private static void scale(ClusterNodes nodes, String body) throws IOException, InterruptedException {
        URI uri = URI.create(nodes.adminUrl() + SCALE_PATH + IdleJar.APP + "/" + IdleJar.FUNCTION);
        HttpResponse<String> r = admin(
                nodes,
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)));
        nodes.expect200(r, "scale " + body + " at " + uri);
    }

    private static HttpResponse<String> admin(ClusterNodes nodes, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            return client.send(
                    request.timeout(ADMIN_TIMEOUT)
                            .header("Authorization", nodes.adminToken().bearer())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The pid of the WebSocket function's READY container, once there is one listening on its port. */
    private static long awaitContainer(ClusterNodes nodes) throws Exception {
        long deadline = System.nanoTime() + CONTAINER_WAIT.toNanos();
        String id = IdleJar.APP + "--" + IdleJar.FUNCTION;
        List<String> seen = List.of();
        while (System.nanoTime() < deadline) {
            List<String> states = new ArrayList<>();
            for (JsonNode app : nodes.view().path("apps")) {
                for (JsonNode f : app.path("functions")) {
                    if (!f.path("id").asText().equals(id)) {
                        continue;
                    }
                    for (JsonNode c : f.path("containers")) {
                        states.add(c.path("id").asText() + " " + c.path("state").asText());
                        String address = c.path("address").asText();
                        if (c.path("state").asText().equals("READY") && address.contains(":")) {
                            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                            Optional<Long> pid = ContainerProcesses.listeningOn(nodes.processes(), port);
                            if (pid.isPresent()) {
                                return pid.get();
                            }
                        }
                    }
                }
            }
            seen = states;
            Thread.sleep(200); // polling the admin API: nothing to wait on
        }
        throw new IOException("no READY container of " + id + " with a process listening on its port within "
                + CONTAINER_WAIT.toSeconds() + " s; its containers: " + seen);
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
