package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.controller.SecretsApp;
import dev.ferry.examples.Hello;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.RedisServer;
import dev.ferry.routing.SecretCipher;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.routing.WorkerPool;
import dev.ferry.worker.Container;
import dev.ferry.worker.ContainerLogSink;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Secrets through the whole stack, as a user runs it: {@code ferry secret set} (the value from
 * standard input), a deploy of a function that names the secret, a request whose answer the
 * container computed from its environment, from a warm pool member and from a fresh JVM; and
 * the value in no log line (every level, every logger, every line a container printed) and no
 * listing ({@code ferry ls}, {@code ferry secret ls}, their JSON); on the in-memory store, and on
 * Redis, whose raw hash holds no value either.
 */
class SecretsEndToEndTest {

    private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime()) + "-hunter2";

    @TempDir
    Path home;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger ferryLogger = Logger.getLogger("dev.ferry");
    private final Handler capture = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            logged.add(format.format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Level levelBefore;
    private DevStack stack;
    private RedisServer redis;

    @BeforeEach
    void captureEveryLogLine() {
        levelBefore = ferryLogger.getLevel();
        ferryLogger.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        ferryLogger.addHandler(capture);
    }

    @AfterEach
    void close() {
        if (stack != null) {
            stack.close();
        }
        if (redis != null) {
            redis.close();
        }
        ferryLogger.removeHandler(capture);
        ferryLogger.setLevel(levelBefore);
    }

    @ParameterizedTest(name = "warm pool of {0}, on Redis: {1}")
    @CsvSource({"1, false", "0, false", "1, true"})
    void aFunctionGetsItsSecretAsEnvironmentAndTheValueIsInNoLogLineNorListing(int warmPool, boolean onRedis)
            throws Exception {
        ContainerLogSink console = ContainerLogSink.console();
        DevStack.Builder builder = DevStack.builder();
        if (onRedis) {
            redis = RedisServer.start();
            builder.redis(redis.uri()).cluster("secrets-test");
        }
        stack = builder.gateway(gateway -> gateway.httpPort(0).httpsPort(0))
                .worker(worker -> worker.warmPool(warmPool).warmUpCalls(10))
                .home(home)
                .runtimeClasspath(TestJars.runtimeClasspath(SecretsEndToEndTest.class, Hello.class))
                .logSink((container, source, line) -> {
                    logged.add(container.id() + " " + line);
                    console.line(container, source, line);
                })
                .build()
                .start();
        new DevState(
                        "http://127.0.0.1:" + stack.adminPort(),
                        ProcessHandle.current().pid())
                .write(home);
        String h = home.toString();
        List<String> outputs = new ArrayList<>();
        Path jar = TestJars.jar(home.resolve("build/secretsapp.jar"), SecretsApp.NAME, SecretsApp.class);

        CliTest.Run refused = CliTest.ferry("deploy", jar.toString(), "--home", h);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err())
                .contains("cannot deploy: secretsapp.jar: function secretsapp--show names secret db, which does not "
                        + "exist (ferry secret set db KEY=VALUE…)");

        CliTest.Run set = withStdin(
                PASSWORD + "\n", () -> CliTest.ferry("secret", "set", "db", "DB_USER=shop", "PASSWORD=-", "--home", h));
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("secret db set: DB_USER, PASSWORD\n");
        outputs.add(set.out() + set.err());
        assertThat(Files.exists(home.resolve("cluster.key"))).isTrue();

        CliTest.Run deployed = CliTest.ferry("deploy", jar.toString(), "--home", h);
        assertThat(deployed.exitCode()).as(deployed.err()).isZero();
        outputs.add(deployed.out() + deployed.err());
        if (warmPool > 0) {
            FerryStack.await(
                    "a warm member",
                    () -> stack.store().workers().stream()
                            .map(WorkerInfo::pool)
                            .anyMatch(p -> p.equals(new WorkerPool(1, 1, 0))));
        }

        HttpResponse<String> answer = get("secretsapp--show");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("DB_USER=shop PASSWORD=" + PASSWORD);
        Container container = stack.worker().containers().getFirst();
        assertThat(commandLine(container.pid()))
                .as("served by a warm pool member, or a fresh JVM")
                .matches(c -> c.contains(" --pool ") == (warmPool > 0))
                .doesNotContain(PASSWORD);

        for (String[] listing : List.of(
                new String[] {"ls"}, new String[] {"ls", "--json"}, new String[] {"secret", "ls"}, new String[] {
                    "secret", "ls", "--json"
                })) {
            String[] args = java.util.stream.Stream.concat(
                            java.util.Arrays.stream(listing), java.util.stream.Stream.of("--home", h))
                    .toArray(String[]::new);
            CliTest.Run run = CliTest.ferry(args);
            assertThat(run.exitCode())
                    .as(String.join(" ", listing) + ": " + run.err())
                    .isZero();
            outputs.add(run.out() + run.err());
        }
        assertThat(outputs.get(outputs.size() - 2)).contains("db", "DB_USER, PASSWORD");
        assertThat(outputs.getLast()).contains("\"PASSWORD\"");

        // A value sealed with another cluster key: the new version's container fails, naming
        // the secret and the key, never the value. The old version goes on serving meanwhile: a
        // redeploy moves traffic only once the new version has a container up.
        stack.store()
                .putSecret(
                        FunctionSecret.seal("db", Map.of("PASSWORD", PASSWORD), SecretCipher.random(), Instant.now()));
        FerryStack.await(
                "the foreign secret",
                () -> stack.store().secret("db").orElseThrow().keys().size() == 1);
        assertThat(CliTest.ferry("deploy", jar.toString(), "--home", h).exitCode())
                .isZero();
        HttpResponse<String> stillServed = get("secretsapp--show");
        assertThat(stillServed.statusCode()).as("the old version still serves").isEqualTo(200);
        FerryStack.await(
                "the failure logged",
                () -> logged.stream()
                        .anyMatch(l -> l.contains("secret db, key PASSWORD: sealed with another cluster key")));

        assertThat(logged).as("debug lines are captured too").anyMatch(line -> line.contains("starting ct-"));
        assertThat(logged).noneMatch(line -> line.contains(PASSWORD));
        assertThat(outputs).noneMatch(output -> output.contains(PASSWORD));
        if (onRedis) {
            assertThat(redis.redisCli("HGET", "ferry:secrets-test:secrets", "db"))
                    .contains("\"PASSWORD\"")
                    .doesNotContain(PASSWORD);
        }
        assertThat(stack.logs().tail(SecretsApp.NAME, java.util.Optional.empty(), 1000))
                .as("the app's shipped output")
                .isNotEmpty()
                .noneMatch(line -> line.text().contains(PASSWORD));
    }

    private HttpResponse<String> get(String function) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(
                    HttpRequest.newBuilder(URI.create("http://" + function + ".localhost:" + stack.httpPort() + "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static CliTest.Run withStdin(String input, java.util.function.Supplier<CliTest.Run> command) {
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return command.get();
        } finally {
            System.setIn(in);
        }
    }

    private static String commandLine(long pid) throws java.io.IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
    }
}
