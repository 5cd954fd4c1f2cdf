package dev.ferry.worker;

import dev.ferry.worker.CollectingLogSink.Line;
import dev.ferry.worker.ContainerLogSink.Source;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Reading what a {@link SandboxProbeFunction} container reported, and finding a container's JVM. */
final class SandboxProbes {

    private SandboxProbes() {}

    /** The facts {@code container} reported on standard output, once it reported them all. */
    static Map<String, String> probed(CollectingLogSink sink, Container container, Duration wait)
            throws InterruptedException {
        sink.await(container, Source.STDOUT, SandboxProbeFunction.DONE_LINE, wait);
        Map<String, String> seen = new HashMap<>();
        for (Line line : sink.lines()) {
            if (line.containerId().equals(container.id())
                    && line.text().startsWith(SandboxProbeFunction.PREFIX)
                    && line.text().contains("=")) {
                String fact = line.text().substring(SandboxProbeFunction.PREFIX.length());
                int eq = fact.indexOf('=');
                seen.put(fact.substring(0, eq), fact.substring(eq + 1));
            }
        }
        return seen;
    }

    /** Returns once {@code condition} holds, checking every 10 ms; fails naming {@code what} after {@code wait}. */
    static void await(String what, Duration wait, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + wait.toSeconds() + " s: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(10).toNanos());
        }
    }

    /** The user {@code process} runs as on the worker's machine. */
    static int hostUid(ProcessHandle process) {
        try {
            return (Integer) java.nio.file.Files.getAttribute(
                    java.nio.file.Path.of("/proc", Long.toString(process.pid())), "unix:uid");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The container's JVM as the worker's machine sees it. */
    static ProcessHandle jvmOf(Container container) {
        ProcessHandle launched = ProcessHandle.of(container.pid()).orElseThrow();
        return Stream.concat(Stream.of(launched), launched.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no JVM under " + launched));
    }
}
