package dev.ferry.routing;

import static dev.ferry.routing.Samples.T0;
import static dev.ferry.routing.Samples.app;
import static dev.ferry.routing.Samples.container;
import static dev.ferry.routing.Samples.demand;
import static dev.ferry.routing.Samples.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.RecordCodec.MalformedRecordException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The JSON form of the records: exact round trips, and a clear refusal of anything else. */
class RecordCodecTest {

    private static Object roundTrip(RoutingCopy.Kind kind, String key, String json) {
        return RecordCodec.versioned(kind, key, "{\"v\":7,\"r\":" + json + "}").record();
    }

    @Test
    void secretsRoundTripAndAreCheckedWhenRead() {
        FunctionSecret db = FunctionSecret.seal(
                "db",
                java.util.Map.of("PASSWORD", "pw", "USER", "u"),
                SecretCipher.random(),
                Instant.parse("2025-03-04T05:06:07.123456789Z"));
        assertThat(roundTrip(RoutingCopy.Kind.SECRET, "db", RecordCodec.secret(db)))
                .isEqualTo(db);
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.SECRET, "cache", RecordCodec.secret(db)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("secret \"db\" stored under \"cache\"");
        assertThatThrownBy(
                        () -> roundTrip(
                                RoutingCopy.Kind.SECRET,
                                "db",
                                "{\"name\":\"db\",\"sealed\":{\"FERRY_X\":\"v1:00:AA\"},\"updatedAt\":\"2025-03-04T05:06:07.000000000Z\"}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("FERRY_X");
    }

    /**
     * Found by reading what RecordCodecFuzzTest's dictionary gives it: JSON "1e400" reads as an
     * infinite double, which the records' checks (>= 0, not NaN) let through; written back it is
     * the string "Infinity", which no longer reads as a number, and a function asking for
     * infinite CPU is never placed.
     */
    @Test
    void refusesAnInfiniteCpu() {
        String app = RecordCodec.app(app("shop", "v1", "cart")).replace("\"cpu\":0.25", "\"cpu\":1e400");
        assertThat(app).contains("\"cpu\":1e400");
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.APP, "shop", app))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("cpu: Infinity (expected: >= 0, finite)");
        String container = RecordCodec.container(container("c1", "shop--cart", ContainerState.READY))
                .replace("\"cpu\":0.5", "\"cpu\":-1e400");
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.CONTAINER, "c1", container))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("resources: cpu -Infinity");
        String infinite = RecordCodec.container(container("c1", "shop--cart", ContainerState.READY))
                .replace("\"cpu\":0.5", "\"cpu\":1e400");
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.CONTAINER, "c1", infinite))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("resources: cpu Infinity");
    }

    @Test
    void recordsRoundTripExactly() {
        AppDeployment shop = app("shop", "v1", "cart", "checkout");
        assertThat(roundTrip(RoutingCopy.Kind.APP, "shop", RecordCodec.app(shop)))
                .isEqualTo(shop);
        for (ContainerState state : ContainerState.values()) {
            ContainerInfo c = container("c1", "shop--cart", state);
            assertThat(roundTrip(RoutingCopy.Kind.CONTAINER, "c1", RecordCodec.container(c)))
                    .isEqualTo(c);
        }
        ContainerInfo plain = container("c1", "shop--cart", ContainerState.READY);
        assertThat(RecordCodec.container(plain)).doesNotContain("socket"); // as written before local sockets
        ContainerInfo local = new ContainerInfo(
                "c1",
                plain.function(),
                plain.version(),
                plain.worker(),
                plain.host(),
                plain.port(),
                plain.state(),
                plain.maxInputs(),
                plain.startedAt(),
                plain.resources(),
                "",
                "ferry/c1/3f2a");
        assertThat(roundTrip(RoutingCopy.Kind.CONTAINER, "c1", RecordCodec.container(local)))
                .isEqualTo(local);
        assertThat(local.withState(ContainerState.STOPPING).socket()).isEqualTo("ferry/c1/3f2a");
        WorkerInfo w = worker("w1");
        assertThat(roundTrip(RoutingCopy.Kind.WORKER, "w1", RecordCodec.worker(w)))
                .isEqualTo(w);
        assertThat(RecordCodec.worker(w)).doesNotContain("pool"); // as written before pools
        WorkerInfo pooled = w.withPool(new WorkerPool(4, 3, 1));
        assertThat(roundTrip(RoutingCopy.Kind.WORKER, "w1", RecordCodec.worker(pooled)))
                .isEqualTo(pooled);
        assertThat(roundTrip(
                        RoutingCopy.Kind.ROUTE, "api.example.com", RecordCodec.route(FunctionId.parse("shop--cart"))))
                .isEqualTo(FunctionId.parse("shop--cart"));
        ScaleOverride override = new ScaleOverride(
                FunctionId.parse("shop--cart"), "v1", 1, null, 2, null, java.time.Duration.ofSeconds(30), T0);
        assertThat(roundTrip(RoutingCopy.Kind.SCALE_OVERRIDE, "shop--cart@v1", RecordCodec.scaleOverride(override)))
                .isEqualTo(override);
        ScaleStatus status =
                new ScaleStatus(FunctionId.parse("shop--cart"), "v1", 4, true, "burst: 16 in flight + queued → 4", T0);
        assertThat(roundTrip(RoutingCopy.Kind.SCALE_STATUS, "shop--cart@v1", RecordCodec.scaleStatus(status)))
                .isEqualTo(status);
        assertThatThrownBy(() ->
                        roundTrip(RoutingCopy.Kind.SCALE_STATUS, "shop--cart@v2", RecordCodec.scaleStatus(status)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("stored under");
        DemandSample d = demand("g1", "shop--cart", 4, T0);
        assertThat(RecordCodec.demand(RecordCodec.demand(d))).isEqualTo(d);
        DemandSample busy = new DemandSample(
                "g1", FunctionId.parse("shop--cart"), "v1", 5, 0, T0, T0, java.util.Map.of("c2", 1, "c1", 4));
        assertThat(RecordCodec.demand(RecordCodec.demand(busy))).isEqualTo(busy);
        assertThat(RecordCodec.demand(RecordCodec.demand(busy)).busy().keySet()).containsExactly("c1", "c2");
        assertThat(RecordCodec.versioned(
                                RoutingCopy.Kind.ROUTE, "a.example.com", "{\"v\":7,\"r\":{\"function\":\"a--b\"}}")
                        .version())
                .isEqualTo(7);
    }

    @Test
    void aContainersSecretTravelsInItsRecordButNeverPrints() {
        ContainerInfo plain = container("c1", "shop--cart", ContainerState.READY);
        ContainerSecret secret = ContainerSecret.generate();
        ContainerInfo secured = new ContainerInfo(
                "c1",
                plain.function(),
                plain.version(),
                plain.worker(),
                plain.host(),
                plain.port(),
                plain.state(),
                plain.maxInputs(),
                plain.startedAt(),
                plain.resources(),
                "",
                "ferry/c1/3f2a",
                secret);

        String json = RecordCodec.container(secured);

        assertThat(roundTrip(RoutingCopy.Kind.CONTAINER, "c1", json)).isEqualTo(secured);
        assertThat(((ContainerInfo) roundTrip(RoutingCopy.Kind.CONTAINER, "c1", json)).secret())
                .isEqualTo(secret);
        assertThat(secured.withState(ContainerState.STOPPING).secret()).isEqualTo(secret);
        assertThat(secured.toString()).doesNotContain(secret.encoded()).contains("secret=ContainerSecret[hidden]");
        // Records of containers from before secrets, and of pending ones, have none.
        assertThat(RecordCodec.container(plain)).doesNotContain("secret");
        assertThat(((ContainerInfo) roundTrip(RoutingCopy.Kind.CONTAINER, "c1", RecordCodec.container(plain))).secret())
                .isEqualTo(ContainerSecret.NONE);
        String broken = json.replace(secret.encoded(), "short");
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.CONTAINER, "c1", broken))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("field \"secret\"");
    }

    @Test
    void identitiesAreWrittenAsTheStringsTheyAlwaysWere() {
        // Old and new processes share one Redis: a function is "app--fn", a version's key "app--fn@version".
        assertThat(RecordCodec.route(FunctionId.parse("shop--cart"))).isEqualTo("{\"function\":\"shop--cart\"}");
        assertThat(RecordCodec.container(container("c1", "shop--cart", ContainerState.READY)))
                .startsWith("{\"id\":\"c1\",\"function\":\"shop--cart\",\"version\":\"v1\",");
        DemandSample d = demand("g1", "shop--cart", 4, T0);
        assertThat(d.key()).isEqualTo("g1|shop--cart@v1");
        assertThat(RecordCodec.demand(d))
                .startsWith("{\"gateway\":\"g1\",\"function\":\"shop--cart\",\"version\":\"v1\",");
        ScaleOverride override = ScaleOverride.none(VersionKey.parse("shop--cart@v1"), T0);
        assertThat(RecordCodec.scaleOverride(override)).startsWith("{\"function\":\"shop--cart\",\"version\":\"v1\"");
        assertThat(RecordCodec.versioned(
                                RoutingCopy.Kind.SCALE_OVERRIDE,
                                "shop--cart@v1",
                                "{\"v\":7,\"r\":" + RecordCodec.scaleOverride(override) + "}")
                        .record())
                .isEqualTo(override);
    }

    @Test
    void recordsWrittenBeforeNewFieldsReadWithTheirDefaults() {
        String app = RecordCodec.app(app("shop", "v1", "cart"));
        assertThat(app).contains("\"maxQueued\":50", "\"queueTimeout\":\"PT20S\"");
        AppDeployment old = (AppDeployment) roundTrip(
                RoutingCopy.Kind.APP,
                "shop",
                app.replace(",\"maxQueued\":50", "").replace(",\"queueTimeout\":\"PT20S\"", ""));
        assertThat(old.functions().get(0).settings().maxQueued()).isZero();
        assertThat(old.functions().get(0).settings().queueTimeout()).isZero();
        assertThat(RecordCodec.demand(RecordCodec.demand(demand("g1", "shop--cart", 4, T0)))
                        .busy())
                .isEmpty();
    }

    @Test
    void instantsHaveAFixedWidthSoTheyCompareAsText() {
        assertThat(RecordCodec.instant(Instant.parse("2025-01-01T00:00:00Z")))
                .isEqualTo("2025-01-01T00:00:00.000000000Z");
        assertThat(RecordCodec.instant(T0)).isEqualTo("2025-03-04T05:06:07.123456789Z");
        assertThat(RecordCodec.instant(T0).compareTo(RecordCodec.instant(T0.plusNanos(1))))
                .isNegative();
    }

    @Test
    void anythingElseIsRefused() {
        String app = RecordCodec.app(app("shop", "v1", "cart"));
        assertThatThrownBy(() -> RecordCodec.versioned(RoutingCopy.Kind.APP, "shop", "not json"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> RecordCodec.versioned(RoutingCopy.Kind.APP, "shop", "[1]"))
                .isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> RecordCodec.versioned(RoutingCopy.Kind.APP, "shop", "{\"v\":1}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("\"r\"");
        assertThatThrownBy(() -> RecordCodec.versioned(RoutingCopy.Kind.APP, "shop", "{\"v\":0,\"r\":" + app + "}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(() -> RecordCodec.versioned(RoutingCopy.Kind.APP, "blog", "{\"v\":1,\"r\":" + app + "}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("stored under");
        assertThatThrownBy(() ->
                        roundTrip(RoutingCopy.Kind.APP, "shop", app.replace("\"maxInputs\":8", "\"maxInputs\":-1")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("maxInputs");
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.APP, "shop", app.replace("\"PT1.500000007S\"", "\"soon\"")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> roundTrip(
                        RoutingCopy.Kind.CONTAINER,
                        "c1",
                        RecordCodec.container(container("c1", "shop--cart", ContainerState.READY))
                                .replace("READY", "NAPPING")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("NAPPING");
        assertThatThrownBy(() -> roundTrip(
                        RoutingCopy.Kind.ROUTE, "Bad Host", RecordCodec.route(FunctionId.parse("shop--cart"))))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("route host");
        assertThatThrownBy(() -> roundTrip(RoutingCopy.Kind.ROUTE, "api.example.com", "{\"function\":\"shop\"}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("function id: \"shop\" (expected: app--function");
        String sample = RecordCodec.demand(
                new DemandSample("g1", FunctionId.parse("shop--cart"), "v1", 1, 0, T0, T0, java.util.Map.of("c1", 1)));
        assertThatThrownBy(() -> RecordCodec.demand(sample.replace("\"c1\":1", "\"c1\":0")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("c1");
        assertThatThrownBy(() -> RecordCodec.demand(sample.replace("\"c1\":1", "\"c1\":\"x\"")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("c1");
        assertThatThrownBy(() -> RecordCodec.demand("{\"gateway\":\"g\"}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("function");
    }
}
