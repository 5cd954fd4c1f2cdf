package dev.ferry.gateway;

import java.time.Clock;
import java.time.Duration;

/** The settings one gateway's connections share. Immutable. */
record GatewayConfig(String domain, Duration queueTimeout, Duration unschedulableWait, Duration deadlineGrace, Duration headTimeout, Duration idleTimeout,
                     int maxRequestLine, int maxHeaderSize, int maxConcurrentStreams, Clock clock, ScaleUpSignal scaleUp) {}
