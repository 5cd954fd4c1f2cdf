package dev.ferry.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.ScaleOverride;
import dev.ferry.routing.ScaleStatus;
import dev.ferry.routing.WorkerInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON shape of what {@code ferry ls} and {@code ferry deploy} show: apps, their
 * functions with URLs and settings, each function's scaling (the settings in force, the
 * autoscaler's last decision, containers starting and ready, calls in flight and queued)
 * and its containers with their state.
 */
final class StackView {

    static final ObjectMapper JSON = new ObjectMapper();

    private StackView() {}

    /**
     * What the store says of scaling: decisions and overrides by function version, and the
     * demand summed over gateways by the same key.
     */
    record Scaling(
            Map<VersionKey, ScaleStatus> statuses,
            Map<VersionKey, ScaleOverride> overrides,
            Map<VersionKey, FunctionLoad> loads) {
        static final Scaling NONE = new Scaling(Map.of(), Map.of(), Map.of());
    }

    static ObjectNode apps(
            List<AppDeployment> apps,
            List<ContainerInfo> containers,
            Scaling scaling,
            ControllerRole.FunctionUrls urls) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("apps");
        apps.forEach(app -> list.add(app(app, containers, scaling, urls)));
        return root;
    }

    static ObjectNode app(
            AppDeployment app, List<ContainerInfo> containers, Scaling scaling, ControllerRole.FunctionUrls urls) {
        ObjectNode node = JSON.createObjectNode()
                .put("name", app.app())
                .put("version", app.version())
                .put("deployedAt", app.deployedAt().toString());
        ArrayNode functions = node.putArray("functions");
        for (DeployedFunction f : app.functions()) {
            ObjectNode fn = functions
                    .addObject()
                    .put("name", f.settings().name())
                    .put("id", f.id().toString())
                    .put("url", urls.of(f.id().toString()))
                    .put("className", f.className())
                    .put("maxInputs", f.settings().maxInputs())
                    .put("timeoutSeconds", f.settings().timeout().toMillis() / 1000.0)
                    .put(
                            "scaledownWindowSeconds",
                            f.settings().scaledownWindow().toMillis() / 1000.0);
            ObjectNode resources = fn.putObject("resources")
                    .put("cpu", f.settings().cpu() > 0 ? f.settings().cpu() : ClusterView.DEFAULT_CPU)
                    .put(
                            "memoryMib",
                            f.settings().memoryMib() > 0 ? f.settings().memoryMib() : ClusterView.DEFAULT_MEMORY_MIB);
            f.settings().gpu().forEach(resources.putArray("gpu")::add);
            f.settings().workerLabels().forEach(resources.putArray("workerLabels")::add);
            scaling(fn.putObject("scaling"), f, containers, scaling);
            ArrayNode cs = fn.putArray("containers");
            for (ContainerInfo c : containers) {
                if (c.function().equals(f.id())) {
                    ObjectNode cn = cs.addObject()
                            .put("id", c.id())
                            .put("version", c.version())
                            .put("state", c.unplaced() ? "UNPLACED" : c.state().name())
                            .put("worker", c.worker())
                            .put("address", c.host() + ":" + c.port())
                            .put("startedAt", c.startedAt().toString());
                    c.resources().gpus().forEach(cn.putArray("gpus")::add);
                    if (!c.reason().isEmpty()) {
                        cn.put("reason", c.reason());
                    }
                }
            }
        }
        return node;
    }

    /** The settings in force, the last decision, and the containers and calls of the current version. */
    private static void scaling(ObjectNode n, DeployedFunction f, List<ContainerInfo> containers, Scaling scaling) {
        VersionKey key = f.versionKey();
        ScaleOverride override = scaling.overrides().get(key);
        try {
            settings(
                    n.putObject("settings"),
                    Autoscaling.settings(f.settings(), Optional.ofNullable(override)),
                    override != null);
        } catch (IllegalArgumentException e) {
            settings(n.putObject("settings"), AutoscalerSettings.from(f.settings()), false);
            n.put("overrideIgnored", e.getMessage());
        }
        int starting = 0, ready = 0, stopping = 0;
        for (ContainerInfo c : containers) {
            if (c.versionKey().equals(key)) {
                switch (c.state()) {
                    case PENDING, STARTING -> starting++;
                    case READY -> ready++;
                    case STOPPING -> stopping++;
                    case FAILED -> {}
                }
            }
        }
        FunctionLoad load = scaling.loads().get(key);
        ScaleStatus status = scaling.statuses().get(key);
        n.put("desired", status == null ? starting + ready : status.desired())
                .put("starting", starting)
                .put("ready", ready)
                .put("stopping", stopping)
                .put("inFlight", load == null ? 0 : load.inFlight())
                .put("queued", load == null ? 0 : load.queued());
        if (status != null) {
            n.putObject("decision")
                    .put("reason", status.reason())
                    .put("panic", status.panic())
                    .put("at", status.decidedAt().toString());
        }
    }

    private static void settings(ObjectNode n, AutoscalerSettings s, boolean overridden) {
        n.put("minContainers", s.minContainers())
                .put("maxContainers", s.maxContainers())
                .put("bufferContainers", s.bufferContainers())
                .put("targetInputs", s.targetInputs())
                .put("maxInputs", s.maxInputs())
                .put("scaledownWindowSeconds", s.scaledownWindow().toSeconds())
                .put("overridden", overridden);
    }

    /** The workers, with what they offer, how many containers each runs and how full its warm pool is. */
    static ArrayNode workers(ArrayNode list, List<WorkerInfo> workers, List<ContainerInfo> containers) {
        for (WorkerInfo w : workers) {
            ObjectNode n = list.addObject()
                    .put("id", w.id())
                    .put("host", w.host())
                    .put("cpus", w.cpus())
                    .put("memoryMib", w.memoryBytes() / (1024 * 1024))
                    .put(
                            "containers",
                            containers.stream()
                                    .filter(c -> c.worker().equals(w.id()))
                                    .count())
                    .put("heartbeat", w.heartbeat().toString());
            ArrayNode gpus = n.putArray("gpus");
            w.gpus()
                    .forEach(g -> gpus.addObject()
                            .put("index", g.index())
                            .put("uuid", g.uuid())
                            .put("model", g.model())
                            .put("memoryMib", g.memoryMib()));
            ObjectNode labels = n.putObject("labels");
            new java.util.TreeMap<>(w.labels()).forEach(labels::put);
            n.putObject("pool")
                    .put("size", w.pool().size())
                    .put("idle", w.pool().idle())
                    .put("starting", w.pool().starting());
        }
        return list;
    }
}
