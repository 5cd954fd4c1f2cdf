package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The roles' agreements through the store, in one process: custom routes, the worker agent's authority. */
@ExtendWith(FerryStackExtension.class)
class RolesEndToEndTest {

    @Test
    void aCustomDomainRoutesToItsFunctionAndStopsWhenTheRouteIsRemoved(FerryStack stack) throws Exception {
        assertThat(get(stack, "api.example.test")).startsWith("HTTP/1.1 404");

        CliTest.Run add = CliTest.ferry(
                "route",
                "add",
                "API.Example.test",
                "examples--hello",
                "--controller",
                admin(stack),
                "--home",
                stack.home.toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).contains("routed api.example.test to examples--hello");

        String response = get(stack, "api.example.test:443");
        assertThat(response).startsWith("HTTP/1.1 200").contains("Hello");
        CliTest.Run list = CliTest.ferry("route", "ls", "--controller", admin(stack), "--home", stack.home.toString());
        assertThat(list.out()).contains("api.example.test").contains("examples--hello");

        assertThat(CliTest.ferry(
                                "route",
                                "rm",
                                "api.example.test",
                                "--controller",
                                admin(stack),
                                "--home",
                                stack.home.toString())
                        .exitCode())
                .isZero();
        assertThat(get(stack, "api.example.test")).startsWith("HTTP/1.1 404");
    }

    @Test
    void aRouteToAFunctionThatIsNotDeployedIsRefusedWithTheReason(FerryStack stack) {
        CliTest.Run run = CliTest.ferry(
                "route",
                "add",
                "api.example.test",
                "nope--nothing",
                "--controller",
                admin(stack),
                "--home",
                stack.home.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot route: route target: nope--nothing is not deployed");
        CliTest.Run badHost = CliTest.ferry(
                "route",
                "add",
                "bad_host!",
                "examples--hello",
                "--controller",
                admin(stack),
                "--home",
                stack.home.toString());
        assertThat(badHost.err()).contains("cannot route: route host: \"bad_host!\" (expected: a lowercase DNS name");
    }

    @Test
    void theWorkerRemovesRecordsOfContainersItDoesNotRun(FerryStack stack) throws Exception {
        ContainerInfo ghost = new ContainerInfo(
                "ct-zzzzzzzz",
                FunctionId.parse("examples--hello"),
                "v1",
                "worker-dev",
                "127.0.0.1",
                9,
                ContainerState.READY,
                1,
                Instant.now());

        stack.dev.store().putContainer(ghost);

        FerryStack.await(
                "the worker to remove the record of a container it does not run",
                () -> stack.dev.store().containers().stream().noneMatch(c -> c.id().equals(ghost.id())));
    }

    @Test
    void theWorkerWritesBackTheRecordOfARunningContainerThatWasRemoved(FerryStack stack) throws Exception {
        assertThat(stack.get("examples--hello", "/").statusCode()).isEqualTo(200);
        ContainerInfo running =
                stack.containers("examples--hello", ContainerState.READY).get(0);

        stack.dev.store().removeContainer(running.id());

        FerryStack.await(
                "the worker to write the record back",
                () -> stack.containers("examples--hello", ContainerState.READY).stream()
                        .anyMatch(c -> c.id().equals(running.id())));
        assertThat(stack.get("examples--hello", "/").statusCode()).isEqualTo(200);
    }

    private static String admin(FerryStack stack) {
        return "http://127.0.0.1:" + stack.dev.adminPort();
    }

    /** A raw HTTP/1.1 GET to the gateway with {@code host} as the Host header. */
    private static String get(FerryStack stack, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), stack.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
