package dev.ferry.perf.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs {@code ferry bench ARGS} in the test's JVM, as the quick tests do, and keeps what it printed. */
final class BenchCommand {

    /** A finished run: its exit status and what it printed on standard output. */
    record Ran(int exit, String printed) {}

    private BenchCommand() {}

    /**
     * Runs {@code args}, capturing standard output (also echoed, for the test's log). The
     * repository root is the bench's own unless FERRY_ROOT says otherwise: surefire runs in perf/.
     */
    static Ran run(String... args) {
        if (System.getenv("FERRY_ROOT") == null) {
            System.setProperty("ferry.root", Path.of("").toAbsolutePath().getParent().toString());
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new BenchMain()).execute(args);
        } finally {
            System.setOut(original);
        }
        String printed = stdout.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        return new Ran(exit, printed);
    }
}
