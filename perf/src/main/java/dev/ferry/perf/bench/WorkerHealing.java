package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How a cluster of two workers heals when the one that runs {@code hello}'s container dies by
 * SIGKILL. A trial kills that worker's JVM (its container, a child process, is orphaned) and
 * then, from one keep-alive connection through a gateway, calls hello every poll interval
 * until a 200 comes from the replacement on the other worker. Meanwhile one thread asks the
 * admin API every poll interval whether the controller still lists the dead worker, and one
 * watches the orphans until they have exited.
 *
 * <p>The killed worker's container lives on as an orphan until it notices its parent is gone
 * (for the {@code process} sandbox: the JVM polls its parent, then stops its gRPC server and
 * exits), and the gateway may call it until then. hello's answer does not say which container
 * gave it, so a 200 counts as the replacement's when, as its call was sent, no orphan was
 * alive, or the controller had declared the worker lost (the gateway then drops the old
 * container) and the old container's port was no longer listening ({@code /proc/net/tcp}).
 * Not listening alone is not enough: a gRPC server shutting down still answers new calls on
 * the connections it has, such as the gateway's. A 200 from a call sent while the old container still listened is counted apart,
 * and so is every other answer: its status, or the I/O error. After each trial the killed worker is started again with its
 * id (and a fresh home), and the next trial waits until the admin API lists it again and
 * hello's containers run on one worker only.
 *
 * <p>Every wait is bounded: serving again and the worker declared lost by {@code giveUp}
 * after the kill, the rest by {@link #SETTLE_TIMEOUT}. Not thread-safe: one trial at a time.
 */
final class WorkerHealing {

    static final String HELLO = FerryTarget.APP + "--hello";
    /** A cluster settling between trials: a worker's start, a container's start, on a busy machine. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);
    /** How often the orphans are looked at: their exit is a line of the report, at this resolution. */
    private static final long ORPHAN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** One call of a trial: when it was sent and answered (ms from the kill) and its outcome. */
    record Call(double sentMs, double answeredMs, String outcome) {}

    /** What the admin API listed, from {@code ms} after the kill until the next change: the workers, and hello's containers as "id STATE on worker". */
    record AdminView(double ms, List<String> workers, List<String> hello) {}

    /** A run of equal outcomes of consecutive calls, in ms from the kill (sent of the first, answered of the last). */
    record Span(String outcome, int count, double fromMs, double toMs) {}

    /**
     * One trial. Times are in ms from just before the SIGKILL; -1 when it did not happen
     * within the trial's bounds.
     *
     * @param killed the worker that ran hello and was killed
     * @param oldContainers hello's containers at the kill (all on {@code killed})
     * @param orphans the killed worker's descendants at the kill
     * @param killMs SIGKILL sent to the worker's JVM reaped
     * @param lostMs the admin API's first answer without the killed worker (controller declared it lost)
     * @param orphansGoneMs the last orphan seen exited
     * @param oldStoppedListeningMs the old containers' ports seen no longer listening (or their orphans gone)
     * @param orphanOks 200s of calls sent while the old container still listened
     * @param lastOrphanOkMs the last of those
     * @param replacementReadyMs the admin API's first answer that listed a new hello container READY
     * @param servingMs the first 200 from the replacement arrived
     * @param servingSentMs that call was sent
     * @param failures non-200 answers and I/O errors between the kill and {@code servingMs}, by outcome
     * @param calls calls made in the trial, the replacement's 200 included
     * @param newContainer hello's container on the other worker afterwards, as the admin API lists it
     * @param rejoinMs from starting the killed worker again until the admin API listed it
     * @param adminViews what the admin API listed after the kill, each change, until the trial's calls ended and the worker was declared lost
     * @param callLog every call of the trial
     */
    record Trial(
            int number,
            String killed,
            String survivor,
            List<String> oldContainers,
            int orphans,
            double killMs,
            double lostMs,
            double orphansGoneMs,
            double oldStoppedListeningMs,
            int orphanOks,
            double lastOrphanOkMs,
            double replacementReadyMs,
            double servingMs,
            double servingSentMs,
            Map<String, Integer> failures,
            int calls,
            List<Span> timeline,
            String newContainer,
            String newContainerWorker,
            double rejoinMs,
            List<AdminView> adminViews,
            List<Call> callLog) {

        int nonOk() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final ClusterNodes nodes;
    private final ClusterNodes.Gateway gateway;
    private final byte[] request;
    private final long pollIntervalNanos;
    private final Duration giveUp;

    /**
     * @param nodes a cluster with exactly two workers and the examples deployed
     * @param pollInterval pause between calls (and between the admin API's polls), from one's start to the next's
     * @param giveUp how long after the kill a trial waits for the replacement and for the worker declared lost
     */
    WorkerHealing(ClusterNodes nodes, Duration pollInterval, Duration giveUp) {
        if (nodes.workers().size() != 2) {
            throw new IllegalArgumentException("nodes: " + nodes.workers().keySet() + " (expected: two workers)");
        }
        this.nodes = nodes;
        this.gateway = nodes.gateways().getFirst();
        this.request = BlockingHttp.get(HELLO + ".localhost:" + gateway.httpPort(), "/");
        this.pollIntervalNanos = pollInterval.toNanos();
        this.giveUp = giveUp;
    }

    /**
     * Calls hello until it answers 200; blocking.
     *
     * @return ms until then
     * @throws IOException when it does not within {@link #SETTLE_TIMEOUT}
     */
    double warm() throws IOException {
        long start = System.nanoTime();
        long deadline = start + SETTLE_TIMEOUT.toNanos();
        String last = "no answer";
        try (BlockingHttp http = new BlockingHttp(gateway.httpPort())) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    int status = http.send(request);
                    if (status == 200) {
                        return (System.nanoTime() - start) / 1e6;
                    }
                    last = "status " + status;
                } catch (IOException e) {
                    last = e.toString();
                }
                pause(System.nanoTime() + pollIntervalNanos);
            }
        }
        throw new IOException(HELLO + " through " + gateway.id() + " did not answer 200 within "
                + SETTLE_TIMEOUT.toSeconds() + " s (last: " + last + ")");
    }

    /** One trial: waits for the cluster to settle, kills hello's worker, measures, starts it again. Blocking. */
    Trial trial(int number) throws IOException, InterruptedException {
        JsonNode view = settle();
        List<JsonNode> containers = helloContainers(view);
        String killed = containers.getFirst().path("worker").asText();
        String survivor = nodes.workers().keySet().stream()
                .filter(id -> !id.equals(killed))
                .findFirst()
                .orElseThrow();
        List<String> oldContainers =
                containers.stream().map(c -> c.path("id").asText()).toList();
        List<Integer> oldPorts =
                containers.stream().map(c -> port(c.path("address").asText())).toList();
        System.err.printf(
                "bench: healing trial %d: killing %s (runs %s), %s stays%n", number, killed, oldContainers, survivor);

        long t0 = System.nanoTime();
        List<ProcessHandle> orphans = nodes.killWorker(killed);
        double killMs = sinceMs(t0);
        long deadline = t0 + giveUp.toNanos();
        AtomicLong orphansGone = new AtomicLong(-1);
        AtomicLong stoppedListening = new AtomicLong(-1);
        AtomicLong lost = new AtomicLong(-1);
        AtomicLong servingAt = new AtomicLong(-1);
        List<String> watchProblems = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread orphanWatch = Thread.ofVirtual().name("bench-orphans").start(() -> {
            while (System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
                boolean alive = orphans.stream().anyMatch(ProcessHandle::isAlive);
                if (stoppedListening.get() < 0 && !(alive && listening(oldPorts))) {
                    stoppedListening.set(System.nanoTime() - t0);
                }
                if (!alive) {
                    orphansGone.set(System.nanoTime() - t0);
                    return;
                }
                LockSupport.parkNanos(ORPHAN_POLL_NANOS);
            }
        });
        AtomicBoolean callsDone = new AtomicBoolean();
        AtomicBoolean replacementListed = new AtomicBoolean();
        List<AdminView> adminViews = java.util.Collections.synchronizedList(new ArrayList<>());
        // Until the calls are over, the worker is declared lost and, unless the calls gave up, the replacement is
        // listed READY.
        Thread lostWatch = Thread.ofVirtual().name("bench-lost").start(() -> {
            while (System.nanoTime() - deadline < 0
                    && !Thread.currentThread().isInterrupted()
                    && !(callsDone.get() && lost.get() >= 0 && (replacementListed.get() || servingAt.get() < 0))) {
                long sent = System.nanoTime();
                try {
                    JsonNode v = nodes.view();
                    long answered = System.nanoTime() - t0;
                    AdminView seen = new AdminView(
                            ms(answered),
                            List.copyOf(workerIds(v)),
                            helloContainers(v).stream()
                                    .map(c -> c.path("id").asText() + " "
                                            + c.path("state").asText() + " on "
                                            + c.path("worker").asText())
                                    .toList());
                    if (adminViews.isEmpty()
                            || !adminViews.getLast().workers().equals(seen.workers())
                            || !adminViews.getLast().hello().equals(seen.hello())) {
                        adminViews.add(seen);
                    }
                    if (lost.get() < 0 && !seen.workers().contains(killed)) {
                        lost.set(answered);
                    }
                    if (isReplacementReady(seen, oldContainers)) {
                        replacementListed.set(true);
                    }
                } catch (IOException e) {
                    watchProblems.add(e.getMessage());
                } catch (InterruptedException e) {
                    return;
                }
                LockSupport.parkNanos(Math.max(0, sent + pollIntervalNanos - System.nanoTime()));
            }
        });

        Map<String, Integer> failures = new LinkedHashMap<>();
        List<Span> timeline = new ArrayList<>();
        List<Call> callLog = new ArrayList<>();
        int orphanOks = 0;
        long lastOrphanOk = -1;
        long serving = -1;
        long servingSent = -1;
        int calls = 0;
        // The gateway holds a call while no container is ready: let it, up to the trial's end.
        try (BlockingHttp http =
                new BlockingHttp(gateway.httpPort(), (int) Math.min(Integer.MAX_VALUE, giveUp.toMillis()))) {
            while (System.nanoTime() - deadline < 0) {
                long sent = System.nanoTime();
                // An orphan that stopped listening still answers on the gateway's open connection to
                // it, until the controller has declared its worker lost (the gateway then drops it).
                boolean oldServes =
                        orphans.stream().anyMatch(ProcessHandle::isAlive) && (lost.get() < 0 || listening(oldPorts));
                String outcome;
                int status = -1;
                try {
                    status = http.send(request);
                    outcome = Integer.toString(status);
                } catch (IOException e) {
                    outcome = "I/O error: " + e.getClass().getSimpleName();
                }
                long answered = System.nanoTime();
                calls++;
                if (status == 200 && !oldServes) {
                    serving = answered - t0;
                    servingAt.set(serving);
                    servingSent = sent - t0;
                    add(timeline, "200", sent - t0, answered - t0);
                    callLog.add(new Call(ms(sent - t0), ms(answered - t0), "200"));
                    break;
                }
                if (status == 200) {
                    orphanOks++;
                    lastOrphanOk = answered - t0;
                    outcome = "200 while the old container listened";
                } else {
                    failures.merge(outcome, 1, Integer::sum);
                }
                add(timeline, outcome, sent - t0, answered - t0);
                callLog.add(new Call(ms(sent - t0), ms(answered - t0), outcome));
                pause(sent + pollIntervalNanos);
            }
        } finally {
            callsDone.set(true);
            // Both end by the deadline on their own; wait for them, then stop what is left.
            orphanWatch.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1000));
            lostWatch.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 15_000));
            orphanWatch.interrupt();
            lostWatch.interrupt();
        }
        if (!watchProblems.isEmpty()) {
            System.err.println("bench: healing trial " + number + ": the admin API failed " + watchProblems.size()
                    + " times; first: " + watchProblems.getFirst());
        }

        String newContainer = "";
        String newWorker = "";
        for (JsonNode c : helloContainers(nodes.view())) {
            if (c.path("state").asText().equals("READY")
                    && !oldContainers.contains(c.path("id").asText())) {
                newContainer = c.path("id").asText();
                newWorker = c.path("worker").asText();
                break;
            }
        }
        System.err.printf(
                "bench: healing trial %d: %s lost after %s ms, hello served again after %s ms (by %s on %s), %d other answers %s%n",
                number,
                killed,
                fmt(lost.get()),
                fmt(serving),
                newContainer.isEmpty() ? "?" : newContainer,
                newWorker,
                failures.values().stream().mapToInt(Integer::intValue).sum(),
                failures);

        long restart = System.nanoTime();
        nodes.startWorker(killed);
        long rejoined = -1;
        long rejoinDeadline = restart + SETTLE_TIMEOUT.toNanos();
        while (System.nanoTime() - rejoinDeadline < 0) {
            if (workerIds(nodes.view()).contains(killed)) {
                rejoined = System.nanoTime() - restart;
                break;
            }
            pause(System.nanoTime() + pollIntervalNanos);
        }
        if (rejoined < 0) {
            throw new IOException("worker " + killed + ", started again, is not in the admin API's workers after "
                    + SETTLE_TIMEOUT.toSeconds() + " s");
        }
        double replacementReady = adminViews.stream()
                .filter(v -> isReplacementReady(v, oldContainers))
                .mapToDouble(AdminView::ms)
                .findFirst()
                .orElse(-1);
        return new Trial(
                number,
                killed,
                survivor,
                oldContainers,
                orphans.size(),
                killMs,
                ms(lost.get()),
                ms(orphansGone.get()),
                ms(stoppedListening.get()),
                orphanOks,
                ms(lastOrphanOk),
                replacementReady,
                ms(serving),
                ms(servingSent),
                failures,
                calls,
                timeline,
                newContainer,
                newWorker,
                ms(rejoined),
                List.copyOf(adminViews),
                callLog);
    }

    /**
     * Waits until both workers are listed and hello's containers are all READY on one worker,
     * calling hello meanwhile (it keeps the container from its scaledown); returns that view.
     */
    private JsonNode settle() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        JsonNode view = null;
        try (BlockingHttp http = new BlockingHttp(gateway.httpPort())) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    http.send(request);
                } catch (IOException e) {
                    // not settled yet; the view says why
                }
                view = nodes.view();
                List<JsonNode> containers = helloContainers(view);
                Set<String> on = new LinkedHashSet<>();
                containers.forEach(c -> on.add(c.path("worker").asText()));
                boolean allReady = !containers.isEmpty()
                        && containers.stream()
                                .allMatch(c -> c.path("state").asText().equals("READY"));
                if (allReady
                        && on.size() == 1
                        && workerIds(view).containsAll(nodes.workers().keySet())) {
                    return view;
                }
                pause(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        throw new IOException("the cluster did not settle within " + SETTLE_TIMEOUT.toSeconds()
                + " s (expected: workers " + nodes.workers().keySet() + " listed, and " + HELLO
                + "'s containers all READY on one of them); last view: " + view);
    }

    /** hello's containers as the admin API lists them (id, state, worker, ...). */
    static List<JsonNode> helloContainers(JsonNode view) {
        List<JsonNode> containers = new ArrayList<>();
        for (JsonNode app : view.path("apps")) {
            for (JsonNode f : app.path("functions")) {
                if (f.path("id").asText().equals(HELLO)) {
                    f.path("containers").forEach(containers::add);
                }
            }
        }
        return containers;
    }

    static Set<String> workerIds(JsonNode view) {
        Set<String> ids = new LinkedHashSet<>();
        view.path("workers").forEach(w -> ids.add(w.path("id").asText()));
        return ids;
    }

    /** Whether {@code view} lists a hello container READY that is none of {@code oldContainers}. */
    private static boolean isReplacementReady(AdminView view, List<String> oldContainers) {
        return view.hello().stream()
                .anyMatch(c -> c.contains(" READY on ") && !oldContainers.contains(c.split(" ")[0]));
    }

    /** The port of "host:port"; -1 when there is none. */
    private static int port(String address) {
        try {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Whether a TCP socket of this network namespace listens on one of {@code ports}, from
     * {@code /proc/net/tcp} and {@code tcp6} (local address "HEX_IP:HEX_PORT", state 0A).
     * True when those cannot be read: then only a dead orphan tells the replacement's answers apart.
     */
    static boolean listening(List<Integer> ports) {
        boolean read = false;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(table));
            } catch (IOException e) {
                continue;
            }
            read = true;
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length > 3 && f[3].equals("0A")) {
                    int colon = f[1].lastIndexOf(':');
                    if (colon >= 0 && ports.contains(Integer.parseInt(f[1].substring(colon + 1), 16))) {
                        return true;
                    }
                }
            }
        }
        return !read;
    }

    private static void add(List<Span> timeline, String outcome, long sentNanos, long answeredNanos) {
        if (!timeline.isEmpty() && timeline.getLast().outcome().equals(outcome)) {
            Span last = timeline.removeLast();
            timeline.add(new Span(outcome, last.count() + 1, last.fromMs(), ms(answeredNanos)));
        } else {
            timeline.add(new Span(outcome, 1, ms(sentNanos), ms(answeredNanos)));
        }
    }

    /** Parks until {@code until} (a nanoTime); at once when that has passed. */
    private static void pause(long until) throws InterruptedIOException {
        long left = until - System.nanoTime();
        if (left > 0) {
            LockSupport.parkNanos(left);
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during a healing trial");
        }
    }

    private static double sinceMs(long start) {
        return ms(System.nanoTime() - start);
    }

    /** Nanoseconds as ms with one decimal; -1 stays -1 (did not happen). */
    private static double ms(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 1e5) / 10.0;
    }

    private static String fmt(long nanos) {
        return nanos < 0 ? "never" : String.format(java.util.Locale.ROOT, "%.0f", nanos / 1e6);
    }
}
