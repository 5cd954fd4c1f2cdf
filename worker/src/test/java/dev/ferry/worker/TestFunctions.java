package dev.ferry.worker;

import dev.ferry.function.runtime.TestJars;
import dev.ferry.request.protocol.FunctionId;
import java.io.IOException;
import java.nio.file.Path;

/** Packs this module's test functions into a user jar, and finds the class path containers run on. */
final class TestFunctions {

    static final String APP = "test";

    private TestFunctions() {}

    /** A jar of {@code classes} (with their nested classes) from the compiled test classes. */
    static Path jar(Path dir, Class<?>... classes) throws IOException {
        return TestJars.jar(dir.resolve("functions.jar"), APP, classes);
    }

    /** The spec of a function of {@code type}, id {@code test--<name>}, from {@code jar}. */
    static ContainerSpec spec(String name, Class<?> type, Path jar) {
        return ContainerSpec.of(FunctionId.of(APP, name), type.getName(), jar);
    }

    /** The test class path without this module's own classes: test functions must come from their jar only. */
    static String runtimeClasspath() {
        return TestJars.runtimeClasspath(TestFunctions.class, Worker.class);
    }
}
