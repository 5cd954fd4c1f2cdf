package dev.ferry.autoscaler;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One key's recent history, a bucket per second: the mean and peak concurrency observed in
 * that second and the most containers decided on in it. Buckets older than the longest
 * window in use are dropped, so memory is bounded by the windows, not by the call rate.
 */
final class DemandWindow {

    private static final class Bucket {
        final long second;
        long sum;
        int samples;
        int peak;
        int desired;

        Bucket(long second) {
            this.second = second;
        }

        double mean() {
            return (double) sum / samples;
        }
    }

    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();

    /** Adds a sample at {@code at}, dropping buckets older than {@code keepSeconds} before it. */
    void record(Instant at, int concurrency, long keepSeconds) {
        long second = at.getEpochSecond();
        Bucket last = buckets.peekLast();
        if (last == null || last.second != second) {
            last = new Bucket(second);
            buckets.addLast(last);
        }
        last.sum += concurrency;
        last.samples++;
        last.peak = Math.max(last.peak, concurrency);
        while (buckets.peekFirst().second <= second - keepSeconds) {
            buckets.removeFirst();
        }
    }

    /** Records that {@code desired} containers were decided on in the current second. */
    void recordDesired(int desired) {
        Bucket last = buckets.peekLast();
        last.desired = Math.max(last.desired, desired);
    }

    /**
     * The mean concurrency over the last {@code seconds} seconds, this one included: the mean
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
