package dev.ferry.function.runtime;

import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What turns a pool member into a container: the worker writes it as one line on the member's
 * standard input (its only writer), and the member loads the function and reports ready.
 *
 * <p>The line: tab-separated {@code key=value} fields, in any order: {@code container-id},
 * {@code function} ({@code <app>--<function>}), {@code class}, {@code jar}, and one
 * {@code env.NAME} per environment variable the container gets. Values are escaped so that
 * they hold no tab or line break: {@code %} as {@code %25}, tab {@code %09}, line feed
 * {@code %0A}, carriage return {@code %0D}. The worker repeats this contract (it does not
 * depend on the runtime); a test pins the two together.
 *
 * @param containerId the container's id, for logs
 * @param function the function the container serves
 * @param className the user's class that implements it
 * @param jar the user's jar, where the member can read it
 * @param environment variables the container's code sees in {@link System#getenv()}
 */
public record Assignment(
        String containerId, FunctionId function, String className, Path jar, Map<String, String> environment) {

    private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public Assignment {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(jar, "jar");
        environment = Map.copyOf(environment);
    }

    /** Names the environment's variables, never their values: a secret's may be among them. */
    @Override
    public String toString() {
        return "Assignment[containerId=" + containerId + ", function=" + function + ", className=" + className
                + ", jar=" + jar + ", environment=" + new java.util.TreeSet<>(environment.keySet()) + "]";
    }

    /** This assignment as the line a worker writes (without the line feed). */
    public String toLine() {
        StringBuilder line = new StringBuilder();
        field(line, "container-id", containerId);
        field(line, "function", function.toString());
        field(line, "class", className);
        field(line, "jar", jar.toString());
        new java.util.TreeMap<>(environment).forEach((name, value) -> field(line, "env." + name, value));
        return line.toString();
    }

    /**
     * Parses a line written by {@link #toLine()} (or by the worker).
     *
     * @throws IllegalArgumentException naming the field that is missing, unknown or malformed
     */
    public static Assignment parse(String line) {
        String id = null, function = null, className = null, jar = null;
        Map<String, String> environment = new LinkedHashMap<>();
        for (String field : line.split("\t", -1)) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("assignment field \"" + shorten(field) + "\" (expected: key=value)");
            }
            String key = field.substring(0, eq);
            String value = unescape(field.substring(eq + 1));
            switch (key) {
                case "container-id" -> id = value;
                case "function" -> function = value;
                case "class" -> className = value;
                case "jar" -> jar = value;
                default -> {
                    if (!key.startsWith("env.")
                            || !ENVIRONMENT_NAME.matcher(key.substring(4)).matches()) {
                        throw new IllegalArgumentException("assignment field \"" + shorten(key)
                                + "\" (expected: container-id, function, class, jar or env.NAME)");
                    }
                    environment.put(key.substring(4), value);
                }
            }
        }
        return new Assignment(
                require(id, "container-id"),
                FunctionId.parse(require(function, "function")),
                require(className, "class"),
                Path.of(require(jar, "jar")),
                environment);
    }

    private static void field(StringBuilder line, String key, String value) {
        if (!line.isEmpty()) {
            line.append('\t');
        }
        line.append(key).append('=').append(escape(value));
    }

    static String escape(String value) {
        return value.replace("%", "%25")
                .replace("\t", "%09")
                .replace("\n", "%0A")
                .replace("\r", "%0D");
    }

    static String unescape(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            String code = i + 3 <= value.length() ? value.substring(i + 1, i + 3) : "";
            switch (code) {
                case "25" -> out.append('%');
                case "09" -> out.append('\t');
                case "0A" -> out.append('\n');
                case "0D" -> out.append('\r');
                default ->
                    throw new IllegalArgumentException(
                            "assignment value: escape \"%" + code + "\" (expected: %25, %09, %0A or %0D)");
            }
            i += 2;
        }
        return out.toString();
    }

    private static String require(String value, String key) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("assignment: " + key + " missing");
        }
        return value;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
