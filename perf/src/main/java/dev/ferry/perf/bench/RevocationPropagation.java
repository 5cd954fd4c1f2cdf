package dev.ferry.perf.bench;

import java.io.IOException;
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
import java.util.concurrent.locks.LockSupport;

/**
 * How long a token's revocation takes to reach every gateway (issue 16), the way
 * {@link RoutePropagation} measures a route's. Each trial makes a token of scope {@code call}
 * through the controller's admin API and waits until every gateway answers {@code
 * examples--whoami} ({@code requiresAuth}) 200 with it; then one poller per gateway calls whoami
 * with the token on a keep-alive connection in a tight loop (a pause of {@code pollInterval}
 * between requests at most) while the token is revoked ({@code DELETE /v1/tokens/ID}), until the
 * gateway answers 401. A poller has sent its first request (and got its 200) before the
 * DELETE is sent, so its clock is running. A gateway counts as reached when the poller sent the
 * request that got the 401; a 401 to a request sent just before the DELETE (on its way while the
 * revocation reached the gateway) counts as reached at once. Delays count from just before the
 * DELETE is sent, and also from its answer.
 */
final class RevocationPropagation implements AutoCloseable {

    /** The function with {@code requiresAuth} that the pollers call. */
    static final String WHOAMI = FerryTarget.APP + "--" + AuthLatency.AUTH_FUNCTION;

    /**
     * One trial: the token, whether every gateway took it before the revocation ({@code ready};
     * when not, nothing was measured) and what the DELETE's sending and answer were, in
     * System.nanoTime, with what each gateway saw after it.
     */
    record Trial(
            String token,
            boolean ready,
            String notReady,
            long deleteSent,
            long deleteAnswered,
            int deleteStatus,
            String deleteBody,
            List<GatewayPoller.Seen> seen) {}

    /** Everything measured, in microseconds. */
    static final class Results {
        final Map<String, Latencies> fromDelete = new LinkedHashMap<>();
        final Map<String, Latencies> fromAnswer = new LinkedHashMap<>();
        /** Trials whose 401 came before the DELETE's answer, per gateway. */
        final Map<String, Long> beforeAnswer = new LinkedHashMap<>();

        final Map<String, Long> missed = new LinkedHashMap<>();
        final Map<String, Long> otherStatuses = new LinkedHashMap<>();
        final Map<String, Long> ioErrors = new LinkedHashMap<>();
        final Map<String, Long> polls = new LinkedHashMap<>();
        final Map<String, Long> pollingNanos = new LinkedHashMap<>();
        /** Per trial, the slowest gateway's delay: when every gateway refused the token. */
        final Latencies allGateways = new Latencies();

        final Latencies delete = new Latencies();
        final List<String> problems = new ArrayList<>();
        int trials;
        int failedDeletes;
        /** Trials whose token did not reach every gateway before the revocation: not measured. */
        int notReady;

        double seconds;

        Results(List<String> gateways) {
            for (String id : gateways) {
                fromDelete.put(id, new Latencies());
                fromAnswer.put(id, new Latencies());
                beforeAnswer.put(id, 0L);
                missed.put(id, 0L);
                otherStatuses.put(id, 0L);
                ioErrors.put(id, 0L);
                polls.put(id, 0L);
                pollingNanos.put(id, 0L);
            }
        }

        /** Adds {@code trial}, whose {@code seen} are in the order of {@code gateways}. */
        void record(Trial trial, List<String> gateways, Duration trialTimeout) {
            trials++;
            if (!trial.ready()) {
                notReady++;
                problem("token " + trial.token() + " not taken by every gateway before its revocation: "
                        + trial.notReady());
                return;
            }
            if (trial.deleteStatus() != 200) {
                failedDeletes++;
                problem("DELETE " + trial.token() + ": " + trial.deleteStatus() + " " + trial.deleteBody());
            }
            delete.record(trial.deleteSent(), trial.deleteAnswered());
            long slowest = 0;
            boolean everywhere = true;
            for (int g = 0; g < gateways.size(); g++) {
                String id = gateways.get(g);
                GatewayPoller.Seen seen = trial.seen().get(g);
                polls.merge(id, seen.polls(), Long::sum);
                pollingNanos.merge(id, seen.pollingNanos(), Long::sum);
                otherStatuses.merge(id, seen.otherStatuses(), Long::sum);
                ioErrors.merge(id, seen.ioErrors(), Long::sum);
                if (!seen.ok()) {
                    everywhere = false;
                    missed.merge(id, 1L, Long::sum);
                    fromDelete.get(id).error();
                    fromAnswer.get(id).error();
                    problem(id + " did not answer 401 with revoked token " + trial.token() + " within "
                            + trialTimeout.toMillis() + " ms"
                            + (seen.lastProblem() == null ? "" : " (last: " + seen.lastProblem() + ")"));
                    continue;
                }
                fromDelete.get(id).record(trial.deleteSent(), seen.okNanos());
                fromAnswer.get(id).record(trial.deleteAnswered(), Math.max(trial.deleteAnswered(), seen.okNanos()));
                if (seen.okNanos() < trial.deleteAnswered()) {
                    beforeAnswer.merge(id, 1L, Long::sum);
                }
                slowest = Math.max(slowest, seen.okNanos() - trial.deleteSent());
            }
            if (everywhere) {
                allGateways.record(0, slowest);
            } else {
                allGateways.error();
            }
        }

        private void problem(String what) {
            if (problems.size() < 10) {
                problems.add(what);
            }
        }
    }

    private final List<ClusterNodes.Gateway> gateways;
    private final List<GatewayPoller> pollers = new ArrayList<>();
    private final long pollIntervalNanos;
    private final Duration trialTimeout;

    RevocationPropagation(List<ClusterNodes.Gateway> gateways, Duration pollInterval, Duration trialTimeout) {
        this.gateways = List.copyOf(gateways);
        this.pollIntervalNanos = pollInterval.toNanos();
        this.trialTimeout = trialTimeout;
        for (ClusterNodes.Gateway gateway : gateways) {
            pollers.add(GatewayPoller.start(gateway, pollIntervalNanos, "bench-revoke-poll-" + gateway.id()));
        }
    }

    List<String> gatewayIds() {
        return gateways.stream().map(ClusterNodes.Gateway::id).toList();
    }

    /**
     * Before the trials: whoami through every gateway, without a token (401) and with a fresh
     * one (200, its container started on the first call); the token is revoked after.
     *
     * @throws IOException when a gateway answers otherwise (the message says what it answered)
     */
    static void prime(ClusterNodes nodes, Duration firstCallTimeout) throws IOException, InterruptedException {
        BearerToken.Issued token = nodes.createCallToken("bench-revocation-prime");
        try {
            for (ClusterNodes.Gateway g : nodes.gateways()) {
                String host = WHOAMI + ".localhost:" + g.httpPort();
                try (BlockingHttp http = new BlockingHttp(g.httpPort(), (int) firstCallTimeout.toMillis())) {
                    BlockingHttp.Answer without = http.fetch(BlockingHttp.get(host, "/"));
                    long deadline = System.nanoTime() + firstCallTimeout.toNanos();
                    BlockingHttp.Answer with;
                    do { // the new token reaches the gateway through the change feed
                        with = http.fetch(BlockingHttp.get(host, "/", token.token()));
                    } while (with.status() == 401 && System.nanoTime() - deadline < 0 && pause());
                    if (without.status() != 401 || with.status() != 200) {
                        throw new IOException(g.id() + " answered " + WHOAMI + " " + without.status()
                                + " without a token and " + with.status() + " "
                                + with.body().strip()
                                + " with one (expected: 401, then 200)");
                    }
                }
            }
        } finally {
            nodes.revokeToken(token.id());
        }
    }

    private static boolean pause() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        return true;
    }

    /**
     * Up to {@code trials} trials on tokens named {@code <prefix><i>}, stopping early once
     * {@code limit} has passed.
     */
    Results run(ClusterNodes nodes, String prefix, int trials, Duration limit) throws Exception {
        Results results = new Results(gatewayIds());
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        for (int i = 0; i < trials && System.nanoTime() - end < 0; i++) {
            results.record(trial(nodes, prefix + i), gatewayIds(), trialTimeout);
        }
        results.seconds = (System.nanoTime() - start) / 1e9;
        return results;
    }

    /** One trial with a token named {@code name}. */
    Trial trial(ClusterNodes nodes, String name) throws Exception {
        BearerToken.Issued token = nodes.createCallToken(name);
        // Phase 1: every gateway takes the new token (the change feed brings it too).
        List<GatewayPoller.Seen> taken = poll(token.token(), 200, 401);
        List<String> notTaken = new ArrayList<>();
        for (int g = 0; g < taken.size(); g++) {
            if (!taken.get(g).ok()) {
                notTaken.add(gateways.get(g).id() + " (last: " + taken.get(g).lastProblem() + ")");
            }
        }
        if (!notTaken.isEmpty()) {
            HttpResponse<String> response = nodes.revokeToken(token.id());
            return new Trial(
                    token.id(),
                    false,
                    String.join(", ", notTaken),
                    0,
                    0,
                    response.statusCode(),
                    response.body().strip(),
                    List.of());
        }
        // Phase 2: the revocation, while every poller calls with the token.
        CountDownLatch polling = new CountDownLatch(pollers.size());
        long deadline = System.nanoTime() + trialTimeout.toNanos();
        List<CompletableFuture<GatewayPoller.Seen>> seen = new ArrayList<>();
        for (GatewayPoller poller : pollers) {
            seen.add(poller.submit(whoami(poller, token.token()), 401, 200, deadline, polling));
        }
        if (!polling.await(trialTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("the gateways did not answer the pollers' first calls of " + WHOAMI
                    + " with token " + token.id() + " within " + trialTimeout.toMillis() + " ms");
        }
        long sent = System.nanoTime();
        HttpResponse<String> response = nodes.revokeToken(token.id());
        long answered = System.nanoTime();
        List<GatewayPoller.Seen> all = new ArrayList<>();
        for (CompletableFuture<GatewayPoller.Seen> s : seen) {
            GatewayPoller.Seen one = s.get(trialTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            if (one.ok() && one.okNanos() < sent) {
                // Sent while the DELETE was about to go, checked at the gateway after the
                // revocation reached it: the gateway was reached before that request's check,
                // so at no measurable delay. (A token never revoked is never refused: phase 1
                // saw every gateway accept it.)
                one = new GatewayPoller.Seen(
                        true,
                        sent,
                        one.polls(),
                        one.pollingNanos(),
                        one.otherStatuses(),
                        one.ioErrors(),
                        one.lastProblem());
            }
            all.add(one);
        }
        return new Trial(
                token.id(),
                true,
                "",
                sent,
                answered,
                response.statusCode(),
                response.body().strip(),
                all);
    }

    /** Every poller until its gateway answers {@code wanted} with {@code token}, at most the trial timeout. */
    private List<GatewayPoller.Seen> poll(BearerToken token, int wanted, int waiting) throws Exception {
        CountDownLatch polling = new CountDownLatch(pollers.size());
        long deadline = System.nanoTime() + trialTimeout.toNanos();
        List<CompletableFuture<GatewayPoller.Seen>> seen = new ArrayList<>();
        for (GatewayPoller poller : pollers) {
            seen.add(poller.submit(whoami(poller, token), wanted, waiting, deadline, polling));
        }
        List<GatewayPoller.Seen> all = new ArrayList<>();
        for (CompletableFuture<GatewayPoller.Seen> s : seen) {
            all.add(s.get(trialTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS));
        }
        return all;
    }

    @Override
    public void close() {
        pollers.forEach(GatewayPoller::stop);
    }

    /** A call of whoami through the poller's gateway, with {@code token}. */
    private static byte[] whoami(GatewayPoller poller, BearerToken token) {
        return BlockingHttp.get(WHOAMI + ".localhost:" + poller.gateway().httpPort(), "/", token);
    }
}
