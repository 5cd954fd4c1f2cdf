package dev.ferry.perf.bench;

import dev.ferry.perf.bench.Target.Endpoint;
import dev.ferry.perf.bench.Target.Protocol;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The measurements of one bench run, in order, each target taking its turn. */
final class Run {

    private static final Duration ONE_SHOT_TIMEOUT = Duration.ofSeconds(120);

    private final BenchMain.Plan plan;
    private final Map<String, Target> targets;
    private final List<EventLoop> loops;
    private final BenchReport report;

    /** A run's result, and the CPU its target's processes used during it where that was measured. */
    private record Metered(LoadDriver.Result result, Optional<CpuMeter.Use> cpu) {

        Latencies latencies() {
            return result.latencies();
        }

        double requestsPerSecond() {
            return result.requestsPerSecond();
        }
    }

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
        oneConnection();
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
                Metered r = closed(target, protocol, plan.warmup(), false);
                progress("warm-up", protocol, target, -1, r);
            }
        }
    }

    private void saturation() throws Exception {
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Protocol protocol : Protocol.values()) {
                for (Target target : order(round)) {
                    Metered r = closed(target, protocol, plan.duration(), true);
                    add(
                            Measurement.of(
                                    "saturation",
                                    name(protocol),
                                    "",
                                    0,
                                    target.name(),
                                    round,
                                    r.requestsPerSecond(),
                                    r.latencies()),
                            r);
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
            Optional<Double> nginxHalf = nginxHalf(protocol);
            for (int round = 1; round <= plan.rounds(); round++) {
                for (int level = 0; level < rates.size(); level++) {
                    String label = Math.round(plan.loads().get(level) * 100) + "%";
                    for (Target target : order(round + level)) {
                        load(protocol, label, rates.get(level), target, round, false, "load " + label);
                    }
                }
                // Where each target is comfortable: half its own saturation.
                for (Target target : order(round)) {
                    double own =
                            report.median("saturation|" + name(protocol) + "|", target.name(), Measurement::throughput);
                    double rate = Ratios.rates(own, List.of(0.5)).get(0);
                    load(protocol, BenchReport.OWN_HALF, rate, target, round, false, "load at half its own saturation");
                }
                // The same offered load for every target, one that every target can take: half of nginx's saturation.
                if (nginxHalf.isPresent()) {
                    double rate = nginxHalf.get();
                    for (Target target : order(round)) {
                        load(
                                protocol,
                                BenchReport.NGINX_HALF,
                                rate,
                                target,
                                round,
                                true,
                                "load at half of nginx's saturation");
                    }
                }
            }
        }
    }

    /** Half of nginx's saturation over {@code protocol} (median of rounds); empty when nginx is not measured. */
    private Optional<Double> nginxHalf(Protocol protocol) {
        double nginx = report.median("saturation|" + name(protocol) + "|", BenchReport.NGINX, Measurement::throughput);
        if (Double.isNaN(nginx) || nginx <= 0) {
            System.err.println("bench: no nginx saturation over " + name(protocol)
                    + ": the latency at the same load for every target (half of nginx's) is left out");
            return Optional.empty();
        }
        return Optional.of(Ratios.rates(nginx, List.of(0.5)).get(0));
    }

    /**
     * One HTTP/1.1 keep-alive connection per target, a request at a time (the next one sent when
     * the last answer has come), for the plan's duration: a hop's latency with no queue and no
     * concurrency, what a proxy adds per request.
     */
    /**
     * One open-loop run of {@code target} at {@code rate}, recorded under {@code level}, with the
     * CPU its processes used when {@code cpu}; its progress line starts with {@code what}.
     */
    private void load(Protocol protocol, String level, double rate, Target target, int round, boolean cpu, String what)
            throws Exception {
        Metered r = open(target, protocol, rate, plan.duration(), cpu);
        add(
                Measurement.of(
                        "load",
                        name(protocol),
                        level,
                        rate,
                        target.name(),
                        round,
                        r.requestsPerSecond(),
                        r.latencies()),
                r);
        progress(what + " (" + BenchReport.format(rate, 0) + " req/s)", protocol, target, round, r);
    }

    private void oneConnection() throws Exception {
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Target target : order(round)) {
                Target.Route route = target.route(Endpoint.HELLO).orElseThrow();
                int port = target.port(Protocol.HTTP_1_1);
                LoadClient client;
                try {
                    client = new Http1LoadClient(loops.get(0), port, route, 1);
                } catch (Exception e) {
                    throw new IllegalStateException(
                            "connecting to " + target.name() + " over HTTP/1.1 on port " + port + ": " + e, e);
                }
                LoadDriver.Result r;
                try {
                    r = LoadDriver.closedLoop(List.of(client), loops.subList(0, 1), plan.duration());
                } finally {
                    client.close();
                }
                report.add(
                        Measurement.of(
                                BenchReport.ONE_CONNECTION,
                                name(Protocol.HTTP_1_1),
                                "",
                                0,
                                target.name(),
                                round,
                                r.requestsPerSecond(),
                                r.latencies()),
                        r.latencies());
                progress(
                        "one connection, closed loop",
                        Protocol.HTTP_1_1,
                        target,
                        round,
                        new Metered(r, Optional.empty()));
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

    /** Adds {@code m}, with the CPU its target used where that was measured. */
    private void add(Measurement m, Metered r) {
        report.add(r.cpu().map(m::withCpu).orElse(m), r.latencies());
        r.cpu().ifPresent(use -> report.cpuProcesses(m.target(), use.processes()));
    }

    /**
     * A closed-loop run; with {@code cpu}, the CPU time of the target's processes is sampled
     * right before the load starts (the connections already open) and right after it ends.
     */
    private Metered closed(Target target, Protocol protocol, Duration duration, boolean cpu) throws Exception {
        List<LoadClient> clients = clients(target, protocol);
        try {
            CpuMeter meter = cpu ? startMeter(target) : null;
            LoadDriver.Result r = LoadDriver.closedLoop(clients, loops.subList(0, clients.size()), duration);
            return new Metered(r, stopMeter(target, meter, r));
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    /** An open-loop run; {@code cpu} as for {@link #closed}. */
    private Metered open(Target target, Protocol protocol, double rate, Duration duration, boolean cpu)
            throws Exception {
        List<LoadClient> clients = clients(target, protocol);
        try {
            CpuMeter meter = cpu ? startMeter(target) : null;
            LoadDriver.Result r = LoadDriver.openLoop(clients, loops.subList(0, clients.size()), rate, duration);
            return new Metered(r, stopMeter(target, meter, r));
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    /** A meter started on {@code target}; null, with a warning, when its processes cannot be found. */
    private static CpuMeter startMeter(Target target) throws InterruptedException {
        try {
            return CpuMeter.start(target);
        } catch (IOException e) {
            System.err.println("bench: " + target.name() + ": CPU time not measured: " + e.getMessage());
            return null;
        }
    }

    /** What {@code meter} measured over the run that gave {@code r}; empty without a meter or on a failure. */
    private static Optional<CpuMeter.Use> stopMeter(Target target, CpuMeter meter, LoadDriver.Result r)
            throws InterruptedException {
        if (meter == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(meter.stop(r.latencies().count()));
        } catch (IOException e) {
            System.err.println("bench: " + target.name() + ": CPU time not measured: " + e.getMessage());
            return Optional.empty();
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

    private static void progress(String what, Protocol protocol, Target target, int round, Metered r) {
        System.err.printf(
                "bench: %s %s %s%s: %s req/s, p50 %s µs, p99 %s µs%s%s%n",
                what,
                name(protocol),
                target.name(),
                round < 0 ? "" : " round " + round,
                BenchReport.format(r.requestsPerSecond(), 0),
                BenchReport.format(r.latencies().percentileMicros(50), 0),
                BenchReport.format(r.latencies().percentileMicros(99), 0),
                r.cpu()
                        .map(use -> ", CPU " + BenchReport.format(use.microsPerRequest(), 1) + " µs/request ("
                                + use.processes().size() + " processes)")
                        .orElse(""),
                r.latencies().errors() > 0 ? ", " + r.latencies().errors() + " failed" : "");
    }
}
