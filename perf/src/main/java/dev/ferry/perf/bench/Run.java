package dev.ferry.perf.bench;

import dev.ferry.perf.bench.Target.Endpoint;
import dev.ferry.perf.bench.Target.Protocol;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The measurements of one bench run, in order, each target taking its turn. */
final class Run {

    private static final Duration ONE_SHOT_TIMEOUT = Duration.ofSeconds(120);

    private final BenchMain.Plan plan;
    private final Map<String, Target> targets;
    private final List<EventLoop> loops;
    private final BenchReport report;

    Run(BenchMain.Plan plan, Map<String, Target> targets, List<EventLoop> loops, BenchReport report) {
        this.plan = plan;
        this.targets = targets;
        this.loops = loops;
        this.report = report;
    }

    void all() throws Exception {
        prime();
        warmUp();
        saturation();
        latencyAtFixedRates();
        webSockets();
        sse();
    }

    static String name(Protocol protocol) {
        return protocol == Protocol.HTTP_1_1 ? "HTTP/1.1" : "HTTP/2";
    }

    /** The targets in round {@code round}'s order: rotated by one each round, so none is always first. */
    List<Target> order(int round) {
        List<Target> all = new ArrayList<>(targets.values());
        List<Target> rotated = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            rotated.add(all.get((i + round) % all.size()));
        }
        return rotated;
    }

    /**
     * One request to each target's hello and SSE endpoints first: Ferry starts their containers
     * on them, outside any measurement (cold starts are measured on their own).
     */
    private void prime() throws Exception {
        for (Target target : order(0)) {
            Target.Route hello = target.route(Endpoint.HELLO).orElseThrow();
            OneShot.time(
                    loops.get(0), target.port(Protocol.HTTP_1_1), hello, OneShot.Until.RESPONSE_END, ONE_SHOT_TIMEOUT);
            var sse = target.route(Endpoint.SSE);
            if (sse.isPresent()) {
                OneShot.time(
                        loops.get(0),
                        target.port(Protocol.HTTP_1_1),
                        sse.get(),
                        OneShot.Until.FIRST_EVENT,
                        ONE_SHOT_TIMEOUT);
            }
        }
    }

    private void warmUp() throws Exception {
        for (Protocol protocol : Protocol.values()) {
            for (Target target : order(0)) {
                LoadDriver.Result r = closed(target, protocol, plan.warmup());
                progress("warm-up", protocol, target, -1, r);
            }
        }
    }

    private void saturation() throws Exception {
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Protocol protocol : Protocol.values()) {
                for (Target target : order(round)) {
                    LoadDriver.Result r = closed(target, protocol, plan.duration());
                    report.add(
                            Measurement.of(
                                    "saturation",
                                    name(protocol),
                                    "",
                                    0,
                                    target.name(),
                                    round,
                                    r.requestsPerSecond(),
                                    r.latencies()),
                            r.latencies());
                    progress("saturation", protocol, target, round, r);
                }
            }
        }
    }

    private void latencyAtFixedRates() throws Exception {
        for (Protocol protocol : Protocol.values()) {
            double direct =
                    report.median("saturation|" + name(protocol) + "|", BenchReport.DIRECT, Measurement::throughput);
            List<Double> rates = Ratios.rates(direct, plan.loads());
            for (int round = 1; round <= plan.rounds(); round++) {
                for (int level = 0; level < rates.size(); level++) {
                    String label = Math.round(plan.loads().get(level) * 100) + "%";
                    for (Target target : order(round + level)) {
                        LoadDriver.Result r = open(target, protocol, rates.get(level), plan.duration());
                        report.add(
                                Measurement.of(
                                        "load",
                                        name(protocol),
                                        label,
                                        rates.get(level),
                                        target.name(),
                                        round,
                                        r.requestsPerSecond(),
                                        r.latencies()),
                                r.latencies());
                        progress(
                                "load " + label + " (" + BenchReport.format(rates.get(level), 0) + " req/s)",
                                protocol,
                                target,
                                round,
                                r);
                    }
                }
                // Where each target is comfortable: half its own saturation.
                for (Target target : order(round)) {
                    double own =
                            report.median("saturation|" + name(protocol) + "|", target.name(), Measurement::throughput);
                    double rate = Ratios.rates(own, List.of(0.5)).get(0);
                    LoadDriver.Result r = open(target, protocol, rate, plan.duration());
                    report.add(
                            Measurement.of(
                                    "load",
                                    name(protocol),
                                    BenchReport.OWN_HALF,
                                    rate,
                                    target.name(),
                                    round,
                                    r.requestsPerSecond(),
                                    r.latencies()),
                            r.latencies());
                    progress(
                            "load at half its own saturation (" + BenchReport.format(rate, 0) + " req/s)",
                            protocol,
                            target,
                            round,
                            r);
                }
            }
        }
    }

    private void webSockets() throws Exception {
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Target target : order(round)) {
                var route = target.route(Endpoint.WEBSOCKET_ECHO);
                if (route.isEmpty()) {
                    continue;
                }
                LoadDriver.Result r = WebSocketLoad.run(
                        loops.get(0), target.port(Protocol.HTTP_1_1), route.get(), plan.webSockets(), plan.duration());
                report.add(
                        Measurement.of(
                                "websocket",
                                "WebSocket",
                                "",
                                0,
                                target.name(),
                                round,
                                r.requestsPerSecond(),
                                r.latencies()),
                        r.latencies());
                System.err.printf(
                        "bench: WebSocket echo %s round %d: %s round trips/s, p99 %s µs%n",
                        target.name(),
                        round,
                        BenchReport.format(r.requestsPerSecond(), 0),
                        BenchReport.format(r.latencies().percentileMicros(99), 0));
            }
        }
    }

    private void sse() throws Exception {
        for (Target target : order(0)) {
            var route = target.route(Endpoint.SSE);
            if (route.isEmpty()) {
                continue;
            }
            Latencies latencies = new Latencies();
            for (int i = 0; i < plan.sseTrials(); i++) {
                latencies.record(
                        0,
                        OneShot.time(
                                loops.get(0),
                                target.port(Protocol.HTTP_1_1),
                                route.get(),
                                OneShot.Until.FIRST_EVENT,
                                ONE_SHOT_TIMEOUT));
            }
            report.add(Measurement.of("sse", "SSE", "", 0, target.name(), 1, 0, latencies), latencies);
            System.err.printf(
                    "bench: SSE first event %s: p50 %s µs%n",
                    target.name(), BenchReport.format(latencies.percentileMicros(50), 0));
        }
    }

    private LoadDriver.Result closed(Target target, Protocol protocol, Duration duration) throws Exception {
        List<LoadClient> clients = clients(target, protocol);
        try {
            return LoadDriver.closedLoop(clients, loops.subList(0, clients.size()), duration);
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    private LoadDriver.Result open(Target target, Protocol protocol, double rate, Duration duration) throws Exception {
        List<LoadClient> clients = clients(target, protocol);
        try {
            return LoadDriver.openLoop(clients, loops.subList(0, clients.size()), rate, duration);
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    /** One client per load thread, the connections (or streams) shared out among them. */
    private List<LoadClient> clients(Target target, Protocol protocol) throws Exception {
        Target.Route route = target.route(Endpoint.HELLO)
                .orElseThrow(() -> new IllegalStateException(target.name() + " has no hello route"));
        int port = target.port(protocol);
        List<LoadClient> clients = new ArrayList<>();
        try {
            if (protocol == Protocol.HTTP_1_1) {
                int lanes = Math.min(loops.size(), plan.connections());
                for (int i = 0; i < lanes; i++) {
                    int share = plan.connections() / lanes + (i < plan.connections() % lanes ? 1 : 0);
                    clients.add(new Http1LoadClient(loops.get(i), port, route, share));
                }
            } else {
                int lanes = Math.min(loops.size(), plan.h2Connections());
                for (int i = 0; i < lanes; i++) {
                    int share = plan.h2Connections() / lanes + (i < plan.h2Connections() % lanes ? 1 : 0);
                    clients.add(new Http2LoadClient(loops.get(i), port, route, share, plan.streams()));
                }
            }
        } catch (Exception e) {
            clients.forEach(LoadClient::close);
            throw new IllegalStateException(
                    "connecting to " + target.name() + " over " + name(protocol) + " on port " + port + ": " + e, e);
        }
        return clients;
    }

    private static void progress(String what, Protocol protocol, Target target, int round, LoadDriver.Result r) {
        System.err.printf(
                "bench: %s %s %s%s: %s req/s, p50 %s µs, p99 %s µs%s%n",
                what,
                name(protocol),
                target.name(),
                round < 0 ? "" : " round " + round,
                BenchReport.format(r.requestsPerSecond(), 0),
                BenchReport.format(r.latencies().percentileMicros(50), 0),
                BenchReport.format(r.latencies().percentileMicros(99), 0),
                r.latencies().errors() > 0 ? ", " + r.latencies().errors() + " failed" : "");
    }
}
