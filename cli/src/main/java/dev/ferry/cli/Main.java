package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. {@code ./ferry test} is the launcher script's, not this jar's. */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        version = "ferry 0.1.0",
        resourceBundle = "dev.ferry.cli.Help",
        description = "Self-hostable serverless HTTP functions.",
        subcommands = {
            DevCommand.class,
            DeployCommand.class,
            LsCommand.class,
            ScaleCommand.class,
            RouteCommand.class,
            LogsCommand.class,
            GatewayCommand.class,
            ControllerCommand.class,
            WorkerCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0 || !Serving.serving()) {
            System.exit(code);
        }
    }

    /**
     * The command line, set up so that a failure prints one line naming the command and the
     * problem (a port in use, a bad duration, no dev server) instead of a stack trace.
     */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((error, command, parsed) -> {
            String message = error.getMessage() == null ? error.toString() : error.getMessage();
            command.getErr().println("ferry " + command.getCommandName() + ": " + message);
            return 1;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
