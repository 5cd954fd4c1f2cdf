package dev.ferry.worker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to run in a container: one function of a user's jar. Immutable.
 *
 * @param function the function id {@code <app>--<function>}
 * @param className the user's class that implements the function
 * @param jar the user's jar
 */
public record ContainerSpec(String function, String className, Path jar) {

    public ContainerSpec {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(jar, "jar");
        if (function.isBlank() || function.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(
                    "function: \"" + function + "\" (expected: an id like <app>--<function>, without whitespace)");
        }
        if (className.isBlank()) {
            throw new IllegalArgumentException("className: \"" + className + "\" (expected: a class name)");
        }
    }

    /** A spec for {@code function}, implemented by {@code className} in {@code jar}. */
    public static ContainerSpec of(String function, String className, Path jar) {
        return new ContainerSpec(function, className, jar);
    }
}
