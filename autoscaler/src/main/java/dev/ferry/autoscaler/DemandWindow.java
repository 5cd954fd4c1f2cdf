package dev.ferry.autoscaler;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One key's recent history, a bucket per second: the mean demand (arrival-driven concurrency,
 * see {@link Autoscaler}) and the peak concurrency (backlog included) observed in that second,
 * the queue at its first observation, and the most containers decided on in it. Buckets older
 * than the longest window in use are dropped, so memory is bounded by the windows, not by the
 * call rate.
 */
final class DemandWindow {

    private static final class Bucket {
        final long second;
        /** The queue at the first observation of this second: what later growth is measured from. */
        final int firstQueued;
        /** The concurrency at the first observation of this second. */
        final int firstConcurrency;

        long sum;
        int samples;
        int peak;
        int desired;

        Bucket(long second, int firstConcurrency, int firstQueued) {
            this.second = second;
            this.firstConcurrency = firstConcurrency;
            this.firstQueued = firstQueued;
        }

        double mean() {
            return (double) sum / samples;
        }
    }

    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();

    /**
     * Adds a sample at {@code at}: the demand averaged, the concurrency (in flight + queued) whose
     * peak says whether the key was idle, and the queue. Drops buckets older than
     * {@code keepSeconds} before it.
     */
    void record(Instant at, int demand, int concurrency, int queued, long keepSeconds) {
        long second = at.getEpochSecond();
        Bucket last = buckets.peekLast();
        if (last == null || last.second != second) {
            last = new Bucket(second, concurrency, queued);
            buckets.addLast(last);
        }
        last.sum += demand;
        last.samples++;
        last.peak = Math.max(last.peak, concurrency);
        while (buckets.peekFirst().second <= second - keepSeconds) {
            buckets.removeFirst();
        }
    }

    /**
     * The queue at the first observation of the newest second at or before {@code second}, or -1
     * when none is held.
     */
    int queuedAt(long second) {
        for (Iterator<Bucket> it = buckets.descendingIterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (b.second <= second) {
                return b.firstQueued;
            }
        }
        return -1;
    }

    /**
     * Whether the concurrency, as first observed in each second, rose from each second to the
     * next over the last {@code seconds} seconds (every one of them observed).
     */
    boolean roseEverySecond(long nowSecond, long seconds) {
        Iterator<Bucket> it = buckets.descendingIterator();
        Bucket later = it.hasNext() ? it.next() : null;
        if (later == null || later.second != nowSecond) {
            return false;
        }
        for (long k = 1; k <= seconds; k++) {
            Bucket earlier = it.hasNext() ? it.next() : null;
            if (earlier == null
                    || earlier.second != nowSecond - k
                    || earlier.firstConcurrency >= later.firstConcurrency) {
                return false;
            }
            later = earlier;
        }
        return true;
    }

    /** Records that {@code desired} containers were decided on in the current second. */
    void recordDesired(int desired) {
        Bucket last = buckets.peekLast();
        last.desired = Math.max(last.desired, desired);
    }

    /**
     * The mean demand over the last {@code seconds} seconds, this one included: the mean
     * of the seconds observed in it (seconds with no observation are skipped, not counted as 0).
     */
    double average(long nowSecond, long seconds) {
        double sum = 0;
        int n = 0;
        for (Iterator<Bucket> it = buckets.descendingIterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (b.second <= nowSecond - seconds) {
                break;
            }
            sum += b.mean();
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    /** The peak concurrency over the last {@code seconds} seconds. */
    int peak(long nowSecond, long seconds) {
        int peak = 0;
        for (Iterator<Bucket> it = buckets.descendingIterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (b.second <= nowSecond - seconds) {
                break;
            }
            peak = Math.max(peak, b.peak);
        }
        return peak;
    }

    /** The most containers decided on over the last {@code seconds} seconds. */
    int maxDesired(long nowSecond, long seconds) {
        int max = 0;
        for (Iterator<Bucket> it = buckets.descendingIterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (b.second <= nowSecond - seconds) {
                break;
            }
            max = Math.max(max, b.desired);
        }
        return max;
    }

    /** Buckets held, for tests of the memory bound. */
    int size() {
        return buckets.size();
    }
}
