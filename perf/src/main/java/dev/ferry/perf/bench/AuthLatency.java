package dev.ferry.perf.bench;

import dev.ferry.perf.bench.Target.Protocol;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a token check adds to a call (issue 16): on one {@code ferry dev}, the latency of
 * {@code examples--hello} (open) and of {@code examples--whoami} ({@code requiresAuth}, called
 * with a token of scope {@code call} made for the run through {@code POST /v1/tokens}), each on
 * one HTTP/1.1 keep-alive connection, a request at a time: the closed loop of the comparison's
 * one-connection rows. The two run back to back in each round, the first of them swapped every
 * round; the figures are medians of rounds. Before measuring, the gateway must answer whoami
 * 401 without the token and 200 with it; the token is revoked at the end.
 */
final class AuthLatency {

    /** The function without a token check. */
    static final String OPEN_FUNCTION = "hello";
    /** The function with {@code requiresAuth}. */
    static final String AUTH_FUNCTION = "whoami";
    /** The name of the call token made for the run: whoami answers "Hello, bench!". */
    static final String TOKEN_NAME = "bench";

    static final String OPEN = "open";
    static final String AUTHENTICATED = "authenticated";

    /** A cold start of hello's or whoami's container, on a busy machine. */
    private static final int FIRST_CALL_TIMEOUT_MILLIS = 120_000;

    /** One round's run of one function: {@link #OPEN} or {@link #AUTHENTICATED}. */
    record Round(String kind, int round, double requestsPerSecond, long count, long errors, double p50, double p99) {

        static Round of(String kind, int round, LoadDriver.Result r) {
            Latencies l = r.latencies();
            return new Round(
                    kind,
                    round,
                    r.requestsPerSecond(),
                    l.count(),
                    l.errors(),
                    l.count() == 0 ? Double.NaN : l.percentileMicros(50),
                    l.count() == 0 ? Double.NaN : l.percentileMicros(99));
        }
    }

    /**
     * Every round of both functions, and the runs' settings. The figures: each function's
     * median over rounds of its p50 and p99 (µs), the authenticated one's added latency over
     * the open one's (the difference of those medians) and their ratio.
     */
    record Result(List<Round> rounds, double durationSeconds, double warmupSeconds, String checks) {

        double median(String kind, boolean p99) {
            List<Double> values = new ArrayList<>();
            for (Round r : rounds) {
                if (r.kind().equals(kind) && r.count() > 0) {
                    values.add(p99 ? r.p99() : r.p50());
                }
            }
            return Ratios.median(values);
        }

        /** The authenticated call's p50 (or p99) minus the open one's, medians of rounds (µs). */
        double added(boolean p99) {
            return Ratios.added(median(AUTHENTICATED, p99), median(OPEN, p99));
        }

        /** The authenticated call's p50 (or p99) over the open one's. */
        double ratio(boolean p99) {
            return Ratios.ratio(median(AUTHENTICATED, p99), median(OPEN, p99));
        }

        long errors(String kind) {
            return rounds.stream()
                    .filter(r -> r.kind().equals(kind))
                    .mapToLong(Round::errors)
                    .sum();
        }

        int roundCount() {
            return (int) rounds.stream().filter(r -> r.kind().equals(OPEN)).count();
        }

        /** The table, and a line on how it was measured, in markdown. */
        String markdown() {
            StringBuilder out = new StringBuilder();
            out.append("| authenticated call (issue 16), HTTP/1.1 one connection, closed loop | open (")
                    .append(FerryTarget.APP)
                    .append("--")
                    .append(OPEN_FUNCTION)
                    .append(") | authenticated (")
                    .append(FerryTarget.APP)
                    .append("--")
                    .append(AUTH_FUNCTION)
                    .append(") | added | authenticated / open |\n");
            out.append("|---|---:|---:|---:|---:|\n");
            for (boolean p99 : new boolean[] {false, true}) {
                out.append("| ")
                        .append(p99 ? "p99" : "p50")
                        .append(" (µs) | ")
                        .append(BenchReport.format(median(OPEN, p99), 0))
                        .append(" | ")
                        .append(BenchReport.format(median(AUTHENTICATED, p99), 0))
                        .append(" | ")
                        .append(BenchReport.format(added(p99), 0))
                        .append(" | ")
                        .append(BenchReport.format(ratio(p99), 2))
                        .append(" |\n");
            }
            out.append('\n')
                    .append(String.format(
                            java.util.Locale.ROOT,
                            "The same ferry dev, back to back: medians of %d round(s) of %.1f s per function after"
                                    + " %.1f s of warm-up each, the first of the two swapped every round; whoami"
                                    + " called with a token of scope call made for the run (%s).",
                            roundCount(),
                            durationSeconds,
                            warmupSeconds,
                            checks));
            long openErrors = errors(OPEN), authErrors = errors(AUTHENTICATED);
            if (openErrors + authErrors > 0) {
                out.append(" Failed requests (not in the latencies): open ")
                        .append(openErrors)
                        .append(", authenticated ")
                        .append(authErrors)
                        .append('.');
            }
            return out.append('\n').toString();
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("open_function", FerryTarget.APP + "--" + OPEN_FUNCTION);
            json.put("authenticated_function", FerryTarget.APP + "--" + AUTH_FUNCTION);
            json.put("duration_s", durationSeconds);
            json.put("warmup_s", warmupSeconds);
            json.put("checks", checks);
            for (String kind : List.of(OPEN, AUTHENTICATED)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("p50_us", median(kind, false));
                m.put("p99_us", median(kind, true));
                m.put("failed", errors(kind));
                json.put(kind, m);
            }
            json.put("added_p50_us", added(false));
            json.put("added_p99_us", added(true));
            json.put("p50_ratio", ratio(false));
            json.put("p99_ratio", ratio(true));
            json.put("rounds", rounds);
            return json;
        }
    }

    private AuthLatency() {}

    /**
     * Measures {@code rounds} rounds of {@code duration} per function on {@code ferry}, after
     * {@code warmup} of each; blocking.
     *
     * @throws IOException when the token cannot be made, or the gateway does not refuse whoami
     *     without it or does not answer it with it (the message has the answers)
     */
    static Result run(FerryTarget ferry, EventLoop loop, Duration warmup, Duration duration, int rounds)
            throws Exception {
        BearerToken.Issued token = ferry.createToken(TOKEN_NAME, List.of("call"));
        try {
            String checks = check(ferry, token);
            System.err.println("bench: authenticated call: " + checks);
            Map<String, Target.Route> routes = new LinkedHashMap<>();
            routes.put(OPEN, route(ferry, OPEN_FUNCTION));
            routes.put(AUTHENTICATED, route(ferry, AUTH_FUNCTION));
            for (String kind : routes.keySet()) {
                LoadDriver.Result r = oneConnection(ferry, loop, routes.get(kind), token(kind, token), warmup);
                progress("warm-up", kind, -1, r);
            }
            List<Round> all = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(routes.keySet());
                if (round % 2 == 0) {
                    order = order.reversed();
                }
                for (String kind : order) {
                    LoadDriver.Result r = oneConnection(ferry, loop, routes.get(kind), token(kind, token), duration);
                    all.add(Round.of(kind, round, r));
                    progress("round " + round, kind, round, r);
                }
            }
            return new Result(all, duration.toNanos() / 1e9, warmup.toNanos() / 1e9, checks);
        } finally {
            try {
                ferry.revokeToken(token.id());
            } catch (IOException e) {
                System.err.println("bench: revoking the bench's call token " + token + ": " + e.getMessage());
            }
        }
    }

    private static Optional<BearerToken> token(String kind, BearerToken.Issued token) {
        return kind.equals(AUTHENTICATED) ? Optional.of(token.token()) : Optional.empty();
    }

    private static Target.Route route(FerryTarget ferry, String function) {
        return new Target.Route(ferry.host(function), "/");
    }

    /**
     * One call each, on a connection of its own: hello 200, whoami 401 without the token and 200
     * naming the token with it (their containers start on these calls). What was seen, in words.
     */
    static String check(FerryTarget ferry, BearerToken.Issued token) throws IOException {
        int port = ferry.port(Protocol.HTTP_1_1);
        BlockingHttp.Answer open, refused, allowed;
        try (BlockingHttp http = new BlockingHttp(port, FIRST_CALL_TIMEOUT_MILLIS)) {
            open = http.fetch(BlockingHttp.get(ferry.host(OPEN_FUNCTION), "/"));
            refused = http.fetch(BlockingHttp.get(ferry.host(AUTH_FUNCTION), "/"));
            allowed = http.fetch(BlockingHttp.get(ferry.host(AUTH_FUNCTION), "/", token.token()));
        }
        String seen = "hello " + open.status() + ", whoami without a token " + refused.status() + ", with the token "
                + allowed.status() + " \"" + allowed.body().strip() + "\"";
        if (open.status() != 200
                || refused.status() != 401
                || allowed.status() != 200
                || !allowed.body().contains(TOKEN_NAME)) {
            throw ferry.process()
                    .failure("did not answer as expected before the authenticated-call rows: " + seen
                            + " (expected: hello 200, whoami 401 without a token, 200 naming " + TOKEN_NAME
                            + " with it); whoami without a token answered \""
                            + refused.body().strip() + "\"");
        }
        return seen;
    }

    private static LoadDriver.Result oneConnection(
            FerryTarget ferry, EventLoop loop, Target.Route route, Optional<BearerToken> token, Duration duration)
            throws Exception {
        int port = ferry.port(Protocol.HTTP_1_1);
        LoadClient client;
        try {
            client = new Http1LoadClient(loop, port, route, 1, token);
        } catch (Exception e) {
            throw new IllegalStateException("connecting to ferry over HTTP/1.1 on port " + port + ": " + e, e);
        }
        try {
            return LoadDriver.closedLoop(List.of(client), List.of(loop), duration);
        } finally {
            client.close();
        }
    }

    private static void progress(String what, String kind, int round, LoadDriver.Result r) {
        System.err.printf(
                "bench: authenticated call, %s, %s: %s req/s, p50 %s µs, p99 %s µs%s%n",
                what,
                kind,
                BenchReport.format(r.requestsPerSecond(), 0),
                BenchReport.format(r.latencies().percentileMicros(50), 0),
                BenchReport.format(r.latencies().percentileMicros(99), 0),
                r.latencies().errors() > 0 ? ", " + r.latencies().errors() + " failed" : "");
    }
}
