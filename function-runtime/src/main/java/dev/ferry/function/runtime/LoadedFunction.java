package dev.ferry.function.runtime;

import dev.ferry.request.protocol.FunctionId;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A user's function, loaded: its jar in a class loader of its own, its checked class, the
 * instance whose {@link OnStart} hooks have run, and the call service that serves it. The same
 * for a container started fresh and for a pool member given an assignment.
 */
final class LoadedFunction {

    private final URLClassLoader loader;
    private final FunctionClass function;
    private final Object instance;
    private final FunctionCallService service;

    private LoadedFunction(
            URLClassLoader loader, FunctionClass function, Object instance, FunctionCallService service) {
        this.loader = loader;
        this.function = function;
        this.instance = instance;
        this.service = service;
    }

    /**
     * Loads {@code className} from {@code jar}, checks it is {@code function}, makes an instance
     * and runs its start hooks (with the jar's loader as the context class loader).
     *
     * @throws IOException when the jar is not there
     * @throws IllegalArgumentException when the class is not a function, or another one
     * @throws ContainerMain.HookFailedException when a start hook throws
     */
    static LoadedFunction load(FunctionId id, String className, Path jar, ScheduledExecutorService timer)
            throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("jar not found: " + jar);
        }
        URLClassLoader loader =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, LoadedFunction.class.getClassLoader());
        FunctionClass function = FunctionClass.of(Class.forName(className, true, loader));
        String expected = id.name();
        if (!function.settings().name().equals(expected)) {
            throw new IllegalArgumentException(
                    className + " is function \"" + function.settings().name() + "\", not \"" + expected + "\"");
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            AsgiApp app = function.newInstance();
            runHooks(function.onStart(), app);
            FunctionCallService service =
                    new FunctionCallService(id.toString(), app, loader, function.settings(), timer);
            return new LoadedFunction(loader, function, app, service);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    FunctionCallService service() {
        return service;
    }

    /** The function's timeout: the longest an input runs, so the longest a drain waits. */
    Duration timeout() {
        return function.settings().timeout();
    }

    /** Runs the {@link OnStop} hooks with the jar's loader as the context class loader. */
    void runStopHooks() throws Exception {
        Thread.currentThread().setContextClassLoader(loader);
        runHooks(function.onStop(), instance);
    }

    private static void runHooks(List<Method> hooks, Object instance) throws Exception {
        for (Method hook : hooks) {
            try {
                hook.invoke(instance);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw cause instanceof Exception ex
                        ? new ContainerMain.HookFailedException(hook, ex)
                        : new ContainerMain.HookFailedException(hook, e);
            }
        }
    }
}
