package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.WorkerInfo;
import dev.ferry.routing.DeployedFunction;
import java.util.List;

/**
 * The JSON shape of what {@code ferry ls} and {@code ferry deploy} show: apps, their
 * functions with URLs and settings, and each function's containers with their state.
 */
final class StackView {

    static final ObjectMapper JSON = new ObjectMapper();

    private StackView() {}

    static ObjectNode apps(List<AppDeployment> apps, List<ContainerInfo> containers, FunctionUrls urls) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("apps");
        apps.forEach(app -> list.add(app(app, containers, urls)));
        return root;
    }

    static ObjectNode app(AppDeployment app, List<ContainerInfo> containers, FunctionUrls urls) {
        ObjectNode node = JSON.createObjectNode()
                .put("name", app.app())
                .put("version", app.version())
                .put("deployedAt", app.deployedAt().toString());
        ArrayNode functions = node.putArray("functions");
        for (DeployedFunction f : app.functions()) {
            ObjectNode fn = functions.addObject()
                    .put("name", f.settings().name())
                    .put("id", f.id())
                    .put("url", urls.of(f.id()))
                    .put("className", f.className())
                    .put("maxInputs", f.settings().maxInputs())
                    .put("timeoutSeconds", f.settings().timeout().toMillis() / 1000.0)
                    .put("scaledownWindowSeconds", f.settings().scaledownWindow().toMillis() / 1000.0);
            ObjectNode resources = fn.putObject("resources")
                    .put("cpu", f.settings().cpu() > 0 ? f.settings().cpu() : ClusterView.DEFAULT_CPU)
                    .put("memoryMib", f.settings().memoryMib() > 0 ? f.settings().memoryMib() : ClusterView.DEFAULT_MEMORY_MIB);
            f.settings().gpu().forEach(resources.putArray("gpu")::add);
            f.settings().workerLabels().forEach(resources.putArray("workerLabels")::add);
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

    /** The workers, with what they offer and how many containers each runs. */
    static ArrayNode workers(ArrayNode list, List<WorkerInfo> workers, List<ContainerInfo> containers) {
        for (WorkerInfo w : workers) {
            ObjectNode n = list.addObject()
                    .put("id", w.id())
                    .put("host", w.host())
                    .put("cpus", w.cpus())
                    .put("memoryMib", w.memoryBytes() / (1024 * 1024))
                    .put("containers", containers.stream().filter(c -> c.worker().equals(w.id())).count())
                    .put("heartbeat", w.heartbeat().toString());
            ArrayNode gpus = n.putArray("gpus");
            w.gpus().forEach(g -> gpus.addObject().put("index", g.index()).put("uuid", g.uuid()).put("model", g.model())
                    .put("memoryMib", g.memoryMib()));
            ObjectNode labels = n.putObject("labels");
            new java.util.TreeMap<>(w.labels()).forEach(labels::put);
        }
        return list;
    }

    /** Makes a function's public URL. */
    interface FunctionUrls {
        String of(String functionId);
    }
}
