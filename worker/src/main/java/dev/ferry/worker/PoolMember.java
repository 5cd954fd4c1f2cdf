package dev.ferry.worker;

import dev.ferry.request.protocol.ContainerSecret;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A process of the warm pool, as the worker sees it: the runtime, started in the worker's
 * sandbox without a function, on a port of its own, with a directory that the sandbox shows it
 * (read-only) where the worker puts the jar of the function it is assigned. See
 * {@link WarmPool} for the pool's rules and the runtime's {@code PoolArgs} for the contract.
 */
final class PoolMember {

    private enum Fate {
        /** In the pool, or on its way there. */
        WAITING,
        /** Taken for a container: that container's process from now on. */
        ASSIGNED,
        /** Exited before it was assigned. */
        EXITED
    }

    private final String id;
    private final int port;
    private final String readyToken;
    private final ContainerSecret secret;
    private final CallSocket socket;
    private final SandboxedProcess sandboxed;
    private final Path appDir;
    /** Its user namespace; null without one. */
    private final UserNamespace userNamespace;

    private final boolean niced;
    private final Instant launchedAt;
    private final StderrExcerpt stderr = new StderrExcerpt();
    private final AtomicReference<Fate> fate = new AtomicReference<>(Fate.WAITING);
    private volatile ProcessOutput output;
    private final java.util.concurrent.CompletableFuture<Void> released =
            new java.util.concurrent.CompletableFuture<>();

    PoolMember(
            String id,
            int port,
            String readyToken,
            ContainerSecret secret,
            CallSocket socket,
            SandboxedProcess sandboxed,
            Path appDir,
            UserNamespace userNamespace,
            boolean niced,
            Instant at) {
        this.id = id;
        this.port = port;
        this.readyToken = readyToken;
        this.secret = secret;
        this.socket = socket;
        this.sandboxed = sandboxed;
        this.appDir = appDir;
        this.userNamespace = userNamespace;
        this.niced = niced;
        this.launchedAt = at;
    }

    String id() {
        return id;
    }

    /** Where it is called from this machine; its network. */
    CallSocket socket() {
        return socket;
    }

    int port() {
        return port;
    }

    String readyToken() {
        return readyToken;
    }

    /**
     * The secret of the container it becomes, in its environment from its launch: a member
     * serves one container only, so its warm-up calls to itself already open with it.
     */
    ContainerSecret secret() {
        return secret;
    }

    SandboxedProcess sandboxed() {
        return sandboxed;
    }

    Path appDir() {
        return appDir;
    }

    /** Its user namespace, or null. */
    UserNamespace userNamespace() {
        return userNamespace;
    }

    /** Whether it runs at a lower CPU priority, to be raised when it is assigned. */
    boolean niced() {
        return niced;
    }

    Instant launchedAt() {
        return launchedAt;
    }

    StderrExcerpt stderr() {
        return stderr;
    }

    ProcessOutput output() {
        return output;
    }

    void output(ProcessOutput output) {
        this.output = output;
    }

    /** Completes once what it held is given back, after an exit before any assignment. */
    java.util.concurrent.CompletableFuture<Void> released() {
        return released;
    }

    /** Claims it for a container; false when it has exited already. */
    boolean claim() {
        return fate.compareAndSet(Fate.WAITING, Fate.ASSIGNED);
    }

    /** Marks it exited before an assignment; false when it was claimed (its container handles the exit). */
    boolean exitedUnassigned() {
        return fate.compareAndSet(Fate.WAITING, Fate.EXITED);
    }

    /**
     * Puts {@code jar} in the member's directory, where its sandbox shows it, and returns the
     * path there: a hard link where the file system allows, else a copy. In a user namespace, a
     * copy its user owns: the worker keeps jars readable by itself only.
     */
    Path place(Path jar) throws IOException {
        Path target = appDir.resolve(jar.getFileName().toString());
        if (userNamespace != null) {
            Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setAttribute(target, "unix:mode", 0400);
            Files.setAttribute(target, "unix:uid", userNamespace.user().uid());
            return target;
        }
        try {
            Files.createLink(target, jar);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Tells it to warm up, unless it was claimed meanwhile (its assignment would end the warm-up at once). */
    synchronized void warmUp() throws IOException {
        if (fate.get() != Fate.WAITING) {
            return;
        }
        OutputStream in = sandboxed.process().getOutputStream();
        in.write((ContainerCommand.WARM_UP + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Writes the assignment line and closes the member's standard input (nothing more is ever written). */
    synchronized void assign(String line) throws IOException {
        try (OutputStream in = sandboxed.process().getOutputStream()) {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public String toString() {
        return "PoolMember[" + id + " pid=" + sandboxed.process().pid() + " port=" + port + "]";
    }
}
