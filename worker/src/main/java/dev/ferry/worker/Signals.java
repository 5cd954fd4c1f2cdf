package dev.ferry.worker;

import java.util.Map;

/** Names of the common Linux signals, for exit reasons people read. */
final class Signals {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "SIGHUP"),
            Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"),
            Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"),
            Map.entry(6, "SIGABRT"),
            Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"),
            Map.entry(10, "SIGUSR1"),
            Map.entry(11, "SIGSEGV"),
            Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"),
            Map.entry(15, "SIGTERM"),
            Map.entry(24, "SIGXCPU"),
            Map.entry(25, "SIGXFSZ"),
            Map.entry(31, "SIGSYS"));

    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    private Signals() {}

    /** The signal an exit code stands for ({@code 128 + n}, n from 1 to 64), else 0. */
    static int fromExitCode(int exitCode) {
        return exitCode > 128 && exitCode <= 128 + 64 ? exitCode - 128 : 0;
    }

    /** {@code signal 9 (SIGKILL)}, or {@code signal 40} for one without a common name. */
    static String describe(int signal) {
        String name = NAMES.get(signal);
        return name == null ? "signal " + signal : "signal " + signal + " (" + name + ")";
    }
}
