package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A target that is one started process (and whatever it forks) listening on loopback: what all
 * four share. By default it serves {@link Endpoint#HELLO} only, at its HTTP/1.1 port's address:
 * the proxies route nothing else, since the other endpoints measure Ferry against the bare
 * server, not proxies.
 */
abstract class ProcessTarget implements Target {

    private final String name;
    private final Processes.Child process;
    private final int http1Port;
    private final int http2Port;
    /** The server a proxy forwards to; null for a target that answers by itself. */
    private final ProcessTarget backend;

    /** {@code http1Port} and {@code http2Port} are the same where one port tells h2c from HTTP/1.1 by the connection preface. */
    ProcessTarget(String name, Processes.Child process, int http1Port, int http2Port) {
        this(name, process, http1Port, http2Port, null);
    }

    /**
     * A proxy's: {@code backend} answers what it forwards, so its processes count with the
     * proxy's when CPU per request is measured.
     */
    ProcessTarget(String name, Processes.Child process, int http1Port, int http2Port, ProcessTarget backend) {
        this.name = name;
        this.process = process;
        this.http1Port = http1Port;
        this.http2Port = http2Port;
        this.backend = backend;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int port(Protocol protocol) {
        return switch (Objects.requireNonNull(protocol, "protocol")) {
            case HTTP_1_1 -> http1Port;
            case HTTP_2 -> http2Port;
        };
    }

    @Override
    public Optional<Route> route(Endpoint endpoint) {
        return endpoint == Endpoint.HELLO ? Optional.of(new Route("127.0.0.1:" + http1Port, "/")) : Optional.empty();
    }

    /** The started process, for its log and to check it is alive. */
    final Processes.Child process() {
        return process;
    }

    /** The target's processes now: the one started and its descendants. */
    final List<ProcessHandle> processes() {
        return process.processTree();
    }

    /** This target's processes, and its backend's where it is a proxy. */
    @Override
    public List<ProcessHandle> cpuCandidates() {
        List<ProcessHandle> all = new ArrayList<>(processes());
        if (backend != null) {
            all.addAll(backend.processes());
        }
        return all;
    }

    /**
     * All of them: the target's own processes (nginx's master and workers, HAProxy's one
     * process, the bare server's JVM) and the backend's, each described by its name and the
     * first word of its command line (nginx: its process title).
     */
    @Override
    public Map<Long, String> cpuProcesses(List<ProcessHandle> candidates) throws IOException, InterruptedException {
        Set<Long> backendPids = backend == null
                ? Set.of()
                : backend.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        Map<Long, String> roles = new LinkedHashMap<>();
        for (ProcessHandle p : candidates) {
            String what = backendPids.contains(p.pid()) ? "backend (" + backend.name() + ")" : name;
            roles.put(p.pid(), what + ": " + title(p.pid()));
        }
        return roles;
    }

    /** The first argument of {@code pid}'s command line, shortened: "nginx: worker process", "/usr/bin/java". */
    static String title(long pid) {
        List<String> arguments = ContainerProcesses.commandLine(pid);
        if (arguments.isEmpty()) {
            return "(command line unreadable)";
        }
        String first = arguments.getFirst().strip();
        return first.length() > 80 ? first.substring(0, 80) + "..." : first;
    }

    /** Where the process's stdout and stderr go. */
    final Path log() {
        return process.log();
    }

    /** Stops the process and everything it started; see {@link Processes.Child#stop()}. */
    @Override
    public final void close() {
        process.stop();
    }
}
