package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * Asks the admin API ({@code GET /v1/apps}) every {@code interval} for one function's containers
 * and keeps, per answer, how many are in each state, with the requests the load has in flight
 * at that moment. One thread of its own; {@link #close()} stops it. Thread-safe.
 */
final class ContainerSampler implements AutoCloseable {

    /**
     * One answer of the admin API, at {@code atNanos} ({@link System#nanoTime()}). Unplaced
     * containers are wanted but not yet on a worker; pending ones are placed, their process not
     * started; starting ones are starting.
     */
    record Sample(long atNanos, int unplaced, int pending, int starting, int ready, int stopping, int inFlight) {

        /** Wanted but not taking calls yet: unplaced, pending and starting. */
        int coming() {
            return unplaced + pending + starting;
        }

        /** Every container the function has, in whatever state. */
        int total() {
            return unplaced + pending + starting + ready + stopping;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private final URI uri;
    private final BearerToken adminToken;
    private final String function;
    private final IntSupplier inFlight;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CALL_TIMEOUT)
            .build();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("burst-container-sampler").unstarted(r));
    private final List<Sample> samples = new ArrayList<>();
    private int failures;
    private String lastFailure = "";

    /**
     * Starts sampling at once.
     *
     * @param adminToken the token each call to the admin API sends
     * @param function the function's id, such as {@code examples--slow}
     * @param inFlight the load's requests in flight, read at each sample
     */
    ContainerSampler(int adminPort, BearerToken adminToken, String function, Duration interval, IntSupplier inFlight) {
        this.uri = URI.create(FerryTarget.adminUrl(adminPort) + "/v1/apps");
        this.adminToken = adminToken;
        this.function = function;
        this.inFlight = inFlight;
        thread.scheduleAtFixedRate(this::sample, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void sample() {
        try {
            HttpResponse<String> response = client.send(
                    adminToken
                            .authorize(HttpRequest.newBuilder(uri))
                            .timeout(CALL_TIMEOUT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            long at = System.nanoTime();
            if (response.statusCode() != 200) {
                failed("GET " + uri + ": " + response.statusCode() + " (expected: 200)");
                return;
            }
            int[] counts = new int[5];
            for (JsonNode app : JSON.readTree(response.body()).path("apps")) {
                for (JsonNode f : app.path("functions")) {
                    if (!f.path("id").asText().equals(function)) {
                        continue;
                    }
                    for (JsonNode c : f.path("containers")) {
                        switch (c.path("state").asText()) {
                            case "UNPLACED" -> counts[0]++;
                            case "PENDING" -> counts[1]++;
                            case "STARTING" -> counts[2]++;
                            case "READY" -> counts[3]++;
                            case "STOPPING" -> counts[4]++;
                            default -> {} // FAILED: removed right after; not a container that runs
                        }
                    }
                }
            }
            Sample s = new Sample(at, counts[0], counts[1], counts[2], counts[3], counts[4], inFlight.getAsInt());
            synchronized (this) {
                samples.add(s);
                notifyAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed("GET " + uri + ": " + e);
        }
    }

    private synchronized void failed(String what) {
        failures++;
        lastFailure = what;
        notifyAll();
    }

    /** Every sample so far, oldest first. */
    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Admin API calls that failed, and the last failure's description. */
    synchronized String failures() {
        return failures + (failures == 0 ? "" : " (last: " + lastFailure + ")");
    }

    synchronized int failureCount() {
        return failures;
    }

    /**
     * Blocks until the first sample taken after this call that satisfies {@code condition}, or {@code timeout}
     * passes; returns that sample, or empty on the timeout.
     */
    Optional<Sample> await(Predicate<Sample> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long since = System.nanoTime();
        synchronized (this) {
            int next = samples.size();
            while (true) {
                for (; next < samples.size(); next++) {
                    if (samples.get(next).atNanos() >= since && condition.test(samples.get(next))) {
                        return Optional.of(samples.get(next));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        client.close();
    }
}
