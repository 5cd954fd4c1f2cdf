package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Records for tests, with every field set to something a codec could get wrong. */
final class Samples {

    /** An instant with nanoseconds, which a careless codec truncates. */
    static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");

    private Samples() {}

    static FunctionSettings settings(String name) {
        return new FunctionSettings(
                name,
                8,
                3,
                Duration.ofMillis(1500).plusNanos(7),
                Duration.ofMinutes(5),
                1,
                10,
                2,
                0.25,
                512,
                List.of("H100", "A100-80GB:2"),
                10L * 1024 * 1024 * 1024,
                1L << 24,
                List.of("zone=eu"),
                50,
                Duration.ofSeconds(20));
    }

    /** App {@code app} at {@code version} with {@code functions}, sorted by name. */
    static AppDeployment app(String app, String version, String... functions) {
        List<DeployedFunction> fs = new ArrayList<>();
        for (String f : functions) {
            fs.add(new DeployedFunction(
                    app,
                    version,
                    "com.example." + f + ".Handler",
                    Path.of("/var/lib/ferry/jars/" + app + "-" + version + ".jar"),
                    "ab".repeat(32),
                    settings(f)));
        }
        return new AppDeployment(app, version, fs, T0);
    }

    static ContainerInfo container(String id, String function, ContainerState state) {
        return new ContainerInfo(
                id,
                FunctionId.parse(function),
                "v1",
                "w1",
                "127.0.0.7",
                50051,
                state,
                8,
                T0.plusSeconds(1),
                new ContainerResources(0.5, 512, List.of(1)),
                state == ContainerState.FAILED ? "out of memory (limit 512 MiB)" : "");
    }

    static WorkerInfo worker(String id) {
        return new WorkerInfo(
                id,
                "127.0.0." + Math.abs(id.hashCode() % 250),
                16,
                64L * 1024 * 1024 * 1024,
                List.of(new WorkerGpu(0, "GPU-0000", "H100", 81559), new WorkerGpu(1, "GPU-0001", "H100", 81559)),
                Map.of("zone", "eu-west", "gpu", "h100"),
                T0.plusMillis(3));
    }

    static DemandSample demand(String gateway, String function, int inFlight, Instant sampledAt) {
        return new DemandSample(
                gateway,
                FunctionId.parse(function),
                "v1",
                inFlight,
                inFlight / 2,
                sampledAt.minusMillis(10),
                sampledAt);
    }
}
