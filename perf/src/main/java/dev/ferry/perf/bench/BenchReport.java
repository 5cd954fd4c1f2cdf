package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What one bench run found: every measurement of every round, the latency histograms merged
 * over rounds for the plots, the CPU time per request where it was measured (and which
 * processes counted for it), and the summary — medians over rounds, ratios to the direct
 * target and to nginx — as a markdown table, a JSON file and an HTML page; and, when they ran,
 * the start-up rows ({@link StartupReport}), whose table and goals follow.
 */
final class BenchReport {

    static final String DIRECT = "direct";
    static final String FERRY = "ferry";
    static final String NGINX = "nginx";
    /** The level of the latency runs at half of each target's own saturation (its rate differs per target). */
    static final String OWN_HALF = "50% of own saturation";
    /**
     * The level of the latency runs at half of nginx's saturation: one rate, the same for every
     * target, that every target can take.
     */
    static final String NGINX_HALF = "50% of nginx";
    /** The section of the runs on one HTTP/1.1 connection, a request at a time (closed loop). */
    static final String ONE_CONNECTION = "one-connection";

    /** Ferry's p50 and p99 at {@link #NGINX_HALF}, at most these multiples of nginx's: the project's goals. */
    static final double NGINX_HALF_P50_FACTOR = 1.2, NGINX_HALF_P99_FACTOR = 1.5;
    /** Ferry's added p50 over direct on one connection, at most this (µs): the project's goal. */
    static final double ONE_CONNECTION_ADDED_P50_MICROS = 100;

    private static final ToDoubleFunction<Measurement> CPU = Measurement::cpuMicrosPerRequest;

    private final Map<String, Object> machine;
    private final Map<String, Object> settings;
    private final List<Measurement> measurements = new ArrayList<>();
    /** Merged latencies per measure and target, for the percentile curves. */
    private final Map<String, Map<String, Histogram>> histograms = new LinkedHashMap<>();

    private final List<String> targets;
    /** Per target, the processes whose CPU time was counted, each pid with what it is. */
    private final Map<String, Map<Long, String>> cpuProcesses = new LinkedHashMap<>();

    private Optional<StartupReport> startup = Optional.empty();
    private Optional<AuthLatency.Result> auth = Optional.empty();

    BenchReport(List<String> targets, Map<String, Object> machine, Map<String, Object> settings) {
        this.targets = List.copyOf(targets);
        this.machine = machine;
        this.settings = settings;
    }

    /** Adds the start-up rows: their table follows the comparison's, their goals follow its goals. */
    void startup(StartupReport report) {
        startup = Optional.of(report);
    }

    Optional<StartupReport> startup() {
        return startup;
    }

    /** Adds the authenticated-call rows (issue 16): their table follows the comparison's. */
    void auth(AuthLatency.Result result) {
        auth = Optional.of(result);
    }

    Optional<AuthLatency.Result> auth() {
        return auth;
    }

    /**
     * The comparison's table (when it ran), the authenticated-call rows' (when they ran) and the
     * start-up rows' (when they ran), a blank line apart.
     */
    String summary() {
        List<String> tables = new ArrayList<>();
        if (!measurements.isEmpty()) {
            tables.add(markdown());
        }
        auth.ifPresent(a -> tables.add(a.markdown()));
        startup.ifPresent(s -> tables.add(s.markdown()));
        return String.join("\n", tables);
    }

    void add(Measurement m, Latencies latencies) {
        measurements.add(m);
        histograms
                .computeIfAbsent(m.measure(), k -> new LinkedHashMap<>())
                .computeIfAbsent(m.target(), k -> new Histogram(1, Latencies.HIGHEST_MICROS, 3))
                .add(latencies.histogram());
    }

    /** Notes the processes whose CPU time counted for {@code target} in a measurement (merged over runs). */
    void cpuProcesses(String target, Map<Long, String> processes) {
        processes.forEach((pid, what) ->
                cpuProcesses.computeIfAbsent(target, t -> new LinkedHashMap<>()).putIfAbsent(pid, what));
    }

    List<Measurement> measurements() {
        return List.copyOf(measurements);
    }

    /** The median over rounds of {@code field} for one measure and target; NaN when it was not measured. */
    double median(String measure, String target, ToDoubleFunction<Measurement> field) {
        List<Double> values = new ArrayList<>();
        for (Measurement m : measurements) {
            if (m.measure().equals(measure) && m.target().equals(target)) {
                values.add(field.applyAsDouble(m));
            }
        }
        return Ratios.median(values);
    }

    /** The measures in the order they were first taken. */
    List<String> measures() {
        Set<String> order = new LinkedHashSet<>();
        measurements.forEach(m -> order.add(m.measure()));
        return List.copyOf(order);
    }

    /** Whether some target's CPU per request was measured in {@code measure}. */
    boolean cpuMeasured(String measure) {
        return measurements.stream()
                .anyMatch(m -> m.measure().equals(measure) && !Double.isNaN(m.cpuMicrosPerRequest()));
    }

    /**
     * The latency {@code target} adds over direct at p50 in {@code measure}: the difference of
     * the medians over rounds; NaN when either was not measured.
     */
    double addedP50(String measure, String target) {
        return Ratios.added(median(measure, target, Measurement::p50), median(measure, DIRECT, Measurement::p50));
    }

    private double offeredRate(String measure) {
        return measurements.stream()
                .filter(m -> m.measure().equals(measure))
                .mapToDouble(Measurement::rate)
                .findFirst()
                .orElse(0);
    }

    private long errors(String measure, String target) {
        return measurements.stream()
                .filter(m -> m.measure().equals(measure) && m.target().equals(target))
                .mapToLong(Measurement::errors)
                .sum();
    }

    /** The summary table, one row per figure, a column per target, then Ferry's ratios. */
    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| measure |");
        targets.forEach(t -> out.append(' ').append(t).append(" |"));
        out.append(" ferry / direct | ferry / nginx |\n|---|");
        targets.forEach(t -> out.append("---:|"));
        out.append("---:|---:|\n");
        for (String measure : measures()) {
            String[] parts = measure.split("\\|", -1);
            String section = parts[0], protocol = parts[1], level = parts[2];
            String what = protocol
                    + (level.isEmpty()
                            ? ""
                            : level.equals(OWN_HALF)
                                    ? " at " + level
                                    : level.equals(NGINX_HALF)
                                            ? " at " + level + " (" + format(offeredRate(measure), 0) + " req/s)"
                                            : " at " + level + " of direct (" + format(offeredRate(measure), 0)
                                                    + " req/s)");
            switch (section) {
                case "saturation" -> {
                    row(out, "saturation, " + protocol + " (req/s)", measure, Measurement::throughput, 0);
                    if (cpuMeasured(measure)) {
                        row(out, "CPU per request, " + protocol + " at saturation (µs)", measure, CPU, 1);
                    }
                }
                case "load" -> {
                    row(out, "p50, " + what + " (µs)", measure, Measurement::p50, 0);
                    row(out, "p99, " + what + " (µs)", measure, Measurement::p99, 0);
                    if (cpuMeasured(measure)) {
                        row(out, "CPU per request, " + what + " (µs)", measure, CPU, 1);
                    }
                }
                case ONE_CONNECTION -> {
                    row(out, "p50, " + protocol + " one connection, closed loop (µs)", measure, Measurement::p50, 0);
                    row(out, "p99, " + protocol + " one connection, closed loop (µs)", measure, Measurement::p99, 0);
                    // A difference: its ratio to direct's (zero) says nothing; its ratio to nginx's compares the hops.
                    row(
                            out,
                            "added p50 over direct, " + protocol + " one connection (µs)",
                            target -> addedP50(measure, target),
                            false,
                            0);
                }
                case "websocket" -> {
                    row(out, "WebSocket echo (round trips/s)", measure, Measurement::throughput, 0);
                    row(out, "WebSocket echo p50 (µs)", measure, Measurement::p50, 0);
                    row(out, "WebSocket echo p99 (µs)", measure, Measurement::p99, 0);
                }
                case "sse" -> {
                    row(out, "SSE time to first event p50 (µs)", measure, Measurement::p50, 0);
                    row(out, "SSE time to first event p99 (µs)", measure, Measurement::p99, 0);
                }
                default -> throw new IllegalStateException("section: " + section);
            }
        }
        List<String> failures = new ArrayList<>();
        for (String measure : measures()) {
            for (String target : targets) {
                long errors = errors(measure, target);
                if (errors > 0) {
                    failures.add(target + " " + measure.replace('|', ' ').trim() + ": " + errors + " failed");
                }
            }
        }
        if (!failures.isEmpty()) {
            out.append("\nFailed requests (not in the latencies): ")
                    .append(String.join("; ", failures))
                    .append('\n');
        }
        return out.toString();
    }

    private void row(
            StringBuilder out, String label, String measure, ToDoubleFunction<Measurement> field, int decimals) {
        row(out, label, target -> median(measure, target, field), true, decimals);
    }

    /** A row of {@code value} per target, then Ferry's ratio to direct's (where {@code toDirect}) and to nginx's. */
    private void row(StringBuilder out, String label, ToDoubleFunction<String> value, boolean toDirect, int decimals) {
        out.append("| ").append(label).append(" |");
        for (String target : targets) {
            out.append(' ')
                    .append(format(value.applyAsDouble(target), decimals))
                    .append(" |");
        }
        double ferry = value.applyAsDouble(FERRY);
        out.append(' ')
                .append(format(toDirect ? Ratios.ratio(ferry, value.applyAsDouble(DIRECT)) : Double.NaN, 2))
                .append(" |");
        out.append(' ')
                .append(format(Ratios.ratio(ferry, value.applyAsDouble(NGINX)), 2))
                .append(" |\n");
    }

    /** The project's goals, each with where Ferry stands in this run. */
    List<String> goals() {
        List<String> lines = new ArrayList<>();
        for (String protocol : List.of("HTTP/1.1", "HTTP/2")) {
            String saturation = "saturation|" + protocol + "|";
            double ferry = median(saturation, FERRY, Measurement::throughput);
            double nginx = median(saturation, NGINX, Measurement::throughput);
            if (!Double.isNaN(ferry) && !Double.isNaN(nginx)) {
                lines.add(verdict(
                        ferry >= nginx,
                        protocol + " saturation >= nginx's: " + format(ferry, 0) + " vs " + format(nginx, 0)
                                + " req/s"));
            }
            String at25 = "load|" + protocol + "|25%";
            double added50 =
                    Ratios.added(median(at25, FERRY, Measurement::p50), median(at25, DIRECT, Measurement::p50));
            if (!Double.isNaN(added50)) {
                lines.add(verdict(
                        added50 <= 100,
                        protocol + " added p50 over direct at 25% load <= 100 µs: " + format(added50, 0) + " µs"));
            }
            String at50 = "load|" + protocol + "|50%";
            double added99 =
                    Ratios.added(median(at50, FERRY, Measurement::p99), median(at50, DIRECT, Measurement::p99));
            if (!Double.isNaN(added99)) {
                lines.add(verdict(
                        added99 <= 1000,
                        protocol + " added p99 over direct at 50% load <= 1 ms: " + format(added99 / 1000, 2) + " ms"));
            }
            String atNginxHalf = "load|" + protocol + "|" + NGINX_HALF;
            nginxGoal(lines, protocol, "p50", atNginxHalf, Measurement::p50, NGINX_HALF_P50_FACTOR);
            nginxGoal(lines, protocol, "p99", atNginxHalf, Measurement::p99, NGINX_HALF_P99_FACTOR);
        }
        double added = addedP50(ONE_CONNECTION + "|HTTP/1.1|", FERRY);
        if (!Double.isNaN(added)) {
            lines.add(verdict(
                    added <= ONE_CONNECTION_ADDED_P50_MICROS,
                    "HTTP/1.1 added p50 over direct on one connection <= " + format(ONE_CONNECTION_ADDED_P50_MICROS, 0)
                            + " µs: " + format(added, 0) + " µs"));
        }
        startup.ifPresent(s -> lines.addAll(s.goals()));
        return lines;
    }

    /** Ferry's {@code percentile} at most {@code factor} times nginx's, in {@code measure}: where it stands. */
    private void nginxGoal(
            List<String> lines,
            String protocol,
            String percentile,
            String measure,
            ToDoubleFunction<Measurement> field,
            double factor) {
        double ferry = median(measure, FERRY, field);
        double nginx = median(measure, NGINX, field);
        double ratio = Ratios.ratio(ferry, nginx);
        if (Double.isNaN(ratio)) {
            return;
        }
        lines.add(verdict(
                ratio <= factor,
                protocol + " " + percentile + " at " + NGINX_HALF + " (" + format(offeredRate(measure), 0)
                        + " req/s, every target) <= " + format(factor, 1) + " × nginx's: " + format(ferry, 0)
                        + " vs " + format(nginx, 0) + " µs (" + format(ratio, 2) + " ×)"));
    }

    private static String verdict(boolean met, String what) {
        return (met ? "met:    " : "missed: ") + what;
    }

    static String format(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** Percentile → latency (µs) points of each target's merged histogram for {@code measure}. */
    Map<String, List<double[]>> percentileCurves(String measure) {
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        histograms.getOrDefault(measure, Map.of()).forEach((target, histogram) -> {
            List<double[]> points = new ArrayList<>();
            if (histogram.getTotalCount() > 0) {
                for (HistogramIterationValue v : histogram.percentiles(5)) {
                    points.add(new double[] {v.getPercentileLevelIteratedTo(), v.getValueIteratedTo()});
                    if (v.getPercentileLevelIteratedTo() >= 99.999) {
                        break;
                    }
                }
            }
            curves.put(target, points);
        });
        return curves;
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("settings", settings);
        json.put("targets", targets);
        json.put("measurements", measurements);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String measure : measures()) {
            Map<String, Object> perTarget = new LinkedHashMap<>();
            for (String target : targets) {
                Map<String, Object> medians = new LinkedHashMap<>();
                medians.put("throughput", median(measure, target, Measurement::throughput));
                medians.put("p50_us", median(measure, target, Measurement::p50));
                medians.put("p99_us", median(measure, target, Measurement::p99));
                if (cpuMeasured(measure)) {
                    medians.put("cpu_us_per_request", median(measure, target, CPU));
                }
                if (measure.startsWith(ONE_CONNECTION + "|")) {
                    medians.put("added_p50_us", addedP50(measure, target));
                }
                perTarget.put(target, medians);
            }
            summary.put(measure, perTarget);
        }
        json.put("summary_medians", summary);
        if (!cpuProcesses.isEmpty()) {
            Map<String, Object> cpu = new LinkedHashMap<>();
            cpu.put("ticks_per_second", CpuTicks.ticksPerSecond());
            cpu.put("counted_processes", cpuProcesses);
            json.put("cpu", cpu);
        }
        json.put("goals", goals());
        Map<String, Object> curves = new LinkedHashMap<>();
        for (String measure : measures()) {
            curves.put(measure, percentileCurves(measure));
        }
        json.put("percentile_curves_us", curves);
        auth.ifPresent(a -> json.put("auth", a.json()));
        startup.ifPresent(s -> json.put("startup", s.json()));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
                .writeValue(file.toFile(), json);
    }

    void writeHtml(Path file, String title) throws IOException {
        Files.writeString(file, HtmlReport.page(this, title, machine, summary(), goals()));
    }

    List<String> targets() {
        return targets;
    }
}
