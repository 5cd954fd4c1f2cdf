package dev.ferry.gateway;

import dev.ferry.routing.DeployedFunction;

/**
 * How the gateway asks for capacity the moment a request has to wait, instead of leaving it
 * to the next autoscaler tick. Implementations must not block and may be called often (once
 * per waiting request): they deduplicate.
 */
@FunctionalInterface
public interface ScaleUpSignal {

    /** A request for {@code function} is waiting for a free input slot. */
    void scaleUp(DeployedFunction function);
}
