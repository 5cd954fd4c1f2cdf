package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What clients get when functions and containers fail, through a real stack. */
@ExtendWith(FerryStackExtension.class)
class FailuresEndToEndTest {

    @Test
    void aContainerKilledMidRequestGives502(FerryStack stack) throws Exception {
        CompletableFuture<HttpResponse<String>> call = stack.client.sendAsync(
                stack.request("testapp--hold", "/hold").build(), HttpResponse.BodyHandlers.ofString());
        // The function's own count, not the gateway's: that one may still count an earlier call.
        FerryStack.await("the function holding the call", () -> holding(stack) == 1);
        ContainerInfo container =
                stack.containers("testapp--hold", ContainerState.READY).get(0);

        stack.process(container.id()).kill();

        HttpResponse<String> response = call.get();
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).isEqualTo("container " + container.id() + " exited during the call\n");
        assertThat(response.headers().firstValue("x-ferry-error")).contains("container_lost");
    }

    @Test
    void aContainerKilledFromOutsideMidRequestGives502WithTheExitReason(FerryStack stack) throws Exception {
        CompletableFuture<HttpResponse<String>> call = stack.client.sendAsync(
                stack.request("testapp--hold", "/hold").build(), HttpResponse.BodyHandlers.ofString());
        FerryStack.await("the function holding the call", () -> holding(stack) == 1);
        ContainerInfo container =
                stack.containers("testapp--hold", ContainerState.READY).get(0);

        // SIGKILL from outside the worker (the kernel's OOM killer, an operator): the worker did
        // not ask for it, so it reports why, and the gateway says so.
        ProcessHandle.of(stack.process(container.id()).pid()).orElseThrow().destroyForcibly();

        HttpResponse<String> response = call.get();
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body())
                .isEqualTo("container " + container.id() + " exited during the call: killed by signal 9 (SIGKILL)\n");
        assertThat(response.headers().firstValue("x-ferry-error")).contains("container_lost");
    }

    @Test
    void requestsWaitingWhenTheirContainerDiesAreServedByANewOne(FerryStack stack) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> running = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(stack.client.sendAsync(
                    stack.request("testapp--slow-four", "/?ms=60000").build(), HttpResponse.BodyHandlers.ofString()));
        }
        // The function's own word that it runs them: a call the gateway has sent but the
        // container not yet accepted would go to the new container rather than fail.
        FerryStack.await(
                "4 calls running",
                () -> stack.containerOutput.stream()
                                .filter(line -> line.endsWith(" slow-four running"))
                                .count()
                        == 4);
        CompletableFuture<HttpResponse<String>> waiting = stack.client.sendAsync(
                stack.request("testapp--slow-four", "/?ms=1").build(), HttpResponse.BodyHandlers.ofString());
        FerryStack.await(
                "the fifth call queued",
                () -> ExamplesEndToEndTest.demand(stack, "testapp--slow-four").queued() == 1);
        ContainerInfo container =
                stack.containers("testapp--slow-four", ContainerState.READY).get(0);

        stack.process(container.id()).kill();

        for (CompletableFuture<HttpResponse<String>> call : running) {
            assertThat(call.get().statusCode()).isEqualTo(502);
        }
        assertThat(waiting.get().statusCode()).isEqualTo(200);
        assertThat(stack.containers("testapp--slow-four", ContainerState.READY))
                .extracting(ContainerInfo::id)
                .doesNotContain(container.id());
    }

    @Test
    void aFunctionPastItsTimeoutGives504(FerryStack stack) throws Exception {
        HttpResponse<String> response = stack.get("testapp--stuck", "/");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body()).isEqualTo("function timed out after 1s\n");
    }

    @Test
    void aThrowingFunctionGives500WithAGenericBodyAndKeepsServing(FerryStack stack) throws Exception {
        HttpResponse<String> failed = stack.get("testapp--boom", "/boom");

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body())
                .isEqualTo("function failed; see the container log\n")
                .doesNotContain("hunter2");
        FerryStack.await(
                "the stack trace in the container log",
                () -> stack.containerOutput.stream()
                        .anyMatch(line -> line.contains("IllegalStateException: internal secret")));

        HttpResponse<String> next = stack.get("testapp--boom", "/ok");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("still serving");
        assertThat(stack.containers("testapp--boom", ContainerState.READY)).hasSize(1);
    }

    @Test
    void aClientThatLeavesCancelsItsInputAndFreesTheSlot(FerryStack stack) throws Exception {
        stack.get("testapp--hold", "/count"); // a container is up before the hold starts
        try (Socket socket = new Socket("127.0.0.1", stack.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /hold HTTP/1.1\r\nHost: testapp--hold.localhost\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            FerryStack.await("the function holding the input", () -> holding(stack) == 1);
        }

        FerryStack.await("the function to see the cancellation", () -> holding(stack) == 0);
        FerryStack.await(
                "the gateway to free the slot",
                () -> ExamplesEndToEndTest.demand(stack, "testapp--hold").inFlight() == 0);
    }

    @Test
    void aRequestWaitingForTheSlotOfAClientThatLeftIsServedOnceTheInputHasStopped(FerryStack stack) throws Exception {
        assertThat(stack.get("testapp--hold-one", "/").body()).isEqualTo("ok"); // a container is up
        CompletableFuture<HttpResponse<String>> waiting;
        try (Socket socket = new Socket("127.0.0.1", stack.port())) {
            socket.getOutputStream()
                    .write("GET /hold HTTP/1.1\r\nHost: testapp--hold-one.localhost\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            FerryStack.await(
                    "the hold running",
                    () -> stack.containerOutput.stream().anyMatch(l -> l.endsWith(" hold-one holding")));
            waiting = stack.client.sendAsync(
                    stack.request("testapp--hold-one", "/next").build(), HttpResponse.BodyHandlers.ofString());
            FerryStack.await(
                    "the next request queued",
                    () -> ExamplesEndToEndTest.demand(stack, "testapp--hold-one")
                                    .queued()
                            == 1);
        }

        // The container's one permit stays taken while the cancelled input cleans up; the
        // waiting request must get the slot after that, not be refused by the container.
        HttpResponse<String> next = waiting.get();
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("ok");
    }

    @Test
    void aContainerThatCannotStartGives503WithTheReasonAtOnce(FerryStack stack) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = stack.get("testapp--broken", "/");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body())
                .isEqualTo("container for testapp--broken failed to start on worker worker-dev: exited with code 1\n");
        // A start that failed will not succeed at once: the queue timeout, at most 5 s.
        assertThat(response.headers().firstValue("retry-after")).contains("5");
        // Not the 30 s queue timeout: the failure is reported as soon as it is known.
        assertThat((System.nanoTime() - started) / 1_000_000_000).isLessThan(25);
        List<ContainerInfo> containers = stack.containers("testapp--broken", ContainerState.READY);
        assertThat(containers).isEmpty();
    }

    private static int holding(FerryStack stack) {
        try {
            return Integer.parseInt(stack.get("testapp--hold", "/count").body().trim());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
