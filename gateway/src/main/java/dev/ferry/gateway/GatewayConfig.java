package dev.ferry.gateway;

import java.time.Duration;

/**
 * The settings one gateway's connections share, taken by name from the
 * {@link GatewayServer.Builder} that started it (whose setters document them). Immutable.
 */
final class GatewayConfig {

    private final String domain;
    private final int maxQueued;
    private final Duration queueTimeout;
    private final Duration unschedulableWait;
    private final Duration deadlineGrace;
    private final Duration headTimeout;
    private final Duration idleTimeout;
    private final int maxRequestLine;
    private final int maxHeaderSize;
    private final int maxConcurrentStreams;
    private final ScaleUpSignal scaleUp;

    /** The settings {@code server} was given; {@code scaleUp} is told whenever a request has to wait. */
    GatewayConfig(GatewayServer.Builder server, ScaleUpSignal scaleUp) {
        this.domain = server.domain;
        this.maxQueued = server.maxQueuedPerFunction;
        this.queueTimeout = server.queueTimeout;
        this.unschedulableWait = server.unschedulableWait;
        this.deadlineGrace = GatewayServer.DEADLINE_GRACE;
        this.headTimeout = server.headTimeout;
        this.idleTimeout = server.idleTimeout;
        this.maxRequestLine = server.maxRequestLine;
        this.maxHeaderSize = server.maxHeaderSize;
        this.maxConcurrentStreams = server.maxConcurrentStreams;
        this.scaleUp = scaleUp;
    }

    /** Functions are served at {@code <app>--<function>.<domain>}. */
    String domain() {
        return domain;
    }

    /** Requests that may wait per function version, unless the function says otherwise. */
    int maxQueued() {
        return maxQueued;
    }

    /** How long a request may wait for a slot, unless the function says otherwise. */
    Duration queueTimeout() {
        return queueTimeout;
    }

    /** How long a request waits while no container of its function can be placed; then 503. */
    Duration unschedulableWait() {
        return unschedulableWait;
    }

    /** How far beyond the function's timeout the call's deadline at the gateway lies. */
    Duration deadlineGrace() {
        return deadlineGrace;
    }

    /** From an HTTP/1.x head's first byte to its end; then 408 and close. */
    Duration headTimeout() {
        return headTimeout;
    }

    /** Between HTTP/1.x requests; then the connection is closed. */
    Duration idleTimeout() {
        return idleTimeout;
    }

    /** The longest request line in bytes; then 414. */
    int maxRequestLine() {
        return maxRequestLine;
    }

    /** The largest request head in bytes; then 431. */
    int maxHeaderSize() {
        return maxHeaderSize;
    }

    /** Streams per HTTP/2 or HTTP/3 connection. */
    int maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    /** Told whenever a request has to wait for a slot. */
    ScaleUpSignal scaleUp() {
        return scaleUp;
    }
}
