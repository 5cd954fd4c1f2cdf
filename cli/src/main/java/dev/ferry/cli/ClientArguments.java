package dev.ferry.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The plain forms of {@code ferry ls}, {@code deploy} and {@code logs}, read without picocli:
 * picocli's first use costs a client command about 100 ms (its classes are Java 5 class files,
 * which the AOT cache cannot hold, and it builds its model by reflection), half of what
 * {@code ferry ls} may take.
 *
 * <p>{@link #parse} sets the command's fields as picocli's parse of the same arguments would (a
 * test holds the two to that), or declines: for anything but the command's own options with
 * their values, in the forms {@code --name value} and {@code --name=value}, each at most once. So
 * help, a mistake and every message about one still come from picocli, in {@link Main}.
 */
final class ClientArguments {

    private ClientArguments() {}

    /** The command to run for {@code args}, or empty for picocli to parse them. */
    static Optional<Callable<Integer>> parse(String[] args) {
        if (args.length == 0) {
            return Optional.empty();
        }
        List<String> rest = List.of(args).subList(1, args.length);
        return Optional.ofNullable(
                switch (args[0]) {
                    case "ls" -> ls(rest);
                    case "deploy" -> deploy(rest);
                    case "logs" -> logs(rest);
                    default -> null;
                });
    }

    private static LsCommand ls(List<String> args) {
        Parsed parsed = Parsed.of(args, Set.of("--json"), target(Set.of()));
        if (parsed == null || !parsed.positionals.isEmpty()) {
            return null;
        }
        LsCommand ls = new LsCommand();
        ls.json = parsed.flags.contains("--json");
        ls.target = parsed.target();
        return ls.target == null ? null : ls;
    }

    private static DeployCommand deploy(List<String> args) {
        Parsed parsed = Parsed.of(args, Set.of(), target(Set.of("--name")));
        if (parsed == null || parsed.positionals.size() != 1) {
            return null;
        }
        DeployCommand deploy = new DeployCommand();
        deploy.jar = path(parsed.positionals.get(0));
        deploy.name = parsed.values.get("--name");
        deploy.target = parsed.target();
        return deploy.jar == null || deploy.target == null ? null : deploy;
    }

    private static LogsCommand logs(List<String> args) {
        Parsed parsed = Parsed.of(args, Set.of("-f", "--follow"), target(Set.of("--tail")));
        if (parsed == null
                || parsed.positionals.isEmpty()
                || parsed.positionals.size() > 2
                || (parsed.flags.contains("-f") && parsed.flags.contains("--follow"))) {
            return null;
        }
        LogsCommand logs = new LogsCommand();
        logs.app = parsed.positionals.get(0);
        logs.function = parsed.positionals.size() == 2 ? parsed.positionals.get(1) : null;
        logs.follow = parsed.flags.contains("-f") || parsed.flags.contains("--follow");
        String tail = parsed.values.get("--tail");
        if (tail != null) {
            if (!tail.matches("0|[1-9][0-9]{0,8}")) {
                return null; // a sign, a radix, a mistake: picocli says what a number is
            }
            logs.tail = Integer.parseInt(tail);
        }
        logs.target = parsed.target();
        return logs.target == null ? null : logs;
    }

    /** The options that take a value: a command's own and {@link AdminTarget}'s. */
    private static Set<String> target(Set<String> own) {
        Set<String> names = new HashSet<>(own);
        names.add("--controller");
        names.add("--home");
        return names;
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Arguments split into positionals, flags and valued options; null where picocli should look. */
    private record Parsed(List<String> positionals, Set<String> flags, Map<String, String> values) {

        static Parsed of(List<String> args, Set<String> flagNames, Set<String> valueNames) {
            List<String> positionals = new ArrayList<>();
            Set<String> flags = new HashSet<>();
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("-")) {
                    positionals.add(arg);
                    continue;
                }
                int equals = arg.indexOf('=');
                String name = equals < 0 ? arg : arg.substring(0, equals);
                if (flagNames.contains(name) && equals < 0) {
                    if (!flags.add(name)) {
                        return null;
                    }
                } else if (valueNames.contains(name)) {
                    String value;
                    if (equals >= 0) {
                        value = arg.substring(equals + 1);
                    } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                        value = args.get(++i);
                    } else {
                        return null; // a missing value, or one that looks like an option
                    }
                    if (values.put(name, value) != null) {
                        return null; // given twice
                    }
                } else {
                    return null; // help, --version, "--", an unknown option
                }
            }
            return new Parsed(positionals, flags, values);
        }

        /** {@link AdminTarget} as picocli fills it, with its {@link HomeOption}. */
        AdminTarget target() {
            AdminTarget target = new AdminTarget();
            target.controller = values.get("--controller");
            target.home = new HomeOption();
            String home = values.get("--home");
            if (home != null) {
                target.home.home = path(home);
                if (target.home.home == null) {
                    return null;
                }
            }
            return target;
        }
    }
}
