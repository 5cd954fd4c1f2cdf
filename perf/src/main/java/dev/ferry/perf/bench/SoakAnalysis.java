package dev.ferry.perf.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The soak bench's figures from what it recorded: per role, the series of resident set, threads
 * and open descriptors over the run with their least-squares slopes after the warm-up; per
 * container generation, the same at its start, peak and end; the calls by kind, their failures
 * by cause and their latency per redeploy interval; each redeploy and how long until only its
 * version's containers were left. Times are nanoTime; reported seconds count from {@code t0},
 * the end of the priming. Not thread-safe; built once, after the run.
 */
final class SoakAnalysis {

    /** A slope is "growing" when the fit grows over the analysed span by more than this share of the mean. */
    static final double GROWING_SHARE = 0.05;

    static final String ALL_CONTAINERS = "containers (all)";

    /** One redeploy as the bench ran it: POST sent and answered, the app's new version, or why it failed. */
    record Redeploy(long startNanos, long endNanos, String version, String error) {}

    /**
     * A metric of a row: its name in the report, its unit per hour, how to read it (NaN:
     * unknown in that row), and whether it is reported for the gateway, worker and controller
     * alone (a sum over containers some of which are unknown would jump).
     */
    private record Metric(String name, String unit, ToDoubleFunction<SoakSampler.Row> value, boolean rolesOnly) {}

    static final String HEAP = "heap_after_gc_mib";

    private static final List<Metric> METRICS = List.of(
            new Metric("rss_mib", "MiB", r -> r.rssKib() / 1024.0, false),
            new Metric("fds", "fds", r -> r.fds(), false),
            new Metric("threads", "threads", r -> r.threads(), false),
            new Metric(HEAP, "MiB", r -> r.heapAfterGcKib() < 0 ? Double.NaN : r.heapAfterGcKib() / 1024.0, true));

    private static final List<String> ROLES = List.of(SoakSampler.GATEWAY, SoakSampler.WORKER, SoakSampler.CONTROLLER);

    private final List<SoakSampler.Row> rows;
    private final List<SoakSampler.Round> rounds;
    private final List<ChaosTraffic.Outcome> outcomes;
    private final List<Redeploy> redeploys;
    private final long t0;
    private final long end;
    private final long warmupEnd;
    private final long intervalNanos;

    SoakAnalysis(
            List<SoakSampler.Row> rows,
            List<SoakSampler.Round> rounds,
            List<ChaosTraffic.Outcome> outcomes,
            List<Redeploy> redeploys,
            long t0,
            long end,
            long warmupEnd,
            long intervalNanos) {
        this.rows = rows;
        this.rounds = rounds;
        this.outcomes = outcomes;
        this.redeploys = redeploys;
        this.t0 = t0;
        this.end = end;
        this.warmupEnd = warmupEnd;
        this.intervalNanos = intervalNanos;
    }

    double seconds(long nanos) {
        return round1((nanos - t0) / 1e9);
    }

    // ---- processes ----

    /** The roles in report order: gateway, worker, controller, each function's containers, pool, all containers. */
    List<String> roles() {
        List<String> roles = new ArrayList<>(List.of(SoakSampler.GATEWAY, SoakSampler.WORKER, SoakSampler.CONTROLLER));
        new java.util.TreeSet<>(rows.stream()
                        .map(SoakSampler.Row::role)
                        .filter(r -> r.startsWith(SoakSampler.CONTAINER_PREFIX))
                        .toList())
                .forEach(roles::add);
        if (rows.stream().anyMatch(r -> r.role().equals(SoakSampler.POOL))) {
            roles.add(SoakSampler.POOL);
        }
        roles.add(ALL_CONTAINERS);
        return roles;
    }

    private static boolean isContainer(String role) {
        return role.startsWith(SoakSampler.CONTAINER_PREFIX) || role.equals(SoakSampler.POOL);
    }

    /**
     * The role's total at each round within the run: the one process of a gateway, worker or
     * controller (rounds where it could not be read are left out); for containers the sum over
     * every process of the role, 0 when it had none, in rounds where the admin API answered.
     */
    private List<double[]> series(String role, Metric metric) {
        Map<Long, double[]> byRound = new TreeMap<>();
        boolean containers = role.equals(ALL_CONTAINERS) || isContainer(role);
        if (containers) {
            for (SoakSampler.Round round : rounds) {
                if (round.viewed() && in(round.atNanos())) {
                    byRound.put(round.atNanos(), new double[] {seconds(round.atNanos()), 0});
                }
            }
        }
        for (SoakSampler.Row row : rows) {
            boolean mine = role.equals(ALL_CONTAINERS)
                    ? isContainer(row.role())
                    : row.role().equals(role);
            if (!mine || !in(row.atNanos()) || Double.isNaN(metric.value().applyAsDouble(row))) {
                continue;
            }
            double[] point = containers
                    ? byRound.get(row.atNanos())
                    : byRound.computeIfAbsent(row.atNanos(), at -> new double[] {seconds(at), 0});
            if (point != null) {
                point[1] += metric.value().applyAsDouble(row);
            }
        }
        return List.copyOf(byRound.values());
    }

    private boolean in(long at) {
        return at >= t0 && at <= end;
    }

    /** A row per role: samples, and per metric start, end, max, slope per hour after the warm-up, and the verdict. */
    List<Map<String, Object>> slopes() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String role : roles()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("role", role);
            for (Metric metric : METRICS) {
                if (metric.rolesOnly() && !ROLES.contains(role)) {
                    continue;
                }
                List<double[]> points = series(role, metric);
                if (!metric.rolesOnly()) {
                    row.put("samples", points.size());
                }
                row.put(metric.name(), trend(points, (warmupEnd - t0) / 1e9, metric.unit()));
            }
            list.add(row);
        }
        return list;
    }

    /** Start, end and max of {@code points} (seconds, value), and the slope of those at or after {@code fromS}. */
    static Map<String, Object> trend(List<double[]> points, double fromS, String unit) {
        Map<String, Object> t = new LinkedHashMap<>();
        if (points.isEmpty()) {
            t.put("verdict", "no samples");
            return t;
        }
        t.put("start", round1(points.getFirst()[1]));
        t.put("end", round1(points.getLast()[1]));
        t.put("max", round1(points.stream().mapToDouble(p -> p[1]).max().orElseThrow()));
        List<double[]> analysed = points.stream().filter(p -> p[0] >= fromS).toList();
        t.put("analysed_samples", analysed.size());
        if (analysed.size() < 3 || analysed.getLast()[0] == analysed.getFirst()[0]) {
            t.put("verdict", "too few samples");
            return t;
        }
        double[] hours = analysed.stream().mapToDouble(p -> p[0] / 3600).toArray();
        double[] values = analysed.stream().mapToDouble(p -> p[1]).toArray();
        LeastSquares.Fit fit = LeastSquares.fit(hours, values);
        t.put("slope_per_h", round1(fit.slope()));
        t.put("unit", unit + "/h");
        t.put("fit_growth_over_span", round1(fit.growth()));
        t.put("mean", round1(fit.meanY()));
        t.put("residual_sd", round1(fit.residualSd()));
        t.put("verdict", fit.growing(GROWING_SHARE) ? "growing" : "flat");
        return t;
    }

    /**
     * A row per container generation (function and version): its containers and processes,
     * when first and last seen, and the generation's total (all its processes together) at its
     * first round, its peak and its last round.
     */
    List<Map<String, Object>> generations() {
        Map<String, List<SoakSampler.Row>> byGeneration = new LinkedHashMap<>();
        rows.stream()
                .filter(r -> r.role().startsWith(SoakSampler.CONTAINER_PREFIX) && in(r.atNanos()))
                .sorted(Comparator.comparingLong(SoakSampler.Row::atNanos))
                .forEach(r -> byGeneration
                        .computeIfAbsent(r.function() + " " + r.version(), k -> new ArrayList<>())
                        .add(r));
        List<Map<String, Object>> list = new ArrayList<>();
        byGeneration.forEach((key, generation) -> {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("function", generation.getFirst().function());
            g.put("version", generation.getFirst().version());
            g.put(
                    "containers",
                    generation.stream()
                            .map(SoakSampler.Row::container)
                            .distinct()
                            .toList());
            g.put(
                    "pids",
                    generation.stream().map(SoakSampler.Row::pid).distinct().toList());
            g.put("first_seen_s", seconds(generation.getFirst().atNanos()));
            g.put("last_seen_s", seconds(generation.getLast().atNanos()));
            for (Metric metric : METRICS) {
                if (metric.rolesOnly()) {
                    continue;
                }
                Map<Long, Double> totals = new TreeMap<>();
                generation.forEach(r -> totals.merge(r.atNanos(), metric.value().applyAsDouble(r), Double::sum));
                List<Double> values = List.copyOf(totals.values());
                g.put(
                        metric.name(),
                        Map.of(
                                "start", round1(values.getFirst()),
                                "max",
                                        round1(values.stream()
                                                .mapToDouble(v -> v)
                                                .max()
                                                .orElseThrow()),
                                "end", round1(values.getLast())));
            }
            list.add(g);
        });
        return list;
    }

    // ---- calls ----

    private boolean sentInRun(ChaosTraffic.Outcome o) {
        return o.sentNanos() >= t0 && o.sentNanos() < end;
    }

    /** Calls sent in the run, per kind: sent, failed. */
    Map<String, Object> callsByKind() {
        Map<String, Object> kinds = new LinkedHashMap<>();
        for (ChaosTraffic.Kind kind : ChaosTraffic.Kind.values()) {
            long sent = 0;
            long failed = 0;
            for (ChaosTraffic.Outcome o : outcomes) {
                if (o.kind() == kind && sentInRun(o)) {
                    sent++;
                    failed += o.ok() ? 0 : 1;
                }
            }
            kinds.put(kind.label(), Map.of("calls", sent, "failed", failed));
        }
        return kinds;
    }

    /** Failed calls sent in the run by "kind: cause". */
    Map<String, Long> failures() {
        Map<String, Long> reasons = new TreeMap<>();
        outcomes.stream()
                .filter(o -> !o.ok() && sentInRun(o))
                .forEach(o -> reasons.merge(o.kind().label() + ": " + o.failure(), 1L, Long::sum));
        return reasons;
    }

    long failedCalls() {
        return outcomes.stream().filter(o -> !o.ok() && sentInRun(o)).count();
    }

    /** Calls sent before {@code t0}, while the functions' first containers started: calls, failed. */
    Map<String, Object> priming() {
        long sent = outcomes.stream().filter(o -> o.sentNanos() < t0).count();
        long failed =
                outcomes.stream().filter(o -> o.sentNanos() < t0 && !o.ok()).count();
        return Map.of("calls", sent, "failed", failed);
    }

    /** Per redeploy interval (calls filed by when they were sent): per kind calls, failed, p50 and p99 of successes (ms). */
    List<Map<String, Object>> intervals() {
        List<Map<String, Object>> list = new ArrayList<>();
        int count = (int) Math.max(1, (end - t0 + intervalNanos - 1) / intervalNanos);
        for (int i = 0; i < count; i++) {
            long from = t0 + i * intervalNanos;
            long to = Math.min(end, from + intervalNanos);
            Map<String, Object> interval = new LinkedHashMap<>();
            interval.put("interval", i + 1);
            interval.put("from_s", seconds(from));
            interval.put("to_s", seconds(to));
            Map<String, Object> kinds = new LinkedHashMap<>();
            for (ChaosTraffic.Kind kind : ChaosTraffic.Kind.values()) {
                Latencies latencies = new Latencies();
                long calls = 0;
                long failed = 0;
                for (ChaosTraffic.Outcome o : outcomes) {
                    if (o.kind() != kind || o.sentNanos() < from || o.sentNanos() >= to) {
                        continue;
                    }
                    calls++;
                    if (o.ok()) {
                        latencies.record(o.sentNanos(), o.endNanos());
                    } else {
                        failed++;
                    }
                }
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("calls", calls);
                k.put("failed", failed);
                k.put("p50_ms", latencies.count() == 0 ? null : round1(latencies.percentileMicros(50) / 1000.0));
                k.put("p99_ms", latencies.count() == 0 ? null : round1(latencies.percentileMicros(99) / 1000.0));
                kinds.put(kind.label(), k);
            }
            interval.put("by_kind", kinds);
            list.add(interval);
        }
        return list;
    }

    /**
     * Each redeploy: when, how long its POST took, the new version, and how long until the
     * samples saw only that version's container processes, one at least for every function that
     * had one before (null: not before the next redeploy); with the calls
     * that failed of those sent from it until the next one.
     */
    List<Map<String, Object>> redeployRows() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < redeploys.size(); i++) {
            Redeploy r = redeploys.get(i);
            long until = i + 1 < redeploys.size() ? redeploys.get(i + 1).startNanos() : end;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("at_s", seconds(r.startNanos()));
            row.put("post_s", round1((r.endNanos() - r.startNanos()) / 1e9));
            row.put("version", r.version());
            if (r.error() != null) {
                row.put("error", r.error());
            }
            row.put("only_new_version_after_s", r.error() == null ? settled(r, until) : null);
            row.put(
                    "failed_sent_until_next",
                    outcomes.stream()
                            .filter(o -> !o.ok() && o.sentNanos() >= r.startNanos() && o.sentNanos() < until)
                            .count());
            list.add(row);
        }
        return list;
    }

    /** Seconds from the redeploy's start to the first round after its POST whose containers are all of its version. */
    private Double settled(Redeploy r, long until) {
        Map<Long, List<SoakSampler.Row>> byRound = new TreeMap<>();
        rows.stream()
                .filter(x -> x.role().startsWith(SoakSampler.CONTAINER_PREFIX))
                .forEach(x -> byRound.computeIfAbsent(x.atNanos(), k -> new ArrayList<>())
                        .add(x));
        // Every function that had a container just before the redeploy must have one of the new version.
        java.util.Set<String> functions = new java.util.HashSet<>();
        for (SoakSampler.Round round : rounds) {
            if (round.viewed() && round.atNanos() < r.startNanos()) {
                functions = new java.util.HashSet<>(byRound.getOrDefault(round.atNanos(), List.of()).stream()
                        .map(SoakSampler.Row::function)
                        .toList());
            }
        }
        for (SoakSampler.Round round : rounds) {
            if (!round.viewed() || round.atNanos() < r.endNanos() || round.atNanos() > until) {
                continue;
            }
            List<SoakSampler.Row> containers = byRound.getOrDefault(round.atNanos(), List.of());
            if (!containers.isEmpty()
                    && containers.stream().allMatch(x -> x.version().equals(r.version()))
                    && containers.stream()
                            .map(SoakSampler.Row::function)
                            .toList()
                            .containsAll(functions)) {
                return round1((round.atNanos() - r.startNanos()) / 1e9);
            }
        }
        return null;
    }

    /** The goals: 0 failed calls; each role's resident set, descriptors and threads flat. */
    List<String> goals(List<Map<String, Object>> slopes) {
        List<String> goals = new ArrayList<>();
        long failed = failedCalls();
        goals.add((failed == 0 ? "met" : "missed") + ": 0 failed calls (" + failed + ")");
        for (Map<String, Object> row : slopes) {
            for (Metric metric : METRICS) {
                if (!row.containsKey(metric.name())) {
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) row.get(metric.name());
                String verdict = (String) t.get("verdict");
                String judged = switch (verdict) {
                    case "flat" -> "met";
                    case "growing" -> "missed";
                    default -> "not judged";
                };
                goals.add(judged + ": " + row.get("role") + " " + metric.name() + " flat (" + verdict
                        + (t.containsKey("slope_per_h") ? ", " + t.get("slope_per_h") + " " + t.get("unit") : "")
                        + ")");
            }
        }
        return goals;
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
