package dev.ferry.gateway;

import java.time.Clock;
import java.time.Duration;

/**
 * The settings one gateway's connections share. Immutable.
 *
 * @param maxQueued requests that may wait per function version, unless the function says otherwise
 * @param queueTimeout how long a request may wait for a slot, unless the function says otherwise
 */
record GatewayConfig(String domain, int maxQueued, Duration queueTimeout, Duration unschedulableWait, Duration deadlineGrace, Duration headTimeout, Duration idleTimeout,
                     int maxRequestLine, int maxHeaderSize, int maxConcurrentStreams, Clock clock, ScaleUpSignal scaleUp) {}
