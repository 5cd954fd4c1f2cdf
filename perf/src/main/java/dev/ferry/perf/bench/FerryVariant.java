package dev.ferry.perf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One way of running {@code ferry dev} for the start-up rows: a name, the report's column, and
 * the arguments added to {@code ferry dev}'s own, passed through as they are. The worker's
 * warm pool is chosen this way ({@code --warm-pool 0} turns it off), so the bench needs no
 * option of its own for each new {@code ferry dev} option; one that {@code ferry dev} does not
 * know makes that variant's start fail, which the report says.
 *
 * @param name lower-case letters, digits and hyphens, at most 30 (it names a directory too)
 * @param devArguments added to {@code ferry dev}'s arguments, in order
 */
record FerryVariant(String name, List<String> devArguments) {

    /**
     * The worker's pool off ({@code --warm-pool 0}: a fresh JVM per container, the behaviour
     * before issue 14), then {@code ferry dev} as it comes. The goals are judged on the last.
     */
    static final List<String> DEFAULTS = List.of("pool-off=--warm-pool 0", "default=");

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,29}");

    FerryVariant {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "variant name: \"" + name + "\" (expected: 1-30 lower-case letters, digits and hyphens)");
        }
        devArguments = List.copyOf(devArguments);
    }

    /**
     * {@code NAME=ARGS}: ARGS split on white space, none when empty; {@code pool-off=--warm-pool 0}
     * is the variant "pool-off" with the arguments {@code --warm-pool} and {@code 0}.
     *
     * @throws IllegalArgumentException naming {@code spec} when it has no {@code =} or a bad name
     */
    static FerryVariant parse(String spec) {
        int equals = spec.indexOf('=');
        if (equals < 0) {
            throw new IllegalArgumentException("variant: \"" + spec
                    + "\" (expected: NAME=ARGS, such as pool-off=--warm-pool 0, or NAME= for no arguments)");
        }
        List<String> arguments = new ArrayList<>();
        for (String argument : spec.substring(equals + 1).trim().split("\\s+")) {
            if (!argument.isEmpty()) {
                arguments.add(argument);
            }
        }
        return new FerryVariant(spec.substring(0, equals).trim(), arguments);
    }

    /** The arguments as the report shows them: joined by spaces, "(none)" when there are none. */
    String shownArguments() {
        return devArguments.isEmpty() ? "(none)" : String.join(" ", devArguments);
    }
}
