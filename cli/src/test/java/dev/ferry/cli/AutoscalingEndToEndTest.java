package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler with real container processes: a burst from zero scales out with no
 * error and comes back to zero after its (shortened) scaledown window, and a scale-down
 * drains a long stream instead of cutting it.
 */
class AutoscalingEndToEndTest {

    private static FerryStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new FerryStack(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
        assertThat(stack.livePids()).isEmpty();
    }

    private static void scale(String function, String... options) {
        List<String> args = new ArrayList<>(List.of("scale", "examples", function));
        args.addAll(List.of(options));
        args.addAll(
                List.of("--controller", "http://127.0.0.1:" + stack.dev.adminPort(), "--home", stack.home.toString()));
        CliTest.Run run = CliTest.ferry(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    /** Containers of {@code function} that count as capacity: placed or unplaced, starting or ready. */
    private static List<ContainerInfo> serving(String function) {
        return stack.dev.store().containers().stream()
                .filter(c -> c.function().equals(FunctionId.parse(function)))
                .filter(c -> c.state() != ContainerState.STOPPING && c.state() != ContainerState.FAILED)
                .toList();
    }

    private static List<ContainerInfo> all(String function) {
        return stack.dev.store().containers().stream()
                .filter(c -> c.function().equals(FunctionId.parse(function)))
                .toList();
    }

    @Test
    void fortyConcurrentSlowCallsScaleOutWithNoErrorAndTheFunctionReturnsToZero() throws Exception {
        scale("slow", "--scaledown-window", "3s");
        assertThat(all("examples--slow")).isEmpty();

        // Watch the container count while the burst runs (bounded: it stops with the test).
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (watching.get() && System.nanoTime() < deadline) {
                most.accumulateAndGet(serving("examples--slow").size(), Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        });

        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            burst.add(stack.client.sendAsync(
                    stack.request("examples--slow", "/?ms=2000").build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : burst) {
            HttpResponse<String> response = call.get(90, TimeUnit.SECONDS);
            if (response.statusCode() != 200) {
                failures.add(response.statusCode() + " " + response.body().strip());
            }
        }
        assertThat(failures).as("errors during the burst").isEmpty();
        assertThat(most.get())
                .as("containers at the peak (40 calls, 4 inputs each)")
                .isGreaterThanOrEqualTo(10);

        // A trickle of calls while it scales down: none may fail.
        List<String> trickleFailures = new CopyOnWriteArrayList<>();
        int trickled = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (serving("examples--slow").size() > 2 && System.nanoTime() < deadline) {
            HttpResponse<String> response = stack.get("examples--slow", "/?ms=50");
            trickled++;
            if (response.statusCode() != 200) {
                trickleFailures.add(
                        response.statusCode() + " " + response.body().strip());
            }
        }
        assertThat(serving("examples--slow").size())
                .as("scaled down under a trickle of calls")
                .isLessThanOrEqualTo(2);
        assertThat(trickleFailures)
                .as("errors among %d calls during the scale-down", trickled)
                .isEmpty();

        FerryStack.await(
                "examples--slow back to zero containers after its 3 s window",
                () -> all("examples--slow").isEmpty());
        watching.set(false);
        watcher.join();
    }

    @Test
    void aScaleDownDuringALongSseStreamDrainsTheStreamInsteadOfCuttingIt() throws Exception {
        scale("sse", "--min", "3", "--scaledown-window", "2s");
        FerryStack.await(
                "three sse containers ready",
                () -> stack.containers("examples--sse", ContainerState.READY).size() == 3);

        // 12 events a second apart: longer than the worker's 10 s stop grace.
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> stream = stack.client.sendAsync(
                stack.request("examples--sse", "/?n=12&interval_ms=1000").build(), HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> read = stream.thenAccept(response ->
                response.body().filter(line -> line.startsWith("data: ")).forEach(events::add));
        FerryStack.await("the stream's first event", () -> !events.isEmpty());

        scale("sse", "--min", "0");
        FerryStack.await(
                "the two idle sse containers stopped",
                () -> serving("examples--sse").size() == 1);
        ContainerInfo streaming = serving("examples--sse").getFirst();
        assertThat(events).as("the stream goes on").hasSizeLessThan(12);

        // Even one told to stop while it streams (a scale-down that raced with the call) drains it.
        stack.dev.store().putContainer(streaming.withState(ContainerState.STOPPING));

        read.get(60, TimeUnit.SECONDS);
        assertThat(stream.get().statusCode()).isEqualTo(200);
        assertThat(events).as("every event of the stream").hasSize(12);
        FerryStack.await(
                "examples--sse back to zero containers",
                () -> all("examples--sse").isEmpty());
    }

    @Test
    void aContainerStoppedWhileItStartsIsNoFailure() throws Exception {
        var echo = stack.dev
                .store()
                .app("examples")
                .flatMap(a -> a.function("echo"))
                .orElseThrow();
        ContainerInfo wanted = ContainerInfo.unplaced(
                        dev.ferry.worker.Worker.newContainerId(),
                        echo,
                        "waiting for placement",
                        java.time.Instant.now())
                .placedOn(
                        "worker-dev",
                        new dev.ferry.routing.ContainerResources(0.125, 128, List.of()),
                        java.time.Instant.now());
        List<ContainerState> states = new CopyOnWriteArrayList<>();
        dev.ferry.routing.RoutingListener listener = new dev.ferry.routing.RoutingListener() {
            @Override
            public void containerUpdated(ContainerInfo container) {
                if (container.id().equals(wanted.id())) {
                    states.add(container.state());
                }
            }
        };
        stack.dev.store().subscribe(listener);
        try {
            stack.dev.store().putContainer(wanted);
            FerryStack.await("the container starting", () -> states.contains(ContainerState.STARTING));
            // A scale-down names it while it starts (the autoscaler stops idle ones, starting ones included).
            stack.dev.store().putContainer(wanted.withState(ContainerState.STOPPING));
            FerryStack.await(
                    "the container gone",
                    () -> all("examples--echo").stream().noneMatch(c -> c.id().equals(wanted.id())));
        } finally {
            stack.dev.store().unsubscribe(listener);
        }
        assertThat(states).as("its states").doesNotContain(ContainerState.FAILED);
    }
}
