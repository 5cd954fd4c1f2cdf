package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ContainerLogs} does, whatever keeps the lines. */
abstract class ContainerLogsContract {

    static final Duration WAIT = Duration.ofSeconds(10);
    /** The bound the stores under test keep: small, so tests overflow it quickly. */
    static final int CAPACITY = 100;
    /** How long followers wait before asking again: short, so tests see several waits pass. */
    static final Duration IDLE = Duration.ofMillis(50);

    static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");
    private static final AtomicInteger APPS = new AtomicInteger();

    protected ContainerLogs logs;
    /** An app name of this test's own, so no follower thread of another test is mistaken for its. */
    protected String app;

    /** A new store that keeps {@code capacity} lines per app and whose followers wait {@code idle}. */
    protected abstract ContainerLogs newLogs(int capacity, Duration idle);

    @BeforeEach
    void open() {
        logs = newLogs(CAPACITY, IDLE);
        app = "shop" + APPS.incrementAndGet();
    }

    @AfterEach
    void close() {
        logs.close();
    }

    static LogLine line(String app, String function, String text) {
        return LogLine.of(T0, app, function, "ct-" + function + "0001", "worker-1", LogLine.STDOUT, text);
    }

    static List<String> texts(List<LogLine> lines) {
        return lines.stream().map(LogLine::text).toList();
    }

    static boolean followerThreadAlive(String app) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("ferry-logs-follow-" + app) && t.isAlive());
    }

    @Test
    void tailGivesBackEveryFieldWithIncreasingIds() {
        LogLine out = LogLine.of(T0, app, "cart", "ct-abcdefgh", "worker-7", LogLine.STDOUT, "hello, world ünïcødé");
        LogLine err = LogLine.of(T0.plusMillis(1), app, "checkout", "ct-12345678", "worker-8", LogLine.STDERR, "");
        LogLine third = line(app, "cart", "  spaced | piped  ");

        logs.append(List.of(out, err));
        logs.append(List.of(third));

        List<LogLine> tail = logs.tail(app, Optional.empty(), 10);
        assertThat(tail).hasSize(3);
        assertThat(tail.get(0)).isEqualTo(out.withId(tail.get(0).id()));
        assertThat(tail.get(1)).isEqualTo(err.withId(tail.get(1).id()));
        assertThat(tail.get(2)).isEqualTo(third.withId(tail.get(2).id()));
        assertThat(tail).extracting(LogLine::id).allMatch(id -> id.matches("\\d+-\\d+"));
        for (int i = 1; i < tail.size(); i++) {
            assertThat(LogIds.parse("id", tail.get(i).id()))
                    .isGreaterThan(LogIds.parse("id", tail.get(i - 1).id()));
        }
    }

    @Test
    void tailGivesTheLatestLinesOldestFirst() {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add(line(app, "cart", "line " + i));
        }
        logs.append(lines);

        assertThat(texts(logs.tail(app, Optional.empty(), 3))).containsExactly("line 7", "line 8", "line 9");
        assertThat(logs.tail(app, Optional.empty(), 0)).isEmpty();
        assertThat(logs.tail(app, Optional.empty(), 50)).hasSize(10);
    }

    @Test
    void tailFiltersByFunctionAndAppsAreSeparate() {
        logs.append(List.of(
                line(app, "cart", "c1"),
                line(app, "checkout", "k1"),
                line(app, "cart", "c2"),
                line(app, "checkout", "k2"),
                line(app, "cart", "c3"),
                line(app + "x", "cart", "other app")));

        assertThat(texts(logs.tail(app, Optional.of("cart"), 2))).containsExactly("c2", "c3");
        assertThat(texts(logs.tail(app, Optional.of("checkout"), 10))).containsExactly("k1", "k2");
        assertThat(logs.tail(app, Optional.of("nothing"), 10)).isEmpty();
        assertThat(texts(logs.tail(app + "x", Optional.empty(), 10))).containsExactly("other app");
        assertThat(logs.tail("never", Optional.empty(), 10)).isEmpty();
    }

    @Test
    void tailFindsAFunctionsLinesFarBehindOthers() {
        logs.append(List.of(line(app, "rare", "rare 1")));
        List<LogLine> busy = new ArrayList<>();
        for (int i = 0; i < CAPACITY - 10; i++) {
            busy.add(line(app, "busy", "busy " + i));
        }
        logs.append(busy);

        assertThat(texts(logs.tail(app, Optional.of("rare"), 5))).containsExactly("rare 1");
    }

    @Test
    void eachAppKeepsAboutItsLatestCapacityOfLines() {
        logs.append(List.of(line(app + "x", "cart", "kept in the other app")));
        for (int batch = 0; batch < 20; batch++) {
            List<LogLine> lines = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                lines.add(line(app, "cart", "line " + (batch * 50 + i)));
            }
            logs.append(lines);
        }

        List<String> kept = texts(logs.tail(app, Optional.empty(), 10 * CAPACITY));
        assertThat(kept.size()).isBetween(CAPACITY, 2 * CAPACITY);
        List<String> expected = new ArrayList<>();
        for (int i = 1000 - kept.size(); i < 1000; i++) {
            expected.add("line " + i);
        }
        assertThat(kept).isEqualTo(expected);
        assertThat(texts(logs.tail(app + "x", Optional.empty(), 10))).containsExactly("kept in the other app");
    }

    @Test
    void followDeliversLinesAfterTheCursorInOrderOfItsFunctionOnly() {
        logs.append(List.of(line(app, "cart", "before 1"), line(app, "cart", "before 2")));
        String last = logs.tail(app, Optional.empty(), 1).getFirst().id();
        List<LogLine> heard = new CopyOnWriteArrayList<>();

        try (ContainerLogs.Subscription ignored = logs.follow(app, Optional.of("cart"), last, heard::add)) {
            // 80 lines, within the capacity: a follower that falls further behind may lose lines
            for (int batch = 0; batch < 4; batch++) {
                List<LogLine> lines = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int n = batch * 20 + i;
                    lines.add(line(app, n % 2 == 0 ? "cart" : "checkout", "after " + n));
                }
                lines.add(line(app + "x", "cart", "another app"));
                logs.append(lines);
            }

            Await.until(WAIT, () -> heard.size() >= 40, () -> "40 lines of cart, heard " + heard.size());
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < 80; n += 2) {
                expected.add("after " + n);
            }
            assertThat(texts(heard)).isEqualTo(expected);
            assertThat(heard).extracting(LogLine::function).containsOnly("cart");
            assertThat(heard).extracting(LogLine::app).containsOnly(app);
        }
    }

    @Test
    void followFromStartDeliversEveryLineKeptThenNewOnes() {
        logs.append(List.of(line(app, "cart", "old 1"), line(app, "checkout", "old 2")));
        List<LogLine> heard = new CopyOnWriteArrayList<>();

        try (ContainerLogs.Subscription ignored = logs.follow(app, Optional.empty(), ContainerLogs.START, heard::add)) {
            Await.until(WAIT, () -> heard.size() == 2, "the two lines kept");
            logs.append(List.of(line(app, "cart", "new 3")));
            Await.until(WAIT, () -> heard.size() == 3, "the new line");
        }
        assertThat(texts(heard)).containsExactly("old 1", "old 2", "new 3");
    }

    @Test
    void followRidesOutWaitsWithNothingAppended() {
        List<LogLine> heard = new CopyOnWriteArrayList<>();
        try (ContainerLogs.Subscription subscription =
                logs.follow(app, Optional.empty(), ContainerLogs.START, heard::add)) {
            LogFollower follower = (LogFollower) subscription;
            Await.until(WAIT, () -> follower.rounds() >= 3, "three idle waits to pass");

            logs.append(List.of(line(app, "cart", "at last")));

            Await.until(WAIT, () -> heard.size() == 1, "the line appended after the idle waits");
            assertThat(heard.getFirst().text()).isEqualTo("at last");
        }
    }

    @Test
    void closeStopsDeliveryAndEndsTheFollowersThread() {
        List<LogLine> closedOne = new CopyOnWriteArrayList<>();
        List<LogLine> openOne = new CopyOnWriteArrayList<>();
        ContainerLogs.Subscription toClose = logs.follow(app, Optional.empty(), ContainerLogs.START, closedOne::add);
        try (ContainerLogs.Subscription ignored =
                logs.follow(app, Optional.empty(), ContainerLogs.START, openOne::add)) {
            logs.append(List.of(line(app, "cart", "first")));
            Await.until(
                    WAIT, () -> closedOne.size() == 1 && openOne.size() == 1, "both followers to hear the first line");

            toClose.close();
            toClose.close(); // idempotent
            logs.append(List.of(line(app, "cart", "second")));

            Await.until(WAIT, () -> openOne.size() == 2, "the open follower to hear the second line");
            assertThat(texts(closedOne)).containsExactly("first");
        }
        Await.until(WAIT, () -> !followerThreadAlive(app), "no follower thread left");
    }

    @Test
    void aFollowerMayCloseItselfAndAConsumerThatThrowsEndsIt() {
        List<LogLine> heard = new CopyOnWriteArrayList<>();
        ContainerLogs.Subscription[] self = new ContainerLogs.Subscription[1];
        self[0] = logs.follow(app, Optional.of("cart"), ContainerLogs.START, line -> {
            heard.add(line);
            self[0].close();
        });
        ContainerLogs.Subscription throwing = logs.follow(app, Optional.of("checkout"), ContainerLogs.START, line -> {
            throw new IllegalStateException("the client went away");
        });
        logs.append(List.of(line(app, "cart", "one"), line(app, "checkout", "boom"), line(app, "cart", "two")));

        Await.until(WAIT, () -> !followerThreadAlive(app), "both followers to end");
        assertThat(texts(heard)).containsExactly("one");
        throwing.close(); // after the end: nothing to do
    }

    @Test
    void closingTheStoreClosesItsFollowers() {
        logs.follow(app, Optional.empty(), ContainerLogs.START, line -> {});
        Await.until(WAIT, () -> followerThreadAlive(app), "the follower thread to run");

        logs.close();

        assertThat(followerThreadAlive(app)).isFalse();
    }

    @Test
    void badNamesIdsAndCountsAreRefusedNamingThem() {
        assertThatThrownBy(() -> logs.tail("Bad_App", Optional.empty(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("app: \"Bad_App\" (expected: 1-30 lower-case letters");
        assertThatThrownBy(() -> logs.tail(app, Optional.of("no--pe"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("function: \"no--pe\"");
        assertThatThrownBy(() -> logs.tail(app, Optional.empty(), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max: -1 (expected: >= 0)");
        assertThatThrownBy(() -> logs.follow(app, Optional.empty(), "latest", line -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("afterId: \"latest\" (expected: a line's id");
        assertThatThrownBy(() -> logs.append(List.of(line("Bad App", "cart", "x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("app: \"Bad App\"");
        assertThatThrownBy(() -> LogLine.of(T0, app, "cart", "c", "w", "stdin", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stream: \"stdin\" (expected: \"stdout\" or \"stderr\")");
        assertThat(followerThreadAlive(app)).isFalse();
    }
}
