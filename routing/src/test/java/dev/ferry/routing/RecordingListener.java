package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Writes down what a {@link RoutingListener} hears, one short line per callback. */
class RecordingListener implements RoutingListener {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void appDeployed(AppDeployment deployment) {
        add("app " + deployment.app() + "@" + deployment.version());
    }

    @Override
    public void routeUpdated(String host, FunctionId function) {
        add("route " + host + "=" + function);
    }

    @Override
    public void routeRemoved(String host) {
        add("-route " + host);
    }

    @Override
    public void containerUpdated(ContainerInfo container) {
        add("container " + container.id() + " " + container.state());
    }

    @Override
    public void containerRemoved(ContainerInfo container) {
        add("-container " + container.id());
    }

    @Override
    public void workerUpdated(WorkerInfo worker) {
        add("worker " + worker.id() + " " + worker.heartbeat());
    }

    @Override
    public void workerRemoved(WorkerInfo worker) {
        add("-worker " + worker.id());
    }

    @Override
    public void demandSampled(DemandSample sample) {
        add("demand " + sample.key() + " " + sample.inFlight());
    }

    @Override
    public void resynced(boolean dataLost) {
        add("resynced " + dataLost);
    }

    private void add(String event) {
        threads.add(Thread.currentThread().getName());
        events.add(event);
    }

    /** Everything heard so far, in order. */
    List<String> events() {
        return List.copyOf(events);
    }

    /** What was heard, without resyncs: those are the Redis store's own business. */
    List<String> changes() {
        return events.stream().filter(e -> !e.startsWith("resynced")).toList();
    }

    /** The names of the threads the callbacks came on. */
    List<String> threads() {
        return List.copyOf(threads);
    }

    boolean heard(String event) {
        return events.contains(event);
    }

    void awaitHeard(String event, Duration timeout) {
        Await.until(timeout, () -> heard(event), () -> "\"" + event + "\"; heard " + events);
    }
}
