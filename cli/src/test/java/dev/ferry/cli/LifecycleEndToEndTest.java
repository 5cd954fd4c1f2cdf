package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.worker.Container;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Containers' lives: scale to zero, hooks, graceful stops, redeploys. */
@ExtendWith(FerryStackExtension.class)
class LifecycleEndToEndTest {

    @Test
    void aContainerIsStoppedAfterItsIdleWindow(FerryStack stack) throws Exception {
        assertThat(stack.get("testapp--brief", "/").statusCode()).isEqualTo(200);
        ContainerInfo container =
                stack.containers("testapp--brief", ContainerState.READY).get(0);
        long pid = stack.process(container.id()).pid();

        FerryStack.await(
                "the idle container to be stopped",
                () -> stack.dev.store().containers().stream().noneMatch(c -> c.id().equals(container.id())));
        FerryStack.await(
                "its process to exit",
                () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));

        // And back from zero on the next request.
        assertThat(stack.get("testapp--brief", "/").statusCode()).isEqualTo(200);
    }

    @Test
    void startHooksRunBeforeTheFirstInputAndAGracefulStopFinishesInputsThenRunsStopHooks(FerryStack stack)
            throws Exception {
        assertThat(stack.get("testapp--hooks", "/").body()).isEqualTo("started=true");
        // One request from zero starts one container, so /wait below runs on the one stopped.
        assertThat(stack.dev.store().containers())
                .filteredOn(c -> c.function().equals(FunctionId.parse("testapp--hooks")))
                .hasSize(1);
        ContainerInfo info =
                stack.containers("testapp--hooks", ContainerState.READY).get(0);
        Container container = stack.process(info.id());
        CompletableFuture<HttpResponse<String>> inFlight = stack.client.sendAsync(
                stack.request("testapp--hooks", "/wait").build(), HttpResponse.BodyHandlers.ofString());
        // Not the gateway's in-flight count: it still counts the first call until its container
        // has ended that call's stream, so it can read 1 before /wait has even arrived.
        FerryStack.await(
                "the input running in its container", () -> stack.containerOutput.contains(info.id() + " waiting"));

        CompletableFuture<Integer> exit = container.stop();

        assertThat(inFlight.get().statusCode()).isEqualTo(200);
        assertThat(exit.get()).isZero();
        assertThat(stack.containerOutput).contains(info.id() + " on-stop ran");
    }

    @Test
    void aRedeployServesTheNewVersionAndStopsTheOldContainers(FerryStack stack) throws Exception {
        assertThat(stack.get("testapp--boom", "/ok").statusCode()).isEqualTo(200);
        ContainerInfo old =
                stack.containers("testapp--boom", ContainerState.READY).get(0);

        Path jar = TestJars.jar(stack.home.resolve("build/testapp-2.jar"), TestApp.NAME, TestApp.class);
        AppDeployment v2 = stack.dev.deploy(jar, Optional.empty());
        assertThat(v2.version()).isNotEqualTo(old.version());

        // The old version serves until the new one has a container up (a redeploy starts it
        // beside the old one), then the old one drains and stops.
        assertThat(stack.get("testapp--boom", "/ok").statusCode()).isEqualTo(200);
        FerryStack.await(
                "the new version's container up",
                () -> stack.containers("testapp--boom", ContainerState.READY).stream()
                        .anyMatch(c -> c.version().equals(v2.version())));
        FerryStack.await(
                "the old version's container to stop",
                () -> stack.dev.store().containers().stream().noneMatch(c -> c.id().equals(old.id())));
        assertThat(stack.get("testapp--boom", "/ok").statusCode()).isEqualTo(200);
        assertThat(stack.containers("testapp--boom", ContainerState.READY))
                .extracting(ContainerInfo::version)
                .containsOnly(v2.version());
    }
}
