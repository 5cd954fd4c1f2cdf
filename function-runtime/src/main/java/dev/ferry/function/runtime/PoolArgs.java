package dev.ferry.function.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The command line of a pool member: {@code ContainerMain }{@value #FLAG}{@code  --member-id <id>
 * --port <port> --host <address> [--warm-up-calls <n>]}.
 *
 * <p>A pool member is a container process without a function yet. It binds its port, makes a
 * few synthetic calls to itself (its call path's classes load), prints
 * {@code ferry-pool-started <token>} ({@link #startedLine(String)}) and reads its standard input.
 * A line {@value #WARM_UP} makes it warm up on synthetic calls ({@link WarmUp}), then print
 * {@code ferry-pooled <token>} ({@link #pooledLine(String)}): the worker starts its members
 * together and warms them in turn, so that a member is there for a burst before its turn
 * comes. The next other line is its one {@link Assignment}: it loads that function, prints
 * {@code ferry-ready <token>} and is, from then on, that container, exactly as one started
 * with {@link ContainerArgs}. An assignment that arrives during the warm-up ends it early. End
 * of input before an assignment, or SIGTERM, ends the member with exit code 0.
 *
 * @param memberId the member's id, for logs
 * @param port the TCP port its call server binds, kept when it becomes a container
 * @param host the address it binds
 * @param warmUpCalls how many synthetic calls its warm-up makes; 0 for none
 */
public record PoolArgs(String memberId, int port, String host, int warmUpCalls) {

    /** The first argument of a pool member's command line. */
    public static final String FLAG = "--pool";

    /** Default {@link #warmUpCalls}: about what the JIT needs to compile the call path at full speed. */
    public static final int DEFAULT_WARM_UP_CALLS = 20_000;

    public PoolArgs {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("--port: " + port + " (expected: 1-65535)");
        }
        if (warmUpCalls < 0) {
            throw new IllegalArgumentException("--warm-up-calls: " + warmUpCalls + " (expected: >= 0)");
        }
    }

    /** The line on a member's standard input that starts its warm-up. */
    public static final String WARM_UP = "warm-up";

    /** The line a pool member prints on standard output once it has bound its port and takes instructions. */
    public static String startedLine(String token) {
        return "ferry-pool-started " + token;
    }

    /** The line a pool member prints on standard output once it has warmed up and waits for an assignment. */
    public static String pooledLine(String token) {
        return "ferry-pooled " + token;
    }

    /**
     * Parses the arguments after {@value #FLAG}.
     *
     * @throws IllegalArgumentException naming the missing, unknown or malformed option
     */
    public static PoolArgs parse(List<String> args) {
        String id = null, port = null, host = ContainerArgs.DEFAULT_HOST, calls = null;
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(option + ": missing value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--member-id" -> id = value;
                case "--port" -> port = value;
                case "--host" -> host = value;
                case "--warm-up-calls" -> calls = value;
                default -> unknown.add(option);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown options: " + unknown);
        }
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("--member-id: missing");
        }
        return new PoolArgs(
                id,
                number("--port", port),
                host,
                calls == null ? DEFAULT_WARM_UP_CALLS : number("--warm-up-calls", calls));
    }

    private static int number(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + ": missing");
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: a number)");
        }
    }
}
