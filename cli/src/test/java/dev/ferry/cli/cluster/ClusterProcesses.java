package dev.ferry.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.RedisServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Ferry cluster as separate processes: one real {@code redis-server} ({@link RedisServer})
 * and gateways, controllers and workers, each a child JVM running {@code dev.ferry.cli.Main}
 * with its own home, launched and driven as a user would: through their command lines,
 * their output, their admin API and HTTP. {@link #close()} stops every process it started,
 * containers (the worker's children) included, and deletes the homes.
 */
final class ClusterProcesses implements AutoCloseable {

    /** How long a role process may take to announce itself. */
    static final Duration ANNOUNCE = Duration.ofSeconds(60);

    /**
     * The class path of every child JVM: the test class path without this module's test
     * classes, so functions come from their app jars only (a worker's containers run on its
     * class path).
     */
    static final String CLASSPATH = TestJars.runtimeClasspath(ClusterProcesses.class);

    private static final Pattern GATEWAY = Pattern.compile(
            "^ferry gateway (\\S+): http://127\\.0\\.0\\.1:(\\d+) and https://127\\.0\\.0\\.1:(\\d+), state in (.+)$");
    private static final Pattern CONTROLLER =
            Pattern.compile("^ferry controller (\\S+): admin API on (https?://127\\.0\\.0\\.1:(\\d+)), state in (.+)$");
    private static final Pattern WORKER = Pattern.compile("^ferry worker (\\S+): state in (.+)$");

    static final ObjectMapper JSON = new ObjectMapper();

    /** A gateway: its process and ports. */
    record Gateway(String id, RoleProcess process, int httpPort, int httpsPort) {}

    /** A controller: its process and admin API. */
    record Controller(String id, RoleProcess process, String adminUrl, Path home) {
        /** Whether it has said it leads (its latest leader/standby line, logged at INFO, says leader). */
        boolean saysLeader() {
            String last = null;
            for (String line : process.err) {
                Optional<LogLine> logged = LogLine.parse(line);
                if (logged.isPresent()
                        && logged.get().level().equals("INFO")
                        && logged.get().role().equals("controller")
                        && logged.get().message().startsWith("controller " + id + " is ")) {
                    last = logged.get().message();
                }
            }
            return last != null && last.endsWith(" is the leader");
        }
    }

    /** A worker: its process and home. */
    record Worker(String id, RoleProcess process, Path home) {}

    /** A finished {@code ferry} client command. */
    record Run(List<String> args, int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "ferry " + String.join(" ", args) + " → exit " + exitCode + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    final RedisServer redis;
    final Path root;
    private final List<RoleProcess> processes = new CopyOnWriteArrayList<>();
    private final Map<String, Path> homes = new ConcurrentHashMap<>();
    private final HttpClient admin = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final Thread sampler;
    private volatile boolean closed;
    /** Problems found while closing: processes that did not stop, containers left behind. */
    final List<String> leftovers = new CopyOnWriteArrayList<>();

    private ClusterProcesses(RedisServer redis, Path root) {
        this.redis = redis;
        this.root = root;
        this.sampler = Thread.ofPlatform().daemon().name("descendant-sampler").start(() -> {
            while (!closed) {
                processes.forEach(RoleProcess::sampleDescendants);
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        });
    }

    /** Starts Redis; role processes come with {@link #startGateway} etc. */
    static ClusterProcesses start() throws IOException {
        Path root = Files.createTempDirectory("ferry-cluster-");
        RedisServer redis = RedisServer.start();
        System.out.println("[cluster] " + redis + ", homes under " + root);
        return new ClusterProcesses(redis, root);
    }

    // ---- role processes ----

    /** The home of process {@code id}: each process has its own. */
    Path home(String id) {
        return homes.computeIfAbsent(id, i -> {
            try {
                return Files.createDirectories(root.resolve(i));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Launches {@code ferry ARGS} as a long-running child JVM; returns at once. */
    RoleProcess launch(String name, String... args) throws IOException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-cp",
                CLASSPATH,
                "-Dio.netty.leakDetection.level=PARANOID",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "dev.ferry.cli.Main"));
        command.addAll(List.of(args));
        RoleProcess process = RoleProcess.start(name, command, root.resolve("logs"));
        processes.add(process);
        return process;
    }

    RoleProcess launchGateway(String id, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "gateway",
                "--redis",
                redis.uri(),
                "--http-port",
                "0",
                "--https-port",
                "0",
                "--id",
                id,
                "--home",
                home(id).toString()));
        args.addAll(List.of(more));
        return launch(id, args.toArray(String[]::new));
    }

    RoleProcess launchController(String id) throws IOException {
        return launchController(id, id);
    }

    /** Launches controller {@code id} as process {@code name} (a restarted controller keeps its id). */
    RoleProcess launchController(String id, String name) throws IOException {
        return launch(
                name,
                "controller",
                "--redis",
                redis.uri(),
                "--admin-port",
                "0",
                "--id",
                id,
                "--home",
                home(id).toString());
    }

    RoleProcess launchWorker(String id, String... more) throws IOException {
        List<String> args =
                new ArrayList<>(List.of("worker", "--redis", redis.uri(), "--id", id, "--home", home(id).toString()));
        if (!List.of(more).contains("--warm-pool")) {
            // These tests are about placement and healing between workers: every start a fresh
            // JVM, as they were written for, and no warm-ups taking the CI machine's cores.
            args.addAll(List.of("--warm-pool", "0"));
        }
        args.addAll(List.of(more));
        return launch(id, args.toArray(String[]::new));
    }

    /** Waits for a launched gateway to announce its ports. */
    Gateway gateway(RoleProcess process) {
        Matcher m = process.awaitOut(GATEWAY, ANNOUNCE);
        return new Gateway(m.group(1), process, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** Waits for a launched controller to announce its admin API. */
    Controller controller(RoleProcess process) {
        Matcher m = process.awaitOut(CONTROLLER, ANNOUNCE);
        return new Controller(m.group(1), process, m.group(2), home(m.group(1)));
    }

    /** Waits for a launched worker to announce itself. */
    Worker worker(RoleProcess process) {
        Matcher m = process.awaitOut(WORKER, ANNOUNCE);
        return new Worker(m.group(1), process, home(m.group(1)));
    }

    Gateway startGateway(String id) throws IOException {
        return gateway(launchGateway(id));
    }

    Controller startController(String id) throws IOException {
        return controller(launchController(id));
    }

    /** Waits until {@code controller} says it is the leader. */
    void awaitLeader(Controller controller, Duration timeout) {
        await(controller.id() + " to say it is the leader", timeout, controller::saysLeader);
    }

    // ---- client commands ----

    /** Runs {@code ferry ARGS} (deploy, ls, route...) in a child JVM to its end; at most 60 s. */
    Run ferry(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-cp",
                CLASSPATH,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "dev.ferry.cli.Main"));
        command.addAll(List.of(args));
        // Output to files, not pipes: the JDK may drop what a child prints just before it exits.
        Path logs = Files.createDirectories(root.resolve("logs"));
        Path outFile = Files.createTempFile(logs, "ferry-" + args[0] + "-", ".out");
        Path errFile = Files.createTempFile(logs, "ferry-" + args[0] + "-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(outFile.toFile())
                .redirectError(errFile.toFile());
        // As an operator would: the token the cluster's first controller saved, in the environment.
        adminToken().ifPresent(token -> builder.environment().put("FERRY_TOKEN", token));
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("ferry " + String.join(" ", args) + " did not finish within 60 s; stdout: "
                        + Files.readString(outFile) + "stderr: " + Files.readString(errFile));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Run run = new Run(List.of(args), process.exitValue(), Files.readString(outFile), Files.readString(errFile));
        System.out.println("[cluster] " + run.toString().strip().replace("\n", "\n[cluster]   "));
        return run;
    }

    /**
     * The cluster's admin token: the one the first controller made and saved in its home's
     * credentials (a later controller finds one in the store and makes none); empty before any
     * controller started.
     */
    Optional<String> adminToken() throws IOException {
        for (Path home : homes.values()) {
            Path credentials = home.resolve("credentials");
            if (Files.isRegularFile(credentials)) {
                for (String line : Files.readAllLines(credentials)) {
                    String[] parts = line.strip().split("\\s+");
                    if (parts.length == 2 && !line.startsWith("#")) {
                        return Optional.of(parts[1]);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** {@code GET adminUrl/v1/apps}: the JSON that {@code ferry ls --json} prints, read directly (fast enough to poll). */
    JsonNode apps(String adminUrl) throws IOException {
        try {
            HttpResponse<String> response = admin.send(
                    HttpRequest.newBuilder(URI.create(adminUrl + "/v1/apps"))
                            .header("Authorization", "Bearer " + adminToken().orElse(""))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(
                        "GET " + adminUrl + "/v1/apps answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A container as the admin API lists it. */
    record ContainerView(String id, String function, String version, String state) {}

    /** The containers the admin API at {@code adminUrl} lists for {@code functionId}. */
    List<ContainerView> containers(String adminUrl, String functionId) throws IOException {
        return containers(apps(adminUrl), functionId);
    }

    static List<ContainerView> containers(JsonNode apps, String functionId) {
        List<ContainerView> list = new ArrayList<>();
        for (JsonNode app : apps.path("apps")) {
            for (JsonNode f : app.path("functions")) {
                if (f.path("id").asText().equals(functionId)) {
                    for (JsonNode c : f.path("containers")) {
                        list.add(new ContainerView(
                                c.path("id").asText(),
                                functionId,
                                c.path("version").asText(),
                                c.path("state").asText()));
                    }
                }
            }
        }
        return list;
    }

    /** The version of {@code app} the admin API lists, or null. */
    static String appVersion(JsonNode apps, String app) {
        for (JsonNode a : apps.path("apps")) {
            if (a.path("name").asText().equals(app)) {
                return a.path("version").asText();
            }
        }
        return null;
    }

    /** Builds an app jar of {@code classes} under the cluster's directory. */
    Path jar(String fileName, String app, Class<?>... classes) throws IOException {
        return TestJars.jar(root.resolve("jars").resolve(fileName), app, classes);
    }

    /** The keys of Redis hash {@code ferry:default:<hash>} (apps, routes, containers, workers), read with redis-cli. */
    List<String> redisHashKeys(String hash) {
        String reply = redis.redisCli("HKEYS", "ferry:default:" + hash);
        return reply.isBlank() ? List.of() : List.of(reply.split("\\R"));
    }

    // ---- waiting ----

    /** Waits until {@code condition} holds, polling every 20 ms; fails naming {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            pause(Duration.ofMillis(20));
        }
    }

    /**
     * Waits until {@code probe} returns a value {@code accept}s; fails with {@code what} and
     * the last value or error after {@code timeout}. Errors count as not yet.
     */
    static <T> T awaitValue(String what, Duration timeout, Probe<T> probe, java.util.function.Predicate<T> accept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                T value = probe.get();
                if (accept.test(value)) {
                    return value;
                }
                last = value;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout.toSeconds() + " s waiting for: " + what + "; last: " + last);
            }
            pause(Duration.ofMillis(50));
        }
    }

    /** A value to poll. */
    interface Probe<T> {
        T get() throws Exception;
    }

    /** Parks for {@code duration}: for deliberately timed steps (an outage's length), never to wait for a condition. */
    static void pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    // ---- the end ----

    /** Every line any role process printed that reports a leaked Netty buffer. */
    List<String> leakReports() {
        List<String> leaks = new ArrayList<>();
        for (RoleProcess p : processes) {
            Stream.concat(p.out.stream(), p.err.stream())
                    .filter(l -> l.contains("LEAK:"))
                    .forEach(l -> leaks.add(p.name + ": " + l));
        }
        return leaks;
    }

    /**
     * Stops every process: SIGTERM to all (a worker then stops its containers), SIGKILL to any
     * still running 15 s later, and SIGKILL to every container still alive after its worker
     * exited (each recorded in {@link #leftovers}); then Redis, then the homes.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        processes.forEach(RoleProcess::sampleDescendants);
        closed = true;
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long start = System.nanoTime();
        processes.forEach(RoleProcess::sampleDescendants);
        List<RoleProcess> running =
                processes.stream().filter(RoleProcess::alive).toList();
        running.forEach(RoleProcess::terminate);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (RoleProcess p : running) {
            if (!p.waitFor(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                leftovers.add(p + " did not stop within 15 s of SIGTERM; killed");
                p.process.destroyForcibly();
                p.waitFor(Duration.ofSeconds(5));
            }
        }
        for (RoleProcess p : processes) {
            for (ProcessHandle child : p.liveDescendants()) {
                // A container may take a moment to exit after its worker: give it that moment.
                if (!exits(child, Duration.ofSeconds(3))) {
                    leftovers.add("process " + child.pid() + " ("
                            + child.info().commandLine().orElse("?") + ") started by " + p + " outlived it; killed");
                    child.destroyForcibly();
                }
            }
            p.joinReaders();
        }
        for (RoleProcess p : running) {
            if (p.out.stream().noneMatch(l -> l.startsWith("ferry: stopping "))) {
                leftovers.add(p + " exited with " + p.process.exitValue()
                        + " without saying \"ferry: stopping\" (no graceful stop)");
            }
        }
        System.out.println("[cluster] stopped " + running.size() + " processes in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        admin.close();
        redis.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is not worth failing for
        }
    }

    private static boolean exits(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
