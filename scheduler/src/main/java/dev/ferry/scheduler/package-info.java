/**
 * Where new containers go: {@link dev.ferry.scheduler.Scheduler} places a
 * {@link dev.ferry.scheduler.Demand} on a {@link dev.ferry.scheduler.Cluster} of workers,
 * {@link dev.ferry.scheduler.CrashBackoff} says when a crashing function may start again and
 * {@link dev.ferry.scheduler.HeartbeatPolicy} when a silent worker counts as lost.
 *
 * <p>Pure logic: no I/O, no threads and no clock of its own; time comes in as
 * {@link java.time.Instant}s. The controller's loop owns the state and drives it.
 */
package dev.ferry.scheduler;
