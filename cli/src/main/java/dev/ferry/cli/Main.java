package dev.ferry.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. {@code ./ferry test} is the launcher script's, not this jar's. */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        version = Main.VERSION,
        resourceBundle = "dev.ferry.cli.Help",
        description = "Self-hostable serverless HTTP functions.")
public final class Main implements Runnable {

    static final String VERSION = "ferry 0.1.0";

    /**
     * The subcommands by name, in the order the help lists them. Picocli reflects over a
     * command's options (and their types' classes) when it is added, so a run adds only the
     * one it runs: with all nine, building the command line was a third of {@code ferry ls}.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = execute(args);
        if (code != 0 || !Serving.serving()) {
            System.exit(code);
        }
    }

    /**
     * Runs the command that {@code args} name and returns its exit status: the plain forms of the
     * commonest client commands without picocli ({@link ClientArguments}), the rest through it.
     */
    static int execute(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(VERSION); // as picocli prints it, without building every subcommand first
            return 0;
        }
        Optional<Callable<Integer>> plain = ClientArguments.parse(args);
        if (plain.isEmpty()) {
            return commandLine(args.length == 0 ? "" : args[0]).execute(args);
        }
        try {
            return plain.get().call();
        } catch (Exception e) { // as the execution exception handler of commandLine() says it
            System.err.println("ferry " + args[0] + ": " + message(e));
            return 1;
        }
    }

    private static String message(Exception error) {
        return error.getMessage() == null ? error.toString() : error.getMessage();
    }

    /**
     * The command line, set up so that a failure prints one line naming the command and the
     * problem (a port in use, a bad duration, no dev server) instead of a stack trace.
     */
    static CommandLine commandLine() {
        return commandLine("");
    }

    /**
     * {@link #commandLine()} for arguments that start with {@code first}: with only that
     * subcommand where it names one, else with all of them (for the help, and the "did you
     * mean" of a mistyped one).
     */
    static CommandLine commandLine(String first) {
        CommandLine line = new CommandLine(new Main());
        Supplier<Object> only = SUBCOMMANDS.get(first);
        if (only != null) {
            line.addSubcommand(first, only.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> line.addSubcommand(name, command.get()));
        }
        return line.setExecutionExceptionHandler((error, command, parsed) -> {
            command.getErr().println("ferry " + command.getCommandName() + ": " + message(error));
            return 1;
        });
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("dev", DevCommand::new);
        commands.put("deploy", DeployCommand::new);
        commands.put("ls", LsCommand::new);
        commands.put("scale", ScaleCommand::new);
        commands.put("route", RouteCommand::new);
        commands.put("secret", SecretCommand::new);
        commands.put("logs", LogsCommand::new);
        commands.put("token", TokenCommand::new);
        commands.put("gateway", GatewayCommand::new);
        commands.put("controller", ControllerCommand::new);
        commands.put("worker", WorkerCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
