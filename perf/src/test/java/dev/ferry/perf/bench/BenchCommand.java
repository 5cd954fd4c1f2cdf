package dev.ferry.perf.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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
            System.setProperty(
                    "ferry.root", Path.of("").toAbsolutePath().getParent().toString());
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

    /** Runs {@code args} that the options check should refuse: its exit status and what it printed on standard error. */
    static Ran refused(String... args) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int exit;
        System.setErr(
                new PrintStream(stderr, true, StandardCharsets.UTF_8)); // where the option checks' CommandLine prints
        try {
            exit = new CommandLine(new BenchMain()).execute(args);
        } finally {
            System.setErr(original);
        }
        return new Ran(exit, stderr.toString(StandardCharsets.UTF_8));
    }

    /** Processes still running whose command line names {@code dir} (a run's output directory): what it left behind. */
    static List<String> leftovers(Path dir) {
        String name = dir.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(name))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .toList();
    }
}
