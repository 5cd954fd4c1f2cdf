package dev.ferry.perf.bench;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A new container's throughput over time under a closed loop of HTTP/1.1 connections, in
 * fixed windows from the moment every connection sends its first request (connections are
 * open before, so their set-up is not counted; the container's start is). The load runs on
 * without a break, and its last windows are the same container warm: the baseline each early
 * window is compared with.
 *
 * @param window the width of each window
 * @param rates answers with a 200 per second in each window, from the first request on
 * @param rampWindows how many of the first windows are the ramp the report looks at
 * @param warmFrom the first window of the warm phase; it runs to the end
 * @param firstAnswerMillis from the first requests to the first 200
 * @param errors answers other than 200 and broken connections, all windows together
 */
record WarmUpCurve(
        Duration window, List<Double> rates, int rampWindows, int warmFrom, double firstAnswerMillis, long errors) {

    WarmUpCurve {
        rates = List.copyOf(rates);
        if (rampWindows < 1 || warmFrom < rampWindows || warmFrom >= rates.size()) {
            throw new IllegalArgumentException("windows: ramp " + rampWindows + ", warm from " + warmFrom + " of "
                    + rates.size() + " (expected: 1 <= ramp <= warm from < windows)");
        }
    }

    /**
     * Runs the load: {@code connections} HTTP/1.1 connections to 127.0.0.1:{@code port} (shared
     * out over {@code loops}), each sending its next request as soon as the last is answered,
     * for {@code warmFrom + warm} in all; answers are counted in windows of {@code window}. Blocking.
     *
     * @param ramp the start of the run the report looks at (windows from 0)
     * @param warmFrom when the warm phase begins, counted from the first requests
     * @param warm how long the warm phase lasts
     */
    static WarmUpCurve measure(
            List<EventLoop> loops,
            int port,
            Target.Route route,
            int connections,
            Duration ramp,
            Duration warmFrom,
            Duration warm,
            Duration window)
            throws Exception {
        if (ramp.compareTo(warmFrom) > 0) {
            throw new IllegalArgumentException("ramp: " + ramp + " (expected: <= warmFrom, " + warmFrom + ")");
        }
        Duration total = warmFrom.plus(warm);
        int windows = (int) (total.toNanos() / window.toNanos());
        List<LoadClient> clients = new ArrayList<>();
        try {
            int lanes = Math.min(loops.size(), connections);
            for (int i = 0; i < lanes; i++) {
                int share = connections / lanes + (i < connections % lanes ? 1 : 0);
                clients.add(new Http1LoadClient(loops.get(i), port, route, share));
            }
            long origin = System.nanoTime();
            List<Counter> counters = new ArrayList<>();
            List<LongConsumer> onAnswered = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                Counter counter = new Counter(origin, window.toNanos(), windows);
                counters.add(counter);
                onAnswered.add(counter::answered);
            }
            LoadDriver.Result result =
                    LoadDriver.closedLoop(clients, loops.subList(0, clients.size()), total, onAnswered);
            long[] counts = new long[windows];
            long first = Long.MAX_VALUE;
            for (Counter counter : counters) {
                for (int w = 0; w < windows; w++) {
                    counts[w] += counter.counts[w];
                }
                first = Math.min(first, counter.firstNanos);
            }
            List<Double> rates = new ArrayList<>();
            double seconds = window.toNanos() / 1e9;
            for (long count : counts) {
                rates.add(count / seconds);
            }
            return new WarmUpCurve(
                    window,
                    rates,
                    (int) Math.max(1, ramp.toNanos() / window.toNanos()),
                    (int) (warmFrom.toNanos() / window.toNanos()),
                    first == Long.MAX_VALUE ? Double.NaN : (first - origin) / 1e6,
                    result.latencies().errors());
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    /** Answers per second of the warm phase, averaged over its windows. */
    double warmRate() {
        return mean(warmFrom, rates.size());
    }

    /** The first window's rate as a share of {@link #warmRate()}. */
    double firstWindowShare() {
        return Ratios.ratio(rates.getFirst(), warmRate());
    }

    /** The first second's rate (its whole windows) as a share of {@link #warmRate()}. */
    double firstSecondShare() {
        int windows = (int) Math.max(1, Duration.ofSeconds(1).toNanos() / window.toNanos());
        return Ratios.ratio(mean(0, Math.min(windows, rampWindows)), warmRate());
    }

    /**
     * Milliseconds from the first requests to the end of the first window whose rate reached
     * {@code share} of {@link #warmRate()}, looking before the warm phase only; NaN when none did.
     */
    double millisToReach(double share) {
        double goal = share * warmRate();
        for (int w = 0; w < warmFrom; w++) {
            if (rates.get(w) >= goal) {
                return (w + 1) * window.toNanos() / 1e6;
            }
        }
        return Double.NaN;
    }

    private double mean(int from, int to) {
        double sum = 0;
        for (int w = from; w < to; w++) {
            sum += rates.get(w);
        }
        return to > from ? sum / (to - from) : Double.NaN;
    }

    /** One lane's answers per window; touched on that lane's event loop only, read after the run. */
    private static final class Counter {
        final long origin;
        final long width;
        final long[] counts;
        long firstNanos = Long.MAX_VALUE;

        Counter(long origin, long width, int windows) {
            this.origin = origin;
            this.width = width;
            this.counts = new long[windows];
        }

        void answered(long atNanos) {
            firstNanos = Math.min(firstNanos, atNanos);
            long w = (atNanos - origin) / width;
            if (w >= 0 && w < counts.length) {
                counts[(int) w]++;
            }
        }
    }
}
