package dev.ferry.perf.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-stream figures of a token-streaming run that Gatling's report has no place for: for each
 * complete stream, its time to first token and its tokens per second (the tokens after the first,
 * over the time from the first to the last). Streams are recorded from the simulation's users as
 * they finish; {@link #summary()} is printed at the end of the run.
 */
public final class StreamStats {

    /** One complete stream. */
    public record Stream(double firstTokenMillis, int tokens, double tokensPerSecond) {}

    private final Map<String, ConcurrentLinkedQueue<Stream>> complete = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> incomplete = new ConcurrentHashMap<>();

    /** Records a stream of {@code kind} that got all its tokens. */
    public void complete(String kind, long startNanos, long firstTokenNanos, long lastTokenNanos, int tokens) {
        double firstTokenMillis = (firstTokenNanos - startNanos) / 1e6;
        double span = (lastTokenNanos - firstTokenNanos) / 1e9;
        double tokensPerSecond = tokens < 2 || span <= 0 ? Double.NaN : (tokens - 1) / span;
        complete.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>())
                .add(new Stream(firstTokenMillis, tokens, tokensPerSecond));
    }

    /** Records a stream of {@code kind} that failed or timed out before its last token. */
    public void incomplete(String kind) {
        incomplete.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /** The complete streams of {@code kind} so far. */
    public List<Stream> streams(String kind) {
        return List.copyOf(complete.getOrDefault(kind, new ConcurrentLinkedQueue<>()));
    }

    public long incompleteCount(String kind) {
        AtomicLong n = incomplete.get(kind);
        return n == null ? 0 : n.get();
    }

    /** One line per kind of stream seen: counts, time to first token and tokens/s percentiles. */
    public String summary() {
        List<String> kinds = new ArrayList<>(complete.keySet());
        incomplete.keySet().stream().filter(k -> !kinds.contains(k)).forEach(kinds::add);
        Collections.sort(kinds);
        StringBuilder out = new StringBuilder();
        for (String kind : kinds) {
            List<Stream> streams = streams(kind);
            List<Double> ttft = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            for (Stream s : streams) {
                ttft.add(s.firstTokenMillis());
                if (!Double.isNaN(s.tokensPerSecond())) {
                    rates.add(s.tokensPerSecond());
                }
            }
            out.append(String.format(
                    Locale.ROOT,
                    "%s streams: %d complete, %d incomplete",
                    kind,
                    streams.size(),
                    incompleteCount(kind)));
            if (!ttft.isEmpty()) {
                out.append(String.format(
                        Locale.ROOT,
                        "; time to first token ms: p50 %.1f, p95 %.1f, max %.1f",
                        percentile(ttft, 50),
                        percentile(ttft, 95),
                        percentile(ttft, 100)));
            }
            if (!rates.isEmpty()) {
                out.append(String.format(
                        Locale.ROOT,
                        "; tokens/s per stream: min %.1f, p50 %.1f, mean %.1f, max %.1f",
                        percentile(rates, 0),
                        percentile(rates, 50),
                        rates.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElse(Double.NaN),
                        percentile(rates, 100)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Prints {@link #summary()} and, where {@code out} is given, writes it there too. */
    public void report(java.util.Optional<String> out) {
        String text = summary();
        if (text.isEmpty()) {
            return;
        }
        System.out.print("ferry load: " + text.replace("\n", "\nferry load: ").replaceAll("ferry load: $", ""));
        out.ifPresent(path -> {
            try {
                Files.writeString(Path.of(path), text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("ferry load: could not write " + path + ": " + e);
            }
        });
    }

    /** The nearest-rank percentile {@code p} (0-100) of a non-empty list. */
    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (p <= 0) {
            return sorted.get(0);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.min(sorted.size(), Math.max(1, rank)) - 1);
    }
}
