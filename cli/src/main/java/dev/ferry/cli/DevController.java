package dev.ferry.cli;

import dev.ferry.gateway.FunctionDemand;
import dev.ferry.gateway.ScaleUpSignal;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import dev.ferry.worker.Container;
import dev.ferry.worker.ContainerListener;
import dev.ferry.worker.ContainerSpec;
import dev.ferry.worker.Worker;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The controller logic of {@code ferry dev}: starts a container for a function the moment a
 * request waits for one (scale from zero), mirrors container states into the routing store,
 * and stops containers the {@link IdleReaper} picks (scale to zero). One container per
 * function version; scaling beyond one is the autoscaler's job.
 *
 * <p>Thread-safe: the gateway, the worker's listener thread and the ticker call in.
 */
final class DevController implements ScaleUpSignal, ContainerListener {

    /** Told when a container could not start: the function id, version and reason. */
    interface StartFailures {
        void failed(String function, String version, String reason);
    }

    private final RoutingStore store;
    private final Worker worker;
    private final Supplier<List<FunctionDemand>> demand;
    private final Clock clock;
    private final StartFailures failures;
    private final Map<String, DeployedFunction> starting = new ConcurrentHashMap<>();
    private final Map<ContainerSpec, DeployedFunction> functionsBySpec = new ConcurrentHashMap<>();

    DevController(RoutingStore store, Worker worker, Supplier<List<FunctionDemand>> demand, Clock clock,
                  StartFailures failures) {
        this.store = store;
        this.worker = worker;
        this.demand = demand;
        this.clock = clock;
        this.failures = failures;
        worker.addListener(this);
    }

    @Override
    public void scaleUp(DeployedFunction function) {
        String key = startingKey(function);
        for (ContainerInfo c : store.containers()) {
            if (c.function().equals(function.id()) && c.version().equals(function.version())
                    && c.state() != ContainerState.STOPPING) {
                return; // one is starting or ready; requests wait for its slots
            }
        }
        if (starting.putIfAbsent(key, function) != null) {
            return;
        }
        ContainerSpec spec = ContainerSpec.of(function.id(), function.className(), function.jar());
        functionsBySpec.put(spec, function);
        worker.start(spec).whenComplete((container, error) -> {
            // On success the key goes when the store hears of the container (stateChanged):
            // the worker may complete this future before it delivers the state, and a tick
            // in between would see neither and start a second container.
            if (error != null) {
                starting.remove(key);
                String reason = error.getCause() != null && error.getCause().getMessage() != null
                        ? error.getCause().getMessage() : String.valueOf(error.getMessage());
                System.err.println("ferry: container for " + function.id() + " failed to start: " + reason);
                failures.failed(function.id(), function.version(),
                        "container for " + function.id() + " failed to start; see the dev server log");
            }
        });
    }

    @Override
    public void stateChanged(Container container, dev.ferry.worker.ContainerState state) {
        DeployedFunction function = functionsBySpec.get(container.spec());
        if (function == null) {
            return;
        }
        updateStore(container, function, state);
        if (state == dev.ferry.worker.ContainerState.STARTING || state == dev.ferry.worker.ContainerState.READY) {
            starting.remove(startingKey(function)); // the store covers it from now on
        }
    }

    private void updateStore(Container container, DeployedFunction function, dev.ferry.worker.ContainerState state) {
        switch (state) {
            case STARTING -> store.putContainer(info(container, function, ContainerState.STARTING));
            case READY -> store.putContainer(info(container, function, ContainerState.READY));
            case STOPPING -> store.putContainer(info(container, function, ContainerState.STOPPING));
            case EXITED -> store.removeContainer(container.id());
        }
    }

    /**
     * Reconciles, called by a ticker: starts a container for every function version that has
     * requests waiting and none starting or ready (its container died with requests queued),
     * and stops the containers that have been idle for their scaledown window.
     */
    void tick() {
        for (FunctionDemand d : demand.get()) {
            if (d.queued() > 0) {
                int sep = d.function().indexOf("--");
                store.app(d.function().substring(0, sep))
                        .filter(app -> app.version().equals(d.version()))
                        .flatMap(app -> app.function(d.function().substring(sep + 2)))
                        .ifPresent(this::scaleUp);
            }
        }
        for (String id : IdleReaper.containersToStop(clock.instant(), store.containers(), demand.get(), store.apps())) {
            store.containers().stream().filter(c -> c.id().equals(id)).findFirst()
                    .ifPresent(c -> store.putContainer(c.withState(ContainerState.STOPPING))); // out of placement first
            worker.container(id).ifPresent(Container::stop);
        }
    }

    private static String startingKey(DeployedFunction function) {
        return function.id() + '@' + function.version();
    }

    private static ContainerInfo info(Container container, DeployedFunction function, ContainerState state) {
        return new ContainerInfo(container.id(), function.id(), function.version(), container.address().getHostString(),
                container.port(), state, function.settings().maxInputs(), container.startedAt());
    }
}
