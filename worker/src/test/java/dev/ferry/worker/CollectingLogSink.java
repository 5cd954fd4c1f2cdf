package dev.ferry.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** A log sink that keeps every line, and lets a test wait for one. */
final class CollectingLogSink implements ContainerLogSink {

    record Line(String containerId, Source source, String text) {}

    private final List<Line> lines = new ArrayList<>();

    @Override
    public synchronized void line(Container container, Source source, String line) {
        lines.add(new Line(container.id(), source, line));
        notifyAll();
    }

    synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Waits until a line matching {@code condition} has arrived; fails after {@code timeout}. */
    synchronized Line await(Predicate<Line> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Line> match = lines.stream().filter(condition).findFirst();
            if (match.isPresent()) {
                return match.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching line within " + timeout + "; got " + lines);
            }
            wait(Math.max(1, Duration.ofNanos(left).toMillis()));
        }
    }

    /** Waits for {@code text} from {@code container} on {@code source}. */
    Line await(Container container, Source source, String text, Duration timeout) throws InterruptedException {
        return await(
                line -> line.containerId().equals(container.id())
                        && line.source() == source
                        && line.text().equals(text),
                timeout);
    }
}
