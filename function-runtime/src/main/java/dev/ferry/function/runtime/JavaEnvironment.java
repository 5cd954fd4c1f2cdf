package dev.ferry.function.runtime;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Gives a pool member its container's environment variables after the process has started.
 *
 * <p>The JDK reads the process environment once, into {@code java.lang.ProcessEnvironment},
 * and offers no way to change it; so this adds to that map by reflection (the worker starts
 * pool members with {@code --add-opens java.base/java.lang=ALL-UNNAMED}). Java code then sees
 * the variables through {@link System#getenv()}, and processes it starts inherit them. Native
 * code that calls the C library's {@code getenv} does not: which is why containers with GPUs
 * (CUDA reads {@code CUDA_VISIBLE_DEVICES} natively) are never served from the pool.
 */
final class JavaEnvironment {

    private JavaEnvironment() {}

    /**
     * Adds {@code variables} to this process's environment as Java sees it.
     *
     * @throws IllegalStateException when the JDK's environment cannot be reached (no
     *     {@code --add-opens java.base/java.lang=ALL-UNNAMED}, or another JDK's internals)
     */
    @SuppressWarnings("unchecked")
    static void add(Map<String, String> variables) {
        if (variables.isEmpty()) {
            return;
        }
        try {
            Class<?> processEnvironment = Class.forName("java.lang.ProcessEnvironment");
            Field field = processEnvironment.getDeclaredField("theEnvironment");
            field.setAccessible(true);
            Map<Object, Object> environment = (Map<Object, Object>) field.get(null);
            Method variable =
                    Class.forName("java.lang.ProcessEnvironment$Variable").getDeclaredMethod("valueOf", String.class);
            Method value =
                    Class.forName("java.lang.ProcessEnvironment$Value").getDeclaredMethod("valueOf", String.class);
            variable.setAccessible(true);
            value.setAccessible(true);
            for (Map.Entry<String, String> e : variables.entrySet()) {
                environment.put(variable.invoke(null, e.getKey()), value.invoke(null, e.getValue()));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot set the container's environment (" + e
                            + "); a pool member runs with --add-opens java.base/java.lang=ALL-UNNAMED",
                    e);
        }
    }
}
