package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The soak bench's sampler: every {@code interval}, on a thread of its own, the resident set,
 * threads and open file descriptors of the gateway, the worker, the controller and every
 * container process, each row with its role. A container process is told by the port it
 * listens on, which the admin API ({@code GET /v1/apps}) gives with the container's id,
 * function, version and state; a process once matched stays its container's after the admin
 * API drops it (state {@value #UNLISTED}: stopped, still exiting), and a container JVM never
 * matched is a warm-pool member not yet assigned (role {@value #POOL}). Thread-safe; {@link #close()} stops it.
 */
final class SoakSampler implements AutoCloseable {

    static final String GATEWAY = "gateway";
    static final String WORKER = "worker";
    static final String CONTROLLER = "controller";
    static final String POOL = "pool";
    static final String CONTAINER_PREFIX = "container:";
    /** The state of a container process whose container the admin API has stopped listing. */
    static final String UNLISTED = "UNLISTED";

    /**
     * One process in one round, at {@code atNanos}: container, function (short name), version
     * and state are empty for the gateway, worker, controller and pool members; the heap kept at
     * the last collection is -1 where the JVM shares no counters ({@link HsPerfData}).
     */
    record Row(
            long atNanos,
            String role,
            long pid,
            String container,
            String function,
            String version,
            String state,
            long rssKib,
            int threads,
            int fds,
            long heapAfterGcKib) {}

    /** One round: when, and whether the admin API answered (containers are known only then). */
    record Round(long atNanos, boolean viewed) {}

    /** A container as the admin API lists it. */
    private record Listed(String id, String function, String version, String state, int port) {}

    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterNodes nodes;
    private final HttpClient admin = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(VIEW_TIMEOUT)
            .build();
    private final String gatewayId;
    private final String workerId;
    private final String controllerId;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("soak-sampler").unstarted(r));
    /** Each container process's latest listing: the sampler thread's alone. */
    private final java.util.Map<Long, Listed> matched = new java.util.HashMap<>();

    private final List<Row> rows = new ArrayList<>();
    private final List<Round> rounds = new ArrayList<>();
    private int viewFailures;
    private String lastViewFailure = "";

    private SoakSampler(ClusterNodes nodes, String gatewayId, String workerId, String controllerId) {
        this.nodes = nodes;
        this.gatewayId = gatewayId;
        this.workerId = workerId;
        this.controllerId = controllerId;
    }

    /** Starts sampling the cluster's first gateway, {@code workerId} and {@code controllerId} at once. */
    static SoakSampler start(ClusterNodes nodes, String workerId, String controllerId, Duration interval) {
        SoakSampler sampler = new SoakSampler(nodes, nodes.gateways().getFirst().id(), workerId, controllerId);
        sampler.thread.scheduleAtFixedRate(sampler::sampleSafely, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return sampler;
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // one bad round must not cancel the schedule (an exception would)
            failed("round: " + e);
        }
    }

    private void sample() throws InterruptedException {
        List<Listed> listed = null;
        try {
            listed = listed(view());
        } catch (IOException e) {
            failed("GET /v1/apps: " + e.getMessage().lines().findFirst().orElse(""));
        }
        long at = System.nanoTime();
        List<Row> round = new ArrayList<>();
        long gatewayPid = nodes.gateways().stream()
                .filter(g -> g.id().equals(gatewayId))
                .findFirst()
                .orElseThrow()
                .process()
                .pid();
        Processes.Child worker = nodes.workers().get(workerId).process();
        role(round, at, GATEWAY, gatewayPid);
        role(round, at, WORKER, worker.pid());
        role(
                round,
                at,
                CONTROLLER,
                nodes.controllers().get(controllerId).process().pid());
        if (listed != null) {
            containers(round, at, worker, listed);
        }
        synchronized (this) {
            rows.addAll(round);
            rounds.add(new Round(at, listed != null));
        }
    }

    private static void role(List<Row> round, long at, String role, long pid) {
        ProcessUsage.of(pid, false)
                .ifPresent(u ->
                        round.add(new Row(at, role, pid, "", "", "", "", u.rssKib(), u.threads(), u.fds(), heap(pid))));
    }

    /** The worker's container JVMs, each matched to the listed container whose port it listens on. */
    private void containers(List<Row> round, long at, Processes.Child worker, List<Listed> listed) {
        List<Set<String>> sockets = new ArrayList<>();
        for (Listed c : listed) {
            try {
                sockets.add(ContainerProcesses.listeningSockets(Set.of(c.port())));
            } catch (IOException e) {
                sockets.add(Set.of());
            }
        }
        Set<Long> seen = new HashSet<>();
        for (ProcessHandle p : worker.processTree()) {
            if (p.pid() == worker.pid()
                    || !seen.add(p.pid())
                    || !ContainerProcesses.commandLine(p.pid()).contains(ContainerProcesses.CONTAINER_MAIN)) {
                continue;
            }
            Optional<ProcessUsage> usage = ProcessUsage.of(p.pid(), true);
            if (usage.isEmpty()) {
                continue;
            }
            ProcessUsage u = usage.get();
            Listed match = null;
            for (int i = 0; i < listed.size() && match == null; i++) {
                if (sockets.get(i).stream().anyMatch(u.fdTargets()::contains)) {
                    match = listed.get(i);
                }
            }
            String state;
            if (match != null) {
                matched.put(u.pid(), match);
                state = match.state();
            } else {
                // A container the admin API no longer lists (stopped, its process still exiting)
                // stays its function's and version's: else its memory would move to the pool.
                match = matched.get(u.pid());
                state = UNLISTED;
            }
            round.add(
                    match == null
                            ? new Row(
                                    at, POOL, u.pid(), "", "", "", "", u.rssKib(), u.threads(), u.fds(), heap(u.pid()))
                            : new Row(
                                    at,
                                    CONTAINER_PREFIX + match.function(),
                                    u.pid(),
                                    match.id(),
                                    match.function(),
                                    match.version(),
                                    state,
                                    u.rssKib(),
                                    u.threads(),
                                    u.fds(),
                                    heap(u.pid())));
        }
    }

    /**
     * The admin API's {@code GET /v1/apps}, with a timeout of its own far shorter than
     * {@link ClusterNodes#view}'s: a slow answer must cost one round its containers, not stall
     * the sampling of the roles.
     */
    private JsonNode view() throws IOException, InterruptedException {
        HttpResponse<String> response = admin.send(
                nodes.adminToken()
                        .authorize(HttpRequest.newBuilder(URI.create(nodes.adminUrl() + "/v1/apps")))
                        .timeout(VIEW_TIMEOUT)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(response.statusCode() + " (expected: 200)");
        }
        return JSON.readTree(response.body());
    }

    private static long heap(long pid) {
        return HsPerfData.heapAfterGcKib(pid).orElse(-1L);
    }

    private static List<Listed> listed(JsonNode view) {
        List<Listed> listed = new ArrayList<>();
        for (JsonNode app : view.path("apps")) {
            for (JsonNode f : app.path("functions")) {
                for (JsonNode c : f.path("containers")) {
                    String address = c.path("address").asText();
                    int colon = address.lastIndexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    try {
                        listed.add(new Listed(
                                c.path("id").asText(),
                                f.path("name").asText(),
                                c.path("version").asText(),
                                c.path("state").asText(),
                                Integer.parseInt(address.substring(colon + 1))));
                    } catch (NumberFormatException e) {
                        // unplaced: no port yet
                    }
                }
            }
        }
        return listed;
    }

    private synchronized void failed(String what) {
        viewFailures++;
        lastViewFailure = what;
    }

    /** Every row so far, oldest first. */
    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Every round so far, oldest first. */
    synchronized List<Round> rounds() {
        return List.copyOf(rounds);
    }

    /** Rounds whose admin API call (or whole round) failed, and the last failure's description. */
    synchronized String failures() {
        return viewFailures + (viewFailures == 0 ? "" : " (last: " + lastViewFailure + ")");
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        admin.close();
    }
}
