package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.Await;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.LogLine;
import dev.ferry.routing.RedisServer;
import dev.ferry.routing.RoutingStore;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /v1/logs/APP} on a real JDK HTTP server and client, over the in-memory store (and
 * a Redis that is down, for the 503): the line format, the parameters and their refusals,
 * following, and a follower that leaves.
 */
class LogsHandlerTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");

    private Path home;
    private RoutingStore store;
    private ContainerLogs logs;
    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        home = Files.createTempDirectory("ferry-logs-handler");
        store = RoutingStore.inMemory();
        new AppDeployer(store, home.resolve("apps"), Clock.systemUTC())
                .deploy(
                        TestJars.jar(home.resolve("build/logsapp.jar"), LogsApp.NAME, LogsApp.class),
                        Optional.empty(),
                        "logsapp.jar");
        logs = ContainerLogs.inMemory();
        serve(logs);
    }

    private void serve(ContainerLogs served) throws Exception {
        if (server != null) {
            server.stop(0);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext(LogsHandler.PATH, new LogsHandler(store, served, Duration.ofMillis(50)));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        logs.close();
        store.close();
        client.close();
    }

    static LogLine line(String function, String stream, String text) {
        return LogLine.of(T0, LogsApp.NAME, function, "ct-" + function + "0001", "worker-7", stream, text);
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean followerRunning() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("ferry-logs-follow-" + LogsApp.NAME) && t.isAlive());
    }

    @Test
    void answersOneTextLinePerLineWithTimeFunctionContainerWorkerAndStream() throws Exception {
        logs.append(List.of(
                line("say", LogLine.STDOUT, "hello | world"),
                line("say", LogLine.STDERR, ""),
                line("quiet", LogLine.STDOUT, "  indented")));

        HttpResponse<String> response = get("/v1/logs/logsapp");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
        assertThat(response.body()).isEqualTo("""
                2025-03-04T05:06:07.123Z say ct-say0001 worker-7 stdout | hello | world
                2025-03-04T05:06:07.123Z say ct-say0001 worker-7 stderr |\s
                2025-03-04T05:06:07.123Z quiet ct-quiet0001 worker-7 stdout |   indented
                """);
    }

    @Test
    void tailAndFunctionChooseTheLines() throws Exception {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            lines.add(line(i % 3 == 0 ? "quiet" : "say", LogLine.STDOUT, "line " + i));
        }
        logs.append(lines);

        assertThat(get("/v1/logs/logsapp").body().lines())
                .hasSize(LogsHandler.DEFAULT_TAIL)
                .last()
                .asString()
                .endsWith("| line 149");
        assertThat(get("/v1/logs/logsapp?tail=2&function=quiet").body().lines())
                .containsExactly(
                        "2025-03-04T05:06:07.123Z quiet ct-quiet0001 worker-7 stdout | line 144",
                        "2025-03-04T05:06:07.123Z quiet ct-quiet0001 worker-7 stdout | line 147");
        assertThat(get("/v1/logs/logsapp?tail=0").body()).isEmpty();
        assertThat(get("/v1/logs/logsapp?tail=10000&follow=0").body().lines()).hasSize(150);
    }

    @Test
    void refusesWhatItCannotAnswerSayingWhy() throws Exception {
        assertRefused(
                "/v1/logs/nope",
                404,
                "cannot read logs: app nope is not deployed (expected: an app that ferry ls lists)");
        assertRefused(
                "/v1/logs/logsapp?function=loud",
                404,
                "cannot read logs: app logsapp has no function loud (expected: one of quiet, say)");
        assertRefused(
                "/v1/logs/logsapp?function=Bad_Name",
                400,
                "cannot read logs: function: \"Bad_Name\" (expected: 1-30 lower-case");
        assertRefused("/v1/logs/Bad_App", 400, "cannot read logs: app: \"Bad_App\"");
        assertRefused(
                "/v1/logs/logsapp?tail=-1",
                400,
                "cannot read logs: tail: \"-1\" (expected: a whole number from 0 to 10000)");
        assertRefused("/v1/logs/logsapp?tail=10001", 400, "tail: \"10001\"");
        assertRefused("/v1/logs/logsapp?tail=many", 400, "tail: \"many\"");
        assertRefused(
                "/v1/logs/logsapp?follow=maybe",
                400,
                "cannot read logs: follow: \"maybe\" (expected: 1 or true, 0 or false)");
        assertRefused(
                "/v1/logs/logsapp?lines=3",
                400,
                "cannot read logs: unknown parameter \"lines\" (expected: function, tail, follow)");
        assertRefused("/v1/logs/logsapp?tail=1&tail=2", 400, "parameter \"tail\" given twice");
        assertRefused("/v1/logs/", 404, "no such resource: /v1/logs/ (expected: GET /v1/logs/APP)");
        assertRefused("/v1/logs/logsapp/say", 404, "no such resource");
        HttpResponse<String> post = client.send(
                HttpRequest.newBuilder(uri("/v1/logs/logsapp"))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET");
    }

    private void assertRefused(String pathAndQuery, int status, String reason) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(status);
        assertThat(response.body())
                .as(pathAndQuery)
                .contains(reason)
                .endsWith("\n")
                .hasLineCount(1);
    }

    @Test
    void aStoreThatIsDownIsNamedIn503() throws Exception {
        try (RedisServer redis = RedisServer.start();
                ContainerLogs down = ContainerLogs.redis(redis.uri(), "default")) {
            serve(down);
            redis.stop();

            HttpResponse<String> response = get("/v1/logs/logsapp?follow=1");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body())
                    .startsWith("cannot read logs: Redis at redis://127.0.0.1:" + redis.port() + "/0 is unreachable");
            assertThat(followerRunning()).isFalse();
        }
    }

    @Test
    @Timeout(60)
    void followSendsTheTailThenEachNewLineAndStopsFollowingWhenTheClientLeaves() throws Exception {
        logs.append(List.of(line("say", LogLine.STDOUT, "old 1"), line("quiet", LogLine.STDOUT, "old 2")));

        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(uri("/v1/logs/logsapp?function=say&follow=true"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(body.readLine()).endsWith("stdout | old 1");
            // A quiet follow sends bare newlines now and then, to notice a client that left.
            assertThat(body.readLine()).isEmpty();

            logs.append(List.of(line("quiet", LogLine.STDOUT, "not this one"), line("say", LogLine.STDERR, "new 3")));

            String next;
            do {
                next = body.readLine();
            } while (next != null && next.isEmpty());
            assertThat(next).isEqualTo("2025-03-04T05:06:07.123Z say ct-say0001 worker-7 stderr | new 3");
            assertThat(followerRunning()).isTrue();
        }

        Await.until(WAIT, () -> !followerRunning(), "the follower to end once the client left");
    }

    @Test
    @Timeout(60)
    void followWithoutATailStartsAfterTheLatestLine() throws Exception {
        logs.append(List.of(line("say", LogLine.STDOUT, "old")));

        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(uri("/v1/logs/logsapp?tail=0&follow=1")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            logs.append(List.of(line("say", LogLine.STDOUT, "new")));

            String next;
            do {
                next = body.readLine();
            } while (next != null && next.isEmpty());
            assertThat(next).endsWith("stdout | new");
        }
    }
}
