/**
 * The worker: starts each container as a child JVM process, watches it, knows when it is
 * ready, and stops it.
 *
 * <p>Start with {@link dev.ferry.worker.Worker#builder()}. A {@link dev.ferry.worker.Container}
 * is a handle on one child process; its lifecycle is {@link dev.ferry.worker.ContainerState}
 * and {@link dev.ferry.worker.ContainerListener}s hear every change. Container output goes,
 * line by line and tagged with the container, to a {@link dev.ferry.worker.ContainerLogSink}.
 */
package dev.ferry.worker;
