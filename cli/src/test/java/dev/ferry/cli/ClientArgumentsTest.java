package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ClientArguments} reads what it reads as picocli does, and leaves the rest to picocli. */
class ClientArgumentsTest {

    @Test
    void setsTheFieldsPicocliSets() {
        List<List<String>> plain = List.of(
                List.of("ls"),
                List.of("ls", "--json"),
                List.of("ls", "--json", "--home", "/tmp/h"),
                List.of("ls", "--home=/tmp/h", "--controller", "http://10.0.0.2:7070"),
                List.of("ls", "--controller=http://10.0.0.2:7070/", "--json"),
                List.of("deploy", "app.jar"),
                List.of("deploy", "build/app.jar", "--name", "my-app"),
                List.of("deploy", "--name=my-app", "app.jar", "--home", "/tmp/h"),
                List.of("deploy", "app.jar", "--controller", "http://10.0.0.2:7070", "--home=h"),
                List.of("logs", "app"),
                List.of("logs", "app", "greet"),
                List.of("logs", "app", "-f"),
                List.of("logs", "app", "greet", "--follow", "--tail", "5"),
                List.of("logs", "--tail=0", "app", "--home", "/tmp/h"),
                List.of("logs", "app", "--tail", "10000", "--controller", "http://10.0.0.2:7070"));
        for (List<String> args : plain) {
            Object quick = ClientArguments.parse(args.toArray(String[]::new))
                    .orElseThrow(() -> new AssertionError("not read without picocli: " + args));
            Object picocli = Main.commandLine(args.get(0))
                    .parseArgs(args.toArray(String[]::new))
                    .subcommand()
                    .commandSpec()
                    .userObject();
            assertThat(fields(quick)).as("%s", args).isEqualTo(fields(picocli));
        }
    }

    @Test
    void leavesHelpMistakesAndEverythingElseToPicocli() {
        List<List<String>> others = List.of(
                List.of(),
                List.of("--version"),
                List.of("--help"),
                List.of("lss"),
                List.of("scale", "app", "fn"),
                List.of("dev"),
                List.of("ls", "--help"),
                List.of("ls", "-h"),
                List.of("ls", "-V"),
                List.of("ls", "extra"),
                List.of("ls", "--json", "--json"),
                List.of("ls", "--json=true"),
                List.of("ls", "--bogus"),
                List.of("ls", "--home"),
                List.of("ls", "--home", "--json"),
                List.of("ls", "--controller", "a", "--controller", "b"),
                List.of("deploy"),
                List.of("deploy", "a.jar", "b.jar"),
                List.of("deploy", "a.jar", "--name", "a", "--name", "b"),
                List.of("deploy", "--", "a.jar"),
                List.of("logs"),
                List.of("logs", "app", "fn", "extra"),
                List.of("logs", "app", "-f", "--follow"),
                List.of("logs", "app", "-f", "-f"),
                List.of("logs", "app", "-fh"),
                List.of("logs", "app", "--tail", "-1"),
                List.of("logs", "app", "--tail=-1"),
                List.of("logs", "app", "--tail", "010"),
                List.of("logs", "app", "--tail", "0x10"),
                List.of("logs", "app", "--tail", "many"),
                List.of("logs", "app", "--tail", "99999999999"));
        for (List<String> args : others) {
            assertThat(ClientArguments.parse(args.toArray(String[]::new)))
                    .as("%s", args)
                    .isEmpty();
        }
    }

    @Test
    void failsAsPicocliDoesWithOneLineNamingTheCommand() {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute("ls", "--controller", "ftp://10.0.0.2");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("ferry ls: admin API URL: ftp://10.0.0.2/v1/apps (expected: http:// or https://)"
                        + System.lineSeparator());
    }

    @Test
    void printsTheVersionAsPicocliDoes() {
        assertThat(stdout(() -> Main.execute("--version")))
                .isEqualTo(stdout(() -> Main.commandLine().execute("--version")))
                .isEqualTo(stdout(() -> Main.execute("-V")))
                .isEqualTo("ferry 0.1.0" + System.lineSeparator());
    }

    private static String stdout(java.util.function.IntSupplier run) {
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertThat(run.getAsInt()).isZero();
        } finally {
            System.setOut(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** What a command was told: its fields, and its admin target's, by name. */
    private static String fields(Object command) {
        return switch (command) {
            case LsCommand ls -> "ls json=" + ls.json + target(ls.target);
            case DeployCommand deploy -> "deploy jar=" + deploy.jar + " name=" + deploy.name + target(deploy.target);
            case LogsCommand logs ->
                "logs app=" + logs.app + " function=" + logs.function + " follow=" + logs.follow + " tail=" + logs.tail
                        + target(logs.target);
            default -> throw new AssertionError("not a client command: " + command);
        };
    }

    private static String target(AdminTarget target) {
        return " controller=" + target.controller + " home=" + target.home.home;
    }
}
