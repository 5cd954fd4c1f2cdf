package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.examples.Hello;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.routing.WorkerPool;
import dev.ferry.worker.Container;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm pool through the whole stack: the worker reports its pool in its heartbeat, a first
 * request to a new function is served by a container that was a warm pool member, and the
 * pool refills behind it.
 */
class WarmPoolEndToEndTest {

    @TempDir
    Path home;

    private DevStack stack;

    @AfterEach
    void close() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aFirstRequestIsServedByAWarmPoolMember() throws Exception {
        stack = DevStack.builder()
                .gateway(gateway -> gateway.httpPort(0).httpsPort(0))
                .worker(worker -> worker.warmPool(1).warmUpCalls(50))
                .home(home)
                .build()
                .start();
        Path jar = TestJars.jar(home.resolve("build/hello.jar"), "pooled", Hello.class);
        stack.deploy(jar, Optional.empty());
        FerryStack.await(
                "the worker reports a warm member",
                () -> stack.store().workers().stream()
                        .map(WorkerInfo::pool)
                        .anyMatch(p -> p.equals(new WorkerPool(1, 1, 0))));

        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        // *.localhost resolves to loopback in tests (LocalhostResolverProvider)
                        HttpRequest.newBuilder(URI.create("http://pooled--hello.localhost:" + stack.httpPort() + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Hello from Ferry!\n");
        Container container = stack.worker().containers().getFirst();
        assertThat(commandLine(container.pid())).contains(" --pool ");
        FerryStack.await("a new member", () -> stack.worker().pool().idle() == 1);
    }

    private static String commandLine(long pid) throws java.io.IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
    }
}
