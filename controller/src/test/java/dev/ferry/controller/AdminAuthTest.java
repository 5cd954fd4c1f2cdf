package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.AccessToken;
import dev.ferry.routing.AccessToken.Scope;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.RoutingStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's tokens, through a real controller on a free port and the JDK's HTTP client. */
class AdminAuthTest {

    @TempDir
    Path home;

    private final RoutingStore store = RoutingStore.inMemory();
    private final ContainerLogs logs = ContainerLogs.inMemory();
    private final HttpClient client = HttpClient.newHttpClient();
    private ControllerRole role;
    private String admin;

    @BeforeEach
    void start() throws Exception {
        role = ControllerRole.builder()
                .store(store)
                .id("controller-test")
                .home(home)
                .adminPort(0)
                .functionUrls(f -> "http://" + f + ".test/")
                .logs(logs)
                .build()
                .start();
        admin = role.bootstrapToken().orElseThrow().secret();
    }

    @AfterEach
    void close() {
        role.close();
        client.close();
        logs.close();
        store.close();
    }

    @Test
    void theFirstStartMakesOneAdminTokenAndALaterStartNone() throws Exception {
        AccessToken first = role.bootstrapToken().orElseThrow().token();
        assertThat(first.scopes()).containsExactly(Scope.ADMIN);
        assertThat(first.name()).isEqualTo("bootstrap-controller-test");
        assertThat(store.tokens()).containsExactly(first);

        try (ControllerRole second = ControllerRole.builder()
                .store(store)
                .id("controller-two")
                .home(home)
                .adminPort(0)
                .functionUrls(f -> "http://" + f + ".test/")
                .logs(logs)
                .build()
                .start()) {
            assertThat(second.bootstrapToken()).isEmpty();
            assertThat(call("GET", second.adminPort(), "/v1/apps", admin, null).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void everyRouteRefusesAMissingMalformedUnknownOrRevokedTokenWith401() throws Exception {
        for (String path : List.of("/v1/apps", "/v1/routes", "/v1/scale/a/b", "/v1/logs/a", "/v1/tokens", "/v1/nope")) {
            HttpResponse<String> none = call("GET", path, null, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer realm=\"ferry\"");
            assertThat(none.body()).startsWith("no token: send Authorization: Bearer <token>");
        }
        assertThat(call("GET", "/v1/apps", "Basic dXNlcjpwYXNz", null, true).body())
                .isEqualTo("Authorization: not a bearer token (expected: Bearer <token>)\n");
        assertThat(call("GET", "/v1/apps", "ferry_nope", null).body()).isEqualTo("unknown or revoked token\n");

        AccessTokens.Issued reader = issue("reader", Scope.READ);
        assertThat(call("GET", "/v1/apps", reader.secret(), null).statusCode()).isEqualTo(200);
        assertThat(call("DELETE", "/v1/tokens/" + reader.token().id(), admin, null)
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> revoked = call("GET", "/v1/apps", reader.secret(), null);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.body()).isEqualTo("unknown or revoked token\n");
        // With a token, an unknown path is a plain 404.
        assertThat(call("GET", "/v1/nope", admin, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aReadTokenCannotDeployRouteScaleOrMakeTokensAndNothingHappens() throws Exception {
        AccessTokens.Issued reader = issue("reader", Scope.READ);
        byte[] jar = java.nio.file.Files.readAllBytes(
                TestJars.jar(home.resolve("build/logsapp.jar"), LogsApp.NAME, LogsApp.class));

        HttpResponse<String> deploy = client.send(
                HttpRequest.newBuilder(uri(role.adminPort(), "/v1/apps?name=sneaky"))
                        .header("Authorization", "Bearer " + reader.secret())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(jar))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deploy.statusCode()).isEqualTo(403);
        assertThat(deploy.body())
                .isEqualTo("token " + reader.token().id()
                        + " (reader, [read]) lacks scope deploy (needed for POST /v1/apps)\n");
        assertThat(store.apps()).isEmpty();

        assertThat(call("PUT", "/v1/routes/api.example.test", reader.secret(), "sneaky--say")
                        .statusCode())
                .isEqualTo(403);
        assertThat(store.routes()).isEmpty();
        assertThat(call("POST", "/v1/scale/logsapp/say", reader.secret(), "{\"maxContainers\": 1}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("POST", "/v1/tokens", reader.secret(), "{\"name\":\"x\",\"scopes\":[\"admin\"]}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("GET", "/v1/tokens", reader.secret(), null).statusCode())
                .isEqualTo(403);
        assertThat(store.tokens()).hasSize(2);

        AccessTokens.Issued deployer = issue("ci", Scope.DEPLOY);
        HttpResponse<String> deployed = client.send(
                HttpRequest.newBuilder(uri(role.adminPort(), "/v1/apps?name=logsapp"))
                        .header("Authorization", "Bearer " + deployer.secret())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(jar))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);
        assertThat(call("GET", "/v1/tokens", deployer.secret(), null).statusCode())
                .isEqualTo(403);
    }

    @Test
    void tokensAreMadeShownOnceListedWithoutSecretsAndRevoked() throws Exception {
        HttpResponse<String> made =
                call("POST", "/v1/tokens", admin, "{\"name\":\"web\",\"scopes\":[\"call\"],\"apps\":[\"shop\"]}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode token = StackView.JSON.readTree(made.body());
        String secret = token.path("token").asText();
        AccessToken stored = AccessTokens.verify(store, secret).orElseThrow();
        assertThat(stored.mayCall("shop")).isTrue();
        assertThat(stored.mayCall("blog")).isFalse();

        String list = call("GET", "/v1/tokens", admin, null).body();
        assertThat(list).contains("\"name\":\"web\"", "\"apps\":[\"shop\"]", stored.id());
        assertThat(list).doesNotContain(secret.substring(19)).doesNotContain(stored.secretHash());

        assertThat(call("DELETE", "/v1/tokens/" + stored.id(), admin, null).body())
                .isEqualTo("revoked token " + stored.id() + " (web, [call], apps [shop])\n");
        assertThat(AccessTokens.verify(store, secret)).isEmpty();
        assertThat(call("DELETE", "/v1/tokens/" + stored.id(), admin, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void badTokenRequestsAreAnswered400NamingTheProblemAndTheLastAdminTokenStays() throws Exception {
        assertThat(call("POST", "/v1/tokens", admin, "{\"name\":\"x\"}").body())
                .isEqualTo("cannot make the token: scopes: none (expected: some of read, deploy, admin, call)\n");
        assertThat(call("POST", "/v1/tokens", admin, "{\"name\":\"x\",\"scopes\":[\"root\"]}")
                        .body())
                .isEqualTo("cannot make the token: scope: \"root\" (expected: read, deploy, admin or call)\n");
        assertThat(call("POST", "/v1/tokens", admin, "{\"name\":\"x\",\"scopes\":[\"read\"],\"apps\":[\"shop\"]}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(call("POST", "/v1/tokens", admin, "{\"name\":\"x\",\"scopes\":[\"read\"],\"ttl\":1}")
                        .body())
                .isEqualTo("cannot make the token: field \"ttl\" (expected: some of [name, scopes, apps])\n"
                        .replace("[name, scopes, apps]", fieldsAsTheHandlerPrintsThem()));
        assertThat(call("POST", "/v1/tokens", admin, "not json").statusCode()).isEqualTo(400);

        String adminId = role.bootstrapToken().orElseThrow().token().id();
        HttpResponse<String> last = call("DELETE", "/v1/tokens/" + adminId, admin, null);
        assertThat(last.statusCode()).isEqualTo(409);
        assertThat(last.body()).contains("it is the last admin token");
        assertThat(AccessTokens.verify(store, admin)).isPresent();
    }

    @Test
    void aNonLoopbackAddressWithoutTlsIsRefusedUnlessAProxyTerminatesIt() {
        ControllerRole.Builder exposed = ControllerRole.builder()
                .store(store)
                .id("controller-exposed")
                .home(home)
                .adminHost("0.0.0.0")
                .adminPort(0)
                .functionUrls(f -> "http://" + f + ".test/")
                .logs(logs);
        assertThatThrownBy(exposed::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("adminHost: 0.0.0.0 is not a loopback address and the admin API has no TLS");
        exposed.adminBehindTlsProxy(true).build().close();
    }

    private static String fieldsAsTheHandlerPrintsThem() {
        return java.util.Set.of("name", "scopes", "apps").toString();
    }

    private AccessTokens.Issued issue(String name, Scope scope) {
        AccessTokens.Issued issued = AccessTokens.issue(name, EnumSet.of(scope), List.of(), Instant.now());
        store.putToken(issued.token());
        return issued;
    }

    private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return call(method, role.adminPort(), path, token, body);
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body, boolean raw)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(role.adminPort(), path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        request.header("Authorization", authorization);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, int port, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
