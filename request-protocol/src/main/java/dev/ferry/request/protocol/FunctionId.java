package dev.ferry.request.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * Which function of which app: {@code <app>--<function>}, the form it takes in a host name
 * ({@code shop--cart.localhost}), in stored records and on the wire. Both parts follow
 * {@link FunctionSettings#checkName}, so neither holds "--" and the form parses one way only;
 * together they fit a 63-character DNS label. Equal by value, usable as a map key; ordered as
 * their printed forms are.
 *
 * @param app the app
 * @param name the function's name within the app, as in {@link FunctionSettings#name()}
 */
public record FunctionId(AppName app, String name) implements Comparable<FunctionId> {

    /** What separates the app from the function in {@link #toString()}. */
    private static final String SEPARATOR = "--";

    private static final String EXPECTED = " (expected: app--function, both " + FunctionSettings.NAME_RULE + ")";

    public FunctionId {
        Objects.requireNonNull(app, "app");
        FunctionSettings.checkName("function", name);
    }

    /**
     * Function {@code name} of {@code app}.
     *
     * @throws IllegalArgumentException naming the value that is not a valid name
     */
    public static FunctionId of(AppName app, String name) {
        return new FunctionId(app, name);
    }

    /**
     * Function {@code name} of app {@code app}.
     *
     * @throws IllegalArgumentException naming the value that is not a valid name
     */
    public static FunctionId of(String app, String name) {
        return new FunctionId(AppName.of(app), name);
    }

    /**
     * Parses {@code <app>--<function>}.
     *
     * @throws IllegalArgumentException naming the text and the form expected
     */
    public static FunctionId parse(String text) {
        return tryParse(text)
                .orElseThrow(() -> new IllegalArgumentException(
                        "function id: " + (text == null ? "null" : '"' + text + '"') + EXPECTED));
    }

    /**
     * Parses {@code <app>--<function>}; empty when {@code text} is not of that form. For input
     * that may well name no function (a Host header), where a failure is no exception.
     */
    public static Optional<FunctionId> tryParse(String text) {
        int sep = text == null ? -1 : text.indexOf(SEPARATOR);
        if (sep < 0) {
            return Optional.empty();
        }
        String app = text.substring(0, sep);
        String name = text.substring(sep + SEPARATOR.length());
        if (!FunctionSettings.isName(app) || !FunctionSettings.isName(name)) {
            return Optional.empty();
        }
        return Optional.of(new FunctionId(new AppName(app), name));
    }

    /**
     * By app, then function: the order of the printed forms, as '-' sorts before letters and
     * digits and a name never holds "--".
     */
    @Override
    public int compareTo(FunctionId other) {
        int byApp = app.value().compareTo(other.app.value());
        return byApp != 0 ? byApp : name.compareTo(other.name);
    }

    /** {@code <app>--<function>}, e.g. {@code shop--cart}: the id as hosts, records and messages show it. */
    @Override
    public String toString() {
        return app.value() + SEPARATOR + name;
    }
}
