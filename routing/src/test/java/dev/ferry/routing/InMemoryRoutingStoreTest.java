package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import org.junit.jupiter.api.Test;

/** The in-memory store meets the contract; its writes show at once. */
class InMemoryRoutingStoreTest extends RoutingStoreContract {

    @Override
    protected RoutingStore newStore() {
        return RoutingStore.inMemory();
    }

    @Test
    void writesShowAtOnceAndListenersHearThemOnTheWritersThread() {
        RecordingListener listener = new RecordingListener();
        store.subscribe(listener);
        store.putRoute("api.example.com", FunctionId.parse("shop--cart"));

        assertThat(store.route("api.example.com")).contains(FunctionId.parse("shop--cart"));
        assertThat(listener.events()).containsExactly("route api.example.com=shop--cart");
        assertThat(listener.threads()).containsOnly(Thread.currentThread().getName());
        assertThat(store.describe()).isEqualTo("in-memory store");
    }
}
