package dev.ferry.perf.bench;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How long a route change takes to reach every gateway. Each trial routes a fresh host to a
 * warm function through the controller's admin API while one poller per gateway asks that
 * gateway for the host, on a keep-alive connection, in a tight loop (a pause of
 * {@code pollInterval} between requests at most), until it answers 200. A poller has sent its
 * first request (and got its 404) before the route is written, so its clock is running.
 * A gateway counts as reached when the poller sent the request that got the 200 (it knew
 * the route by then; the function's own time to answer is not propagation). Delays count
 * from just before the PUT is sent, and also from its answer.
 */
final class RoutePropagation implements AutoCloseable {

    /** One trial: the host, and what the PUT's sending and answer were, in System.nanoTime. */
    record Trial(
            String host,
            long putSent,
            long putAnswered,
            int putStatus,
            String putBody,
            List<GatewayPoller.Seen> seen) {}

    /** Everything measured, in microseconds. */
    static final class Results {
        final Map<String, Latencies> fromPut = new LinkedHashMap<>();
        final Map<String, Latencies> fromAnswer = new LinkedHashMap<>();
        /** Trials whose 200 came before the PUT's answer, per gateway. */
        final Map<String, Long> beforeAnswer = new LinkedHashMap<>();

        final Map<String, Long> missed = new LinkedHashMap<>();
        final Map<String, Long> otherStatuses = new LinkedHashMap<>();
        final Map<String, Long> ioErrors = new LinkedHashMap<>();
        final Map<String, Long> polls = new LinkedHashMap<>();
        final Map<String, Long> pollingNanos = new LinkedHashMap<>();
        /** Every gateway's delay, pooled. */
        final Latencies anyGateway = new Latencies();
        /** Per trial, the slowest gateway's delay: when the route had reached all of them. */
        final Latencies allGateways = new Latencies();

        final Latencies put = new Latencies();
        final List<String> problems = new ArrayList<>();
        int trials;
        int failedPuts;
        double seconds;
    }

    private final List<ClusterNodes.Gateway> gateways;
    private final List<GatewayPoller> pollers = new ArrayList<>();
    private final long pollIntervalNanos;
    private final Duration trialTimeout;

    RoutePropagation(List<ClusterNodes.Gateway> gateways, Duration pollInterval, Duration trialTimeout) {
        this.gateways = List.copyOf(gateways);
        this.pollIntervalNanos = pollInterval.toNanos();
        this.trialTimeout = trialTimeout;
        for (ClusterNodes.Gateway gateway : gateways) {
            pollers.add(GatewayPoller.start(gateway, pollIntervalNanos, "bench-poll-" + gateway.id()));
        }
    }

    /**
     * Up to {@code trials} trials on hosts {@code <prefix><i>.bench.test}, stopping early once
     * {@code limit} has passed; a PUT the admin API refuses counts as a failed trial.
     */
    Results run(ClusterNodes nodes, String function, String prefix, int trials, Duration limit) throws Exception {
        Results results = new Results();
        for (ClusterNodes.Gateway g : gateways) {
            results.fromPut.put(g.id(), new Latencies());
            results.fromAnswer.put(g.id(), new Latencies());
            results.beforeAnswer.put(g.id(), 0L);
            results.missed.put(g.id(), 0L);
            results.otherStatuses.put(g.id(), 0L);
            results.ioErrors.put(g.id(), 0L);
            results.polls.put(g.id(), 0L);
            results.pollingNanos.put(g.id(), 0L);
        }
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        for (int i = 0; i < trials && System.nanoTime() - end < 0; i++) {
            Trial trial = trial(nodes, prefix + i + ".bench.test", function);
            record(results, trial);
            if ((i + 1) % 50 == 0) {
                System.err.printf(
                        "bench: route propagation: %d trials, p99 %.1f ms (all gateways)%n",
                        i + 1, results.allGateways.percentileMicros(99) / 1000.0);
            }
        }
        results.seconds = (System.nanoTime() - start) / 1e9;
        return results;
    }

    /** One trial on {@code host}. */
    Trial trial(ClusterNodes nodes, String host, String function) throws Exception {
        byte[] request = BlockingHttp.get(host, "/");
        CountDownLatch polling = new CountDownLatch(pollers.size());
        long deadline = System.nanoTime() + trialTimeout.toNanos();
        List<CompletableFuture<GatewayPoller.Seen>> seen = new ArrayList<>();
        for (GatewayPoller poller : pollers) {
            seen.add(poller.submit(request, 200, 404, deadline, polling));
        }
        if (!polling.await(trialTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("the gateways did not answer the pollers' first requests for " + host
                    + " within " + trialTimeout.toMillis() + " ms");
        }
        long sent = System.nanoTime();
        HttpResponse<String> response = nodes.route(host, function);
        long answered = System.nanoTime();
        List<GatewayPoller.Seen> all = new ArrayList<>();
        for (CompletableFuture<GatewayPoller.Seen> s : seen) {
            all.add(s.get(trialTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS));
        }
        return new Trial(
                host, sent, answered, response.statusCode(), response.body().strip(), all);
    }

    private void record(Results results, Trial trial) {
        results.trials++;
        if (trial.putStatus() != 200) {
            results.failedPuts++;
            if (results.problems.size() < 10) {
                results.problems.add("PUT " + trial.host() + ": " + trial.putStatus() + " " + trial.putBody());
            }
        }
        results.put.record(trial.putSent(), trial.putAnswered());
        long slowest = 0;
        boolean everywhere = true;
        for (int g = 0; g < gateways.size(); g++) {
            String id = gateways.get(g).id();
            GatewayPoller.Seen seen = trial.seen().get(g);
            results.polls.merge(id, seen.polls(), Long::sum);
            results.pollingNanos.merge(id, seen.pollingNanos(), Long::sum);
            results.otherStatuses.merge(id, seen.otherStatuses(), Long::sum);
            results.ioErrors.merge(id, seen.ioErrors(), Long::sum);
            if (!seen.ok()) {
                everywhere = false;
                results.missed.merge(id, 1L, Long::sum);
                results.fromPut.get(id).error();
                results.fromAnswer.get(id).error();
                results.anyGateway.error();
                if (results.problems.size() < 10) {
                    results.problems.add(id + " never answered 200 for " + trial.host() + " within "
                            + trialTimeout.toMillis() + " ms"
                            + (seen.lastProblem() == null ? "" : " (last: " + seen.lastProblem() + ")"));
                }
                continue;
            }
            results.fromPut.get(id).record(trial.putSent(), seen.okNanos());
            results.anyGateway.record(trial.putSent(), seen.okNanos());
            results.fromAnswer.get(id).record(trial.putAnswered(), Math.max(trial.putAnswered(), seen.okNanos()));
            if (seen.okNanos() < trial.putAnswered()) {
                results.beforeAnswer.merge(id, 1L, Long::sum);
            }
            slowest = Math.max(slowest, seen.okNanos() - trial.putSent());
        }
        if (everywhere) {
            results.allGateways.record(0, slowest);
        } else {
            results.allGateways.error();
        }
    }

    @Override
    public void close() {
        pollers.forEach(GatewayPoller::stop);
    }
}
