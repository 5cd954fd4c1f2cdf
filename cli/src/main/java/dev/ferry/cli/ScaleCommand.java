package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.controller.AdminApi;
import dev.ferry.request.protocol.FunctionSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry scale APP FUNCTION [--min N] [--max N] [--buffer N] [--target-inputs N]
 * [--scaledown-window 30s]}: changes how a deployed function scales, without a redeploy;
 * the next deploy starts from the settings in its code again. With no option, shows the
 * settings in force.
 */
@Command(
        name = "scale",
        mixinStandardHelpOptions = true,
        description = {
            "Change how a deployed function scales, without a redeploy (the next deploy resets it).",
            "With no option, show the settings in force."
        })
final class ScaleCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "APP")
    String app;

    @Parameters(index = "1", paramLabel = "FUNCTION")
    String function;

    @Option(names = "--min", paramLabel = "N", description = "Containers kept even when idle.")
    Integer min;

    @Option(names = "--max", paramLabel = "N", description = "The most containers at once; 0 for no limit.")
    Integer max;

    @Option(
            names = "--buffer",
            paramLabel = "N",
            description = "Idle containers kept in reserve while the function is in use.")
    Integer buffer;

    @Option(
            names = "--target-inputs",
            paramLabel = "N",
            description = "Inputs per container the autoscaler aims at, 1 to the function's maxInputs.")
    Integer targetInputs;

    @Option(
            names = "--scaledown-window",
            paramLabel = "DURATION",
            description = "How long demand must stay low before containers stop, e.g. 30s or 5m.")
    String scaledownWindow;

    @Mixin
    AdminTarget target;

    @Override
    public Integer call() throws Exception {
        FunctionSettings.checkName("app", app);
        FunctionSettings.checkName("function", function);
        ObjectNode change = Json.object();
        if (min != null) {
            change.put("minContainers", min);
        }
        if (max != null) {
            change.put("maxContainers", max);
        }
        if (buffer != null) {
            change.put("bufferContainers", buffer);
        }
        if (targetInputs != null) {
            change.put("targetInputs", targetInputs);
        }
        if (scaledownWindow != null) {
            FunctionSettings.parseDuration(
                    "--scaledown-window", scaledownWindow); // a clear error here, not from the server
            change.put("scaledownWindow", scaledownWindow);
        }
        AdminClient client = target.client();
        String uri = AdminApi.SCALE_PATH + app + "/" + function;
        AdminClient.Response response = change.isEmpty()
                ? client.get(uri)
                : client.send("POST", uri, "application/json", Json.write(change, false));
        if (response.status() != 200) {
            System.err.print("ferry scale: " + response.body());
            return 1;
        }
        System.out.print(response.body());
        return 0;
    }
}
