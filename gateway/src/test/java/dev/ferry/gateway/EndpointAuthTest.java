package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.AccessToken.Scope;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.RoutingStore;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function with {@code requiresAuth}: a real gateway on port 0 checks the token before it
 * queues the request or asks for a container; a real container process serves what passes.
 */
class EndpointAuthTest {

    private static final String HOST = "t--private.localhost";

    @TempDir
    static Path dir;

    private static AppDeployment app;
    private static TestContainer container;

    private final RoutingStore store = RoutingStore.inMemory();
    private final List<String> scaleUps = new CopyOnWriteArrayList<>();
    private GatewayServer gateway;

    @BeforeAll
    static void startContainer() throws Exception {
        Path jar = TestJars.jar(dir.resolve("t.jar"), "t", AuthFunctions.class);
        app = TestContainer.app(jar, AuthFunctions.Private.class, AuthFunctions.Public.class);
        container = TestContainer.start(jar, "t--private", AuthFunctions.Private.class, 4, "c1")
                .getFirst();
    }

    @AfterAll
    static void stopContainer() {
        if (container != null) {
            container.close();
        }
    }

    @BeforeEach
    void startGateway() throws Exception {
        store.deploy(app);
        gateway = GatewayServer.builder()
                .store(store)
                .port(0)
                .scaleUpSignal(f -> scaleUps.add(f.settings().name()))
                .start();
    }

    @AfterEach
    void close() throws Exception {
        gateway.close();
        store.close();
    }

    @Test
    void withoutAWrongOrARevokedTokenTheAnswerIs401AndNoContainerIsAskedFor() throws Exception {
        // No container is ready: a request let through would wait and ask for one.
        AccessTokens.Issued revoked = issue("old", Scope.CALL, List.of());
        store.removeToken(revoked.token().id());

        RawHttp.Response none = RawHttp.send(gateway.port(), HOST, "GET", "/", "");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers()).containsEntry("www-authenticate", "Bearer realm=\"ferry\"");
        assertThat(none.headers()).containsEntry("x-ferry-error", "unauthenticated");
        assertThat(none.body())
                .isEqualTo("this function requires a token: send Authorization: Bearer <token>, or Ferry-Key and"
                        + " Ferry-Secret\n");

        for (String header : List.of(
                "Authorization: Bearer ferry_wrong",
                "Authorization: Bearer " + revoked.secret(),
                "Ferry-Key: " + revoked.token().id(),
                "Authorization: Basic dXNlcjpwYXNz")) {
            RawHttp.Response refused = RawHttp.send(gateway.port(), HOST, "POST", "/", "body", header);
            assertThat(refused.status()).as(header).isEqualTo(401);
        }
        assertThat(scaleUps).isEmpty();
        assertThat(store.demand()).isEmpty();

        // The same request with a good token does wait for a container, and asks for one.
        AccessTokens.Issued good = issue("web", Scope.CALL, List.of());
        try (Socket waiting =
                RawHttp.open(gateway.port(), HOST, "GET", "/", "", "Authorization: Bearer " + good.secret())) {
            Poll.await("the admitted request to ask for a container", () -> scaleUps.contains("private"));
        }
    }

    @Test
    void aGoodTokenIsServedAndTheFunctionSeesItsNameButNoSecret() throws Exception {
        store.putContainer(container.ready("v1"));
        AccessTokens.Issued web = issue("web-frontend", Scope.CALL, List.of("t"));

        RawHttp.Response bearer =
                RawHttp.send(gateway.port(), HOST, "GET", "/", "", "Authorization: Bearer " + web.secret(), "X: kept");
        assertThat(bearer.status()).as(bearer.body()).isEqualTo(200);
        assertThat(bearer.body()).isEqualTo("web-frontend x=kept");

        String id = web.token().id();
        String secret = web.secret().substring(AccessTokens.PREFIX.length() + AccessTokens.ID_LENGTH + 1);
        RawHttp.Response pair =
                RawHttp.send(gateway.port(), HOST, "GET", "/", "", "Ferry-Key: " + id, "Ferry-Secret: " + secret);
        assertThat(pair.status()).as(pair.body()).isEqualTo(200);
        assertThat(pair.body()).isEqualTo("web-frontend x=");
    }

    @Test
    void aTokenForAnotherAppOrWithoutTheCallScopeIs403AndRevocationTakesEffectAtOnce() throws Exception {
        store.putContainer(container.ready("v1"));
        AccessTokens.Issued blog = issue("blog-only", Scope.CALL, List.of("blog"));
        AccessTokens.Issued deployer = issue("ci", Scope.DEPLOY, List.of());

        RawHttp.Response other =
                RawHttp.send(gateway.port(), HOST, "GET", "/", "", "Authorization: Bearer " + blog.secret());
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.headers()).containsEntry("x-ferry-error", "permission_denied");
        assertThat(other.body())
                .isEqualTo("token " + blog.token().id() + " (blog-only, [call], apps [blog]) may not call app t"
                        + " (expected: scope call for t)\n");
        assertThat(RawHttp.send(gateway.port(), HOST, "GET", "/", "", "Authorization: Bearer " + deployer.secret())
                        .status())
                .isEqualTo(403);

        AccessTokens.Issued web = issue("web", Scope.CALL, List.of());
        assertThat(RawHttp.send(gateway.port(), HOST, "GET", "/", "", "Authorization: Bearer " + web.secret())
                        .status())
                .isEqualTo(200);
        store.removeToken(web.token().id());
        assertThat(RawHttp.send(gateway.port(), HOST, "GET", "/", "", "Authorization: Bearer " + web.secret())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void aWebSocketUpgradeIsCheckedTheSameWay() throws Exception {
        String[] upgrade = {
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
        };
        RawHttp.Response refused = RawHttp.send(gateway.port(), HOST, "GET", "/", "", upgrade);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.headers()).containsEntry("www-authenticate", "Bearer realm=\"ferry\"");
        assertThat(scaleUps).isEmpty();
    }

    @Test
    void aPublicFunctionNeedsNoTokenAndSeesTheHeadersAsSent() throws Exception {
        try (TestContainer open = TestContainer.start(
                        dir.resolve("t.jar"), "t--public", AuthFunctions.Public.class, 4, "c2")
                .getFirst()) {
            store.putContainer(open.ready("v1"));
            RawHttp.Response response = RawHttp.send(
                    gateway.port(), "t--public.localhost", "GET", "/", "", "Authorization: Bearer whatever");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("caller=- auth=Bearer whatever");
        }
    }

    private AccessTokens.Issued issue(String name, Scope scope, List<String> apps) {
        AccessTokens.Issued issued = AccessTokens.issue(name, EnumSet.of(scope), apps, Instant.now());
        store.putToken(issued.token());
        return issued;
    }
}
