package dev.ferry.gateway;

import java.time.Duration;

/**
 * The edge's limits.
 *
 * @param head from an HTTP/1.x head's first byte to its end; then 408 and close
 * @param idle between HTTP/1.x requests; then the connection is closed
 * @param maxRequestLine the longest request line in bytes; then 414
 * @param maxHeaderSize the largest request head in bytes; then 431
 * @param maxConcurrentStreams streams per HTTP/2 or HTTP/3 connection
 * @param unschedulableWait how long a request waits while no container of its function can be placed; then 503
 * @param maxQueued requests that may wait per function, unless the function sets its own; then 503
 */
public record EdgeLimits(Duration head, Duration idle, int maxRequestLine, int maxHeaderSize, int maxConcurrentStreams,
                         Duration unschedulableWait, int maxQueued) {
    /** The defaults of {@code ferry dev} and {@code ferry gateway}. */
    public static final EdgeLimits DEFAULTS = new EdgeLimits(Duration.ofSeconds(30), Duration.ofSeconds(75), 8192, 16384, 256,
            Duration.ofSeconds(10), 1024);
}
