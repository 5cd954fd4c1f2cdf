package dev.ferry.controller;

import dev.ferry.function.runtime.AppJar;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.RoutingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Deploys app jars: keeps an immutable copy of each version under the Ferry home, stores its
 * bytes in the routing store for workers elsewhere, reads its functions and makes it the
 * app's current version in one write. Requests that
 * arrive afterwards go to the new version; containers of the old one are stopped once idle.
 * Thread-safe (deploys are serialised).
 */
final class AppDeployer {

    private final RoutingStore store;
    private final Path appsDir;
    private final Clock clock;

    AppDeployer(RoutingStore store, Path appsDir, Clock clock) {
        this.store = store;
        this.appsDir = appsDir;
        this.clock = clock;
    }

    /**
     * Deploys the jar at {@code source} as {@code name}, or as the jar's {@code Ferry-App}
     * manifest name, or as {@code fileName} without ".jar".
     *
     * @param fileName the jar's name as its user knows it, for the default app name and for errors
     * @throws IllegalArgumentException when the jar declares no usable function or the name is
     *     invalid; the message starts with {@code fileName}
     * @throws IOException when the jar cannot be read or stored
     */
    synchronized AppDeployment deploy(Path source, Optional<String> name, String fileName) throws IOException {
        Path staged = Files.createTempFile(ensureDir(appsDir), "upload-", ".jar");
        try {
            Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
            return deployStaged(staged, name, fileName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(fileName + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    private AppDeployment deployStaged(Path staged, Optional<String> name, String fileName) throws IOException {
        AppJar jar = AppJar.read(staged);
        String app = name.or(jar::appName)
                .orElseGet(() -> fileName.endsWith(".jar") ? fileName.substring(0, fileName.length() - 4) : fileName);
        FunctionSettings.checkName("app", app);
        // Before anything is stored: a function that cannot start would only fail on a worker.
        for (AppJar.Function f : jar.functions()) {
            for (String secret : f.settings().secrets()) {
                if (store.secret(secret).isEmpty()) {
                    throw new IllegalArgumentException(
                            "function " + FunctionId.of(app, f.settings().name())
                                    + " names secret " + secret + ", which does not exist (ferry secret set " + secret
                                    + " KEY=VALUE…)");
                }
            }
        }
        String version = nextVersion(app);
        Path target = ensureDir(appsDir.resolve(app)).resolve(version + ".jar");
        Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING);
        byte[] bytes = Files.readAllBytes(target);
        String digest = AppJars.sha256(bytes);
        // The jar goes first: a worker on another machine fetches it as soon as the version is live.
        store.putJar(digest, bytes);
        List<DeployedFunction> functions = jar.functions().stream()
                .map(f -> new DeployedFunction(app, version, f.className(), target, digest, f.settings()))
                .toList();
        AppDeployment deployment = new AppDeployment(app, version, functions, clock.instant());
        store.deploy(deployment);
        return deployment;
    }

    private String nextVersion(String app) {
        int previous = store.app(app)
                .map(a -> Integer.parseInt(a.version().substring(1)))
                .orElse(0);
        return "v" + (previous + 1);
    }

    private static Path ensureDir(Path dir) throws IOException {
        return Files.createDirectories(dir);
    }
}
