package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.ContainerInfo;
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
            ArrayNode cs = fn.putArray("containers");
            for (ContainerInfo c : containers) {
                if (c.function().equals(f.id())) {
                    cs.addObject()
                            .put("id", c.id())
                            .put("version", c.version())
                            .put("state", c.state().name())
                            .put("address", c.host() + ":" + c.port())
                            .put("startedAt", c.startedAt().toString());
                }
            }
        }
        return node;
    }

    /** Makes a function's public URL. */
    interface FunctionUrls {
        String of(String functionId);
    }
}
