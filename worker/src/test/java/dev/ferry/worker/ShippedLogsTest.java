package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.Await;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.LogLine;
import dev.ferry.routing.RedisServer;
import dev.ferry.worker.ContainerLogSink.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's log sink ships lines to real container logs (in memory, and a real Redis that
 * stops or pauses), and never makes a container wait: when the store cannot keep up or is
 * down, lines are dropped, counted, and said once per outage.
 */
class ShippedLogsTest {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123Z");
    static final FunctionId CART = FunctionId.parse("shop--cart");
    static final ContainerLogSink NOWHERE = (container, source, line) -> {};

    private final List<LogRecord> said = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(ShippedLogs.class.getName());
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            said.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        logger.addHandler(recorder);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(recorder);
    }

    private List<String> warnings() {
        return said.stream()
                .filter(r -> r.getLevel() == Level.WARNING)
                .map(LogRecord::getMessage)
                .toList();
    }

    private List<String> notes() {
        return said.stream()
                .filter(r -> r.getLevel() == Level.INFO)
                .map(LogRecord::getMessage)
                .toList();
    }

    @Test
    void shipsEachLineTaggedWithAppFunctionContainerAndWorker() {
        try (ContainerLogs logs = ContainerLogs.inMemory();
                ShippedLogs shipped =
                        new ShippedLogs(logs, "worker-9", NOWHERE, Clock.fixed(T0, ZoneOffset.UTC), 100)) {
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "to out");
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDERR, "to err");

            Await.until(WAIT, () -> logs.tail("shop", Optional.empty(), 10).size() == 2, "the two lines shipped");
            List<LogLine> lines = logs.tail("shop", Optional.empty(), 10);
            assertThat(lines.getFirst())
                    .isEqualTo(new LogLine(
                            lines.getFirst().id(), T0, "shop", "cart", "ct-aaaaaaaa", "worker-9", "stdout", "to out"));
            assertThat(lines.get(1))
                    .isEqualTo(new LogLine(
                            lines.get(1).id(), T0, "shop", "cart", "ct-aaaaaaaa", "worker-9", "stderr", "to err"));
            assertThat(shipped.dropped()).isZero();
        }
    }

    @Test
    void closeShipsWhatIsQueued() {
        try (ContainerLogs logs = ContainerLogs.inMemory()) {
            ShippedLogs shipped = new ShippedLogs(logs, "worker-9", NOWHERE);
            for (int i = 0; i < 2000; i++) {
                shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "line " + i);
            }

            shipped.close();

            assertThat(logs.tail("shop", Optional.empty(), 5000)).hasSize(2000);
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "after close");
            assertThat(shipped.dropped()).isZero();
        }
    }

    @Test
    void whenTheStoreCannotKeepUpLinesAreDroppedAndCountedWithoutWaiting() {
        try (RedisServer redis = RedisServer.start();
                ContainerLogs logs = ContainerLogs.redis(redis.uri(), "default");
                ShippedLogs shipped = new ShippedLogs(logs, "worker-9", NOWHERE, Clock.systemUTC(), 10)) {
            // A real Redis that holds every write until the test lets go: the shipper's append
            // waits, and its queue fills up.
            redis.redisCli("CLIENT", "PAUSE", "60000", "WRITE");
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "held");
            Await.until(WAIT, () -> shipped.queued() == 0, "the shipper to take the first line and wait on Redis");

            for (int i = 0; i < 1000; i++) {
                shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "line " + i);
            }

            // The counts hold while the first append waits: it gives up after the store's 2 s
            // command timeout, and a thousand calls that wait on nothing take milliseconds.
            assertThat(shipped.dropped()).isEqualTo(1000 - 10);
            // Redis, which answers reads while it holds writes, has no line yet: every call returned
            // while the first line's write was held, so none waited for the store. A call that
            // waited would have returned only once the pause lapsed, and that line would be there.
            assertThat(logs.tail("shop", Optional.empty(), 10))
                    .as("lines in Redis while it holds writes")
                    .isEmpty();
            assertThat(warnings())
                    .singleElement()
                    .asString()
                    .contains("Container output of worker worker-9 is not reaching Redis at " + redis.uri())
                    .contains("the queue of 10 lines waiting for it is full");

            redis.redisCli("CLIENT", "UNPAUSE");
            // The full queue drains first; a line shipped before that would be dropped too.
            Await.until(WAIT, () -> shipped.queued() == 0, "the queue to drain after the pause");
            long droppedBefore = shipped.dropped();
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "after the pause");
            assertThat(shipped.dropped()).isEqualTo(droppedBefore);

            Await.until(
                    WAIT,
                    () -> logs.tail("shop", Optional.empty(), 100).stream()
                            .anyMatch(l -> l.text().equals("after the pause")),
                    "the line after the pause");
            Await.until(WAIT, () -> !notes().isEmpty(), "the note that lines reach Redis again");
            assertThat(notes())
                    .singleElement()
                    .asString()
                    .contains("reaches Redis at " + redis.uri() + " again; ")
                    .contains(shipped.dropped() + " lines were dropped meanwhile");
            assertThat(warnings()).hasSize(1);
        }
    }

    @Test
    void whileTheStoreIsDownLinesAreDroppedAndCountedWithOneWarningPerOutage() {
        try (RedisServer redis = RedisServer.start();
                ContainerLogs logs = ContainerLogs.redis(redis.uri(), "default");
                ShippedLogs shipped = new ShippedLogs(logs, "worker-9", NOWHERE)) {
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "before");
            Await.until(WAIT, () -> !logs.tail("shop", Optional.empty(), 10).isEmpty(), "the first line in Redis");

            redis.stop();
            for (int i = 0; i < 100; i++) {
                shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "lost " + i);
            }

            Await.until(WAIT, () -> shipped.dropped() == 100, () -> "100 lines dropped, counted " + shipped.dropped());
            // The shipper counts a failed batch, then warns: the warning may trail the count.
            Await.until(WAIT, () -> !warnings().isEmpty(), "the warning of the outage");
            assertThat(warnings())
                    .singleElement()
                    .asString()
                    .startsWith("Container output of worker worker-9 is not reaching Redis at " + redis.uri()
                            + ": Redis at ")
                    .contains("is unreachable");

            redis.restart();
            Await.until(
                    WAIT,
                    () -> {
                        shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "after");
                        return !notes().isEmpty();
                    },
                    "lines to reach Redis again");
            assertThat(notes())
                    .singleElement()
                    .asString()
                    .endsWith("again; " + shipped.dropped() + " lines were dropped meanwhile");
            assertThat(warnings()).hasSize(1);

            redis.stop();
            shipped.ship(CART, "ct-aaaaaaaa", Source.STDOUT, "lost again");
            Await.until(WAIT, () -> warnings().size() == 2, "a warning for the second outage");
        }
    }
}
