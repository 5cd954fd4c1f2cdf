package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code ferry bench cluster} (and {@code ferry bench workers}) found: a markdown summary (printed and kept as
 * {@code summary.md}), the same figures as {@code cluster.json}, and each route-propagation
 * histogram as an HdrHistogram percentile distribution in milliseconds ({@code *.hgrm}).
 */
final class ClusterReport {

    private final Map<String, Object> json = new LinkedHashMap<>();
    private final StringBuilder markdown = new StringBuilder();
    private final Map<String, StringBuilder> sections = new LinkedHashMap<>();
    private final StringBuilder footer = new StringBuilder();
    private final List<String> parts;
    private final List<String> goals = new ArrayList<>();
    private final Map<String, Latencies> histograms = new LinkedHashMap<>();

    /**
     * @param parts the sections' order in the summary
     */
    ClusterReport(List<String> parts, Map<String, Object> machine, Map<String, Object> settings) {
        this.parts = List.copyOf(parts);
        json.put("machine", machine);
        json.put("settings", settings);
    }

    void put(String section, Object value) {
        json.put(section, value);
    }

    /** A line of the summary's head. */
    void line(String text) {
        markdown.append(text).append('\n');
    }

    /** A line of {@code part}'s section; sections are printed in the order of {@link #PARTS}, whatever order they ran in. */
    void line(String part, String text) {
        sections.computeIfAbsent(part, k -> new StringBuilder()).append(text).append('\n');
    }

    /** A line after the sections. */
    void footer(String text) {
        footer.append(text).append('\n');
    }

    /** A goal's verdict: "goal: WHAT: met|MISSED (FIGURES)". */
    void goal(String what, boolean met, String figures) {
        goals.add("goal: " + what + ": " + (met ? "met" : "MISSED") + " (" + figures + ")");
        @SuppressWarnings("unchecked")
        Map<String, Object> all =
                (Map<String, Object>) json.computeIfAbsent("goals", k -> new LinkedHashMap<String, Object>());
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("met", met);
        g.put("figures", figures);
        all.put(what, g);
    }

    /** Keeps {@code latencies} (µs) to be written as {@code <name>.hgrm}, in milliseconds. */
    void histogram(String name, Latencies latencies) {
        histograms.put(name, latencies);
    }

    String markdown() {
        StringBuilder all = new StringBuilder(markdown);
        for (String part : parts) {
            StringBuilder section = sections.get(part);
            if (section != null) {
                all.append(section);
            }
        }
        return all.append(footer).toString();
    }

    List<String> goals() {
        return List.copyOf(goals);
    }

    /** Writes summary.md, cluster.json and the .hgrm files into {@code dir}. */
    void write(Path dir) throws IOException {
        write(dir, "cluster.json");
    }

    /** Writes summary.md, the figures as {@code jsonName} and the .hgrm files into {@code dir}. */
    void write(Path dir, String jsonName) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("summary.md"),
                markdown() + (goals.isEmpty() ? "" : "\n" + String.join("\n", goals) + "\n"));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(jsonName).toFile(), json);
        for (Map.Entry<String, Latencies> h : histograms.entrySet()) {
            try (PrintStream out = new PrintStream(
                    Files.newOutputStream(dir.resolve(h.getKey() + ".hgrm")), true, StandardCharsets.UTF_8)) {
                h.getValue().histogram().outputPercentileDistribution(out, 1000.0);
            }
        }
    }

    /** p50, p90, p99, max (ms) and counts of a histogram in µs, for the JSON. */
    static Map<String, Object> percentiles(Latencies l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", l.count());
        m.put("failed", l.errors());
        m.put("p50_ms", ms(l.count() == 0 ? Double.NaN : l.percentileMicros(50)));
        m.put("p90_ms", ms(l.count() == 0 ? Double.NaN : l.percentileMicros(90)));
        m.put("p99_ms", ms(l.count() == 0 ? Double.NaN : l.percentileMicros(99)));
        m.put("max_ms", ms(l.count() == 0 ? Double.NaN : l.maxMicros()));
        return m;
    }

    /** Microseconds as milliseconds rounded to 3 decimals; null (JSON null) for NaN. */
    static Double ms(double micros) {
        if (Double.isNaN(micros)) {
            return null;
        }
        return Math.round(micros) / 1000.0;
    }

    /** "12.3" style milliseconds for the tables, from microseconds. */
    static String fmtMs(double micros) {
        if (Double.isNaN(micros)) {
            return "–";
        }
        double ms = micros / 1000.0;
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%,.0f", ms);
    }

    static String fmt(double value, int decimals) {
        return BenchReport.format(value, decimals);
    }
}
