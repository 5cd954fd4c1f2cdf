package dev.ferry.perf.transport;

import java.io.IOException;
import java.util.Locale;

/** The data-plane designs {@link TransportBench} measures (the third over two sockets), by the names its {@code design} parameter takes. */
public enum Design {
    /** (0) One gRPC bidirectional stream per call: the data plane before call-transport. */
    GRPC_PER_CALL,
    /** (a) One long-lived gRPC bidirectional stream per connection carrying batches of frames. */
    GRPC_ONE_STREAM,
    /** (b) Length-prefixed frames directly on a Netty channel: call-transport as it is, over loopback TCP. */
    FRAMES,
    /** (b) over a Unix domain socket (abstract namespace), as a gateway reaches a container on its machine. */
    FRAMES_LOCAL;

    /** The parameter's value: {@code grpc-per-call}, {@code grpc-one-stream}, {@code frames}, {@code frames-local}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The design named {@code id}. */
    public static Design of(String id) {
        for (Design design : values()) {
            if (design.id().equals(id)) {
                return design;
            }
        }
        throw new IllegalArgumentException(
                "design: " + id + " (expected: grpc-per-call, grpc-one-stream, frames or frames-local)");
    }

    /** Starts a server and a connection to it; the connection is made before this returns. */
    public EchoPlane start() throws IOException {
        EchoPlane plane = switch (this) {
            case GRPC_PER_CALL -> GrpcPerCall.start();
            case GRPC_ONE_STREAM -> GrpcOneStream.start();
            case FRAMES -> FramesPlane.start(false);
            case FRAMES_LOCAL -> FramesPlane.start(true);
        };
        try {
            new EchoRun(plane).go(1, 1); // connects (and opens the long-lived stream) outside any measurement
        } catch (RuntimeException e) {
            plane.close();
            throw e;
        }
        return plane;
    }
}
