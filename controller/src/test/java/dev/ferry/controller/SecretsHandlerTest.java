package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.SecretCipher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/secrets} on a real controller, and deploys that name secrets. */
class SecretsHandlerTest {

    private static final String PASSWORD = "s3cr3t-hunter2";

    @TempDir
    Path home;

    private final RoutingStore store = RoutingStore.inMemory();
    private final ContainerLogs logs = ContainerLogs.inMemory();
    private final HttpClient client = HttpClient.newHttpClient();
    private ControllerRole role;

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
    }

    @AfterEach
    void close() {
        role.close();
        client.close();
        logs.close();
        store.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + role.adminPort() + path))
                .header(
                        "Authorization",
                        "Bearer " + role.bootstrapToken().orElseThrow().secret());
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void setListsAndRemovesSecretsWithoutEverAnsweringAValue() throws Exception {
        HttpResponse<String> set =
                call("PUT", "/v1/secrets/db", "{\"PASSWORD\": \"" + PASSWORD + "\", \"DB_USER\": \"shop\"}");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(set.body()).isEqualTo("secret db set: DB_USER, PASSWORD\n");

        Path key = home.resolve("cluster.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        FunctionSecret stored = store.secret("db").orElseThrow();
        assertThat(stored.sealed().values()).noneMatch(v -> v.contains(PASSWORD));
        assertThat(stored.open(SecretCipher.load(key))).containsEntry("PASSWORD", PASSWORD);

        HttpResponse<String> list = call("GET", "/v1/secrets", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body())
                .startsWith("{\"secrets\":[{\"name\":\"db\",\"keys\":[\"DB_USER\",\"PASSWORD\"],\"updatedAt\":\"")
                .doesNotContain(PASSWORD, "shop\"", stored.sealed().get("PASSWORD"));
        assertThat(call("GET", "/v1/apps", null).body()).doesNotContain(PASSWORD);

        // Set again: replaced whole, with the same key file.
        assertThat(call("PUT", "/v1/secrets/db", "{\"URL\": \"postgres://x\"}").body())
                .isEqualTo("secret db set: URL\n");
        assertThat(store.secret("db").orElseThrow().keys()).containsExactly("URL");

        HttpResponse<String> removed = call("DELETE", "/v1/secrets/db", null);
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(removed.body()).isEqualTo("removed secret db\n");
        assertThat(store.secrets()).isEmpty();
        HttpResponse<String> again = call("DELETE", "/v1/secrets/db", null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("no secret db (expected: one listed by ferry secret ls)\n");
    }

    @Test
    void badInputsAreRefusedNamingTheKeyNeverTheValue() throws Exception {
        assertRefused(
                call("PUT", "/v1/secrets/Bad%20Name", "{\"K\": \"" + PASSWORD + "\"}"),
                400,
                "cannot set secret Bad Name: secret: \"Bad Name\" (expected: ");
        assertRefused(
                call("PUT", "/v1/secrets/db", "{\"PASSWORD\": " + PASSWORD.length() + ", \"X\": 1}"),
                400,
                "cannot set secret db: value of PASSWORD: a JSON number (expected: a string)");
        assertRefused(
                call("PUT", "/v1/secrets/db", "{\"FERRY_TOKEN\": \"" + PASSWORD + "\"}"),
                400,
                "cannot set secret db: key: FERRY_TOKEN (expected: none starting with FERRY_");
        assertRefused(
                call("PUT", "/v1/secrets/db", "PASSWORD=" + PASSWORD),
                400,
                "cannot set secret db: body: not JSON (expected: an object of KEY to VALUE, both strings)");
        assertRefused(call("PUT", "/v1/secrets/db", "{}"), 400, "cannot set secret db: keys: 0 (expected: 1 to 100)");
        assertRefused(
                call("PUT", "/v1/secrets/db", "{\"BIG\": \"" + "x".repeat(FunctionSecret.MAX_VALUE_BYTES + 1) + "\"}"),
                400,
                "cannot set secret db: value of BIG: 65537 bytes (expected: at most 65536)");
        assertRefused(
                call("PUT", "/v1/secrets/db", "\"" + "x".repeat(SecretsHandler.MAX_BODY) + "\""),
                413,
                "cannot set secret db: body larger than " + SecretsHandler.MAX_BODY + " bytes");
        assertRefused(call("POST", "/v1/secrets", "{}"), 405, "method not allowed: POST /v1/secrets");
        assertRefused(call("GET", "/v1/secrets/db", null), 405, "method not allowed: GET /v1/secrets/db");
        assertRefused(call("PUT", "/v1/secrets/a/b", "{}"), 404, "not found: /v1/secrets/a/b");
        assertThat(store.secrets()).isEmpty();
    }

    @Test
    void aDeployNamingAMissingSecretIsRefusedNamingItAndAnAppInUseKeepsIts() throws Exception {
        Path jar = TestJars.jar(home.resolve("build/secretsapp.jar"), SecretsApp.NAME, SecretsApp.class);
        assertThatThrownBy(() -> role.deploy(jar, Optional.empty(), "secretsapp.jar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secretsapp.jar: function secretsapp--show names secret db, which does not exist "
                        + "(ferry secret set db KEY=VALUE…)");
        assertThat(store.apps()).isEmpty();
        HttpResponse<String> refused = client.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + role.adminPort() + "/v1/apps?file=secretsapp.jar"))
                        .header(
                                "Authorization",
                                "Bearer " + role.bootstrapToken().orElseThrow().secret())
                        .POST(HttpRequest.BodyPublishers.ofFile(jar))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertRefused(
                refused,
                400,
                "cannot deploy: secretsapp.jar: function secretsapp--show names secret db, which does not exist");

        assertThat(call("PUT", "/v1/secrets/db", "{\"PASSWORD\": \"" + PASSWORD + "\"}")
                        .statusCode())
                .isEqualTo(200);
        role.deploy(jar, Optional.empty(), "secretsapp.jar");
        assertThat(store.app(SecretsApp.NAME)).isPresent();

        assertRefused(
                call("DELETE", "/v1/secrets/db", null),
                409,
                "cannot remove secret db: secret db is named by secretsapp--show (expected: a secret no deployed "
                        + "function names; redeploy them without it first)");
        assertThat(store.secret("db")).isPresent();
    }

    private static void assertRefused(HttpResponse<String> response, int status, String start) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).startsWith(start).doesNotContain(PASSWORD).endsWith("\n");
        assertThat(response.body().lines()).hasSize(1);
    }
}
