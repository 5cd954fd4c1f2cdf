package dev.ferry.function.runtime;

import dev.ferry.request.protocol.FunctionSettings;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user's function class, checked: annotated, public, constructible, an {@link AsgiApp},
 * with well-formed lifecycle hooks.
 *
 * @param type the class
 * @param settings its validated settings
 * @param onStart its {@link OnStart} methods
 * @param onStop its {@link OnStop} methods
 */
public record FunctionClass(Class<?> type, FunctionSettings settings, List<Method> onStart, List<Method> onStop) {

    /**
     * Checks {@code type}.
     *
     * @throws IllegalArgumentException naming the class and what is wrong with it
     */
    public static FunctionClass of(Class<?> type) {
        FerryFunction annotation = type.getAnnotation(FerryFunction.class);
        if (annotation == null) {
            throw new IllegalArgumentException(type.getName() + ": not annotated with @FerryFunction");
        }
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + ": expected a public, non-abstract class");
        }
        if (!AsgiApp.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + ": expected to implement " + HttpHandler.class.getName()
                    + " or " + AsgiApp.class.getName());
        }
        if (Arrays.stream(type.getConstructors()).noneMatch(c -> c.getParameterCount() == 0)) {
            throw new IllegalArgumentException(type.getName() + ": expected a public no-argument constructor");
        }
        FunctionSettings settings;
        try {
            settings = settings(annotation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(type.getName() + ": @FerryFunction " + e.getMessage(), e);
        }
        return new FunctionClass(type, settings, hooks(type, OnStart.class), hooks(type, OnStop.class));
    }

    /** The settings declared by {@code annotation}, validated. */
    static FunctionSettings settings(FerryFunction annotation) {
        int target = annotation.targetInputs() == 0 ? annotation.maxInputs() : annotation.targetInputs();
        return new FunctionSettings(
                annotation.name(),
                annotation.maxInputs(),
                target,
                FunctionSettings.parseDuration("timeout", annotation.timeout()),
                FunctionSettings.parseDuration("scaledownWindow", annotation.scaledownWindow()),
                annotation.minContainers(),
                annotation.maxContainers(),
                annotation.bufferContainers(),
                annotation.cpu(),
                annotation.memoryMib(),
                List.of(annotation.gpu()),
                FunctionSettings.parseSize("maxRequestBody", annotation.maxRequestBody()),
                FunctionSettings.parseSize("maxWebSocketMessage", annotation.maxWebSocketMessage()),
                List.of(annotation.workerLabels()),
                annotation.maxQueued(),
                annotation.queueTimeout().isEmpty()
                        ? Duration.ZERO
                        : FunctionSettings.parseDuration("queueTimeout", annotation.queueTimeout()),
                annotation.requiresAuth(),
                List.of(annotation.secrets()),
                annotation.network());
    }

    /** A new instance of the class. */
    public AsgiApp newInstance() throws ReflectiveOperationException {
        Constructor<?> constructor = type.getConstructor();
        return (AsgiApp) constructor.newInstance();
    }

    private static List<Method> hooks(Class<?> type, Class<? extends java.lang.annotation.Annotation> marker) {
        List<Method> hooks = new ArrayList<>();
        for (Method method : type.getMethods()) {
            if (!method.isAnnotationPresent(marker)) {
                continue;
            }
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())) {
                throw new IllegalArgumentException(type.getName() + "." + method.getName() + ": @"
                        + marker.getSimpleName() + " expected on a public instance method without parameters");
            }
            hooks.add(method);
        }
        hooks.sort((a, b) -> a.getName().compareTo(b.getName()));
        return List.copyOf(hooks);
    }
}
