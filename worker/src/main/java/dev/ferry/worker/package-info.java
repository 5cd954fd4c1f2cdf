/**
 * The worker: starts each container as a child JVM process in a {@link dev.ferry.worker.Sandbox}
 * (a plain process, bubblewrap, or runc with the spec's {@link dev.ferry.worker.ContainerLimits}),
 * with its GPUs, watches it, knows when it is ready, stops it and says why it exited
 * ({@link dev.ferry.worker.ContainerExit}). {@link dev.ferry.worker.GpuDetector} finds the
 * machine's GPUs. worker/README.md compares the sandboxes.
 *
 * <p>Start with {@link dev.ferry.worker.Worker#builder()}. A {@link dev.ferry.worker.Container}
 * is a handle on one child process; its lifecycle is {@link dev.ferry.worker.ContainerState}
 * and {@link dev.ferry.worker.ContainerListener}s hear every change. Container output goes,
 * line by line and tagged with the container, to a {@link dev.ferry.worker.ContainerLogSink}.
 */
package dev.ferry.worker;
