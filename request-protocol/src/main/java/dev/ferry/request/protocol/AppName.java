package dev.ferry.request.protocol;

/**
 * The name of an app: 1-30 lower-case letters, digits and single hyphens, starting with a
 * letter ({@link FunctionSettings#checkName}). Equal by value; prints as the bare name, the
 * form stores, URLs and the CLI use.
 *
 * @param value the name, e.g. {@code shop}
 */
public record AppName(String value) {

    public AppName {
        FunctionSettings.checkName("app", value);
    }

    /**
     * The app named {@code name}.
     *
     * @throws IllegalArgumentException naming the value, unless it is a valid name
     */
    public static AppName of(String name) {
        return new AppName(name);
    }

    /** The bare name, e.g. {@code shop}. */
    @Override
    public String toString() {
        return value;
    }
}
