package dev.ferry.autoscaler;

import java.time.Instant;
import java.util.Objects;

/**
 * One container of a function version as the controller sees it at an observation.
 *
 * @param id the container's id, as the decision names it in {@link Decision#toStop}
 * @param phase whether it is starting, ready or draining
 * @param inFlight inputs it is running now, open WebSockets included (a WebSocket is an input
 *     until it closes); a container with {@code inFlight > 0} is never chosen to stop
 * @param startedAt when it was started; among idle containers the newest are stopped first
 */
public record ContainerLoad(String id, Phase phase, int inFlight, Instant startedAt) {

    /** Where a container is in its life, as far as capacity goes. */
    public enum Phase {
        /** Started, not yet accepting inputs: counts as capacity on the way. */
        STARTING,
        /** Accepting inputs. */
        READY,
        /** Finishing its inputs before it stops: not counted as capacity. */
        DRAINING
    }

    public ContainerLoad {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(startedAt, "startedAt");
        if (inFlight < 0) {
            throw new IllegalArgumentException("inFlight: " + inFlight + " (expected: >= 0)");
        }
    }

    /** A ready container running {@code inFlight} inputs. */
    public static ContainerLoad ready(String id, int inFlight, Instant startedAt) {
        return new ContainerLoad(id, Phase.READY, inFlight, startedAt);
    }

    /** A container that is starting. */
    public static ContainerLoad starting(String id, Instant startedAt) {
        return new ContainerLoad(id, Phase.STARTING, 0, startedAt);
    }

    /** Whether it counts as capacity: starting or ready. */
    boolean counts() {
        return phase != Phase.DRAINING;
    }
}
