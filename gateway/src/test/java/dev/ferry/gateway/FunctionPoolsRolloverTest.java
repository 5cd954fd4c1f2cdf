package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which version's pool a redeploy's requests go to: the replaced version's while the new one
 * starts, the new one's once all it started are ready, and for good from then on. The
 * containers' connections go to a port nothing listens on: no call is made.
 */
class FunctionPoolsRolloverTest {

    private static final FunctionId FN = FunctionId.parse("a--f");
    private static final VersionKey V1 = VersionKey.of(FN, "v1");
    private static final VersionKey V2 = VersionKey.of(FN, "v2");

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlerFactory());
    private final FunctionPools pools = new FunctionPools(loops, Clock.systemUTC());

    @AfterEach
    void close() {
        pools.close();
        loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static ContainerInfo container(String id, String version, ContainerState state) {
        return new ContainerInfo(id, FN, version, "w1", "127.0.0.1", 1, state, 4, Instant.EPOCH);
    }

    @Test
    void aNewVersionTakesTheTrafficOnceEveryContainerItStartedIsReady() {
        pools.containerUpdated(container("old-1", "v1", ContainerState.READY));
        assertThat(pools.poolFor(V1)).isSameAs(pools.pool(V1));
        for (int i = 0; i < 4; i++) {
            assertThat(pools.pool(V1).tryAcquire())
                    .as("old-1's inputs, all taken")
                    .isNotNull();
        }
        SlotWaiterRecord waiting = new SlotWaiterRecord();
        pools.pool(V1).enqueue(waiting, 10);

        assertThat(pools.poolFor(V2)).as("nothing of v2 yet").isSameAs(pools.pool(V1));
        pools.containerUpdated(container("new-1", "v2", ContainerState.PENDING));
        pools.containerUpdated(container("new-2", "v2", ContainerState.STARTING));
        pools.containerUpdated(container("new-1", "v2", ContainerState.READY));
        assertThat(pools.poolFor(V2)).as("new-2 still starts").isSameAs(pools.pool(V1));

        pools.containerUpdated(container("new-2", "v2", ContainerState.READY));
        assertThat(pools.poolFor(V2)).isSameAs(pools.pool(V2));
        assertThat(waiting.movedTo).as("v1's waiter moved to v2").isSameAs(pools.pool(V2));
        assertThat(pools.pool(V1).handedOver()).isTrue();

        pools.containerUpdated(container("new-3", "v2", ContainerState.STARTING));
        assertThat(pools.poolFor(V2)).as("a scale-up of v2 later").isSameAs(pools.pool(V2));
    }

    @Test
    void aNewVersionServesAtOnceWhenNoOlderOneIsReady() {
        pools.containerUpdated(container("old-1", "v1", ContainerState.STOPPING));

        assertThat(pools.poolFor(V2)).isSameAs(pools.pool(V2));
    }

    /** Records a move; takes no slot it is offered. */
    private static final class SlotWaiterRecord implements SlotWaiter {
        volatile FunctionPool movedTo;

        @Override
        public boolean grant(SlotLease lease) {
            return false;
        }

        @Override
        public void reject(String reason) {}

        @Override
        public void moved(FunctionPool pool) {
            movedTo = pool;
        }
    }
}
