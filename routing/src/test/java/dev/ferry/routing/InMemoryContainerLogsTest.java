package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The in-memory container logs meet the contract, and keep exactly their capacity. */
class InMemoryContainerLogsTest extends ContainerLogsContract {

    @Override
    protected ContainerLogs newLogs(int capacity, Duration idle) {
        return new InMemoryContainerLogs(capacity, idle);
    }

    @Test
    void keepsExactlyItsCapacity() {
        for (int i = 0; i < 3 * CAPACITY + 7; i++) {
            logs.append(List.of(line(app, "cart", "line " + i)));
        }

        List<LogLine> kept = logs.tail(app, Optional.empty(), 10 * CAPACITY);
        assertThat(kept).hasSize(CAPACITY);
        assertThat(kept.getFirst().text()).isEqualTo("line " + (2 * CAPACITY + 7));
        assertThat(logs.describe()).isEqualTo("in-memory store");
    }
}
