package dev.ferry.gateway;

import dev.ferry.routing.ContainerInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ready containers of one function version and the requests waiting for their slots.
 *
 * <p>Placement is least-loaded of two random containers with a free slot, which spreads
 * load nearly as well as a global least-loaded pick without scanning. Waiters are served
 * first come, first served, as slots free up or containers become ready. Thread-safe: every
 * method takes the pool's monitor, and callbacks to waiters never block.
 */
final class FunctionPool {

    /** How long a call broken by its container's death waits for the worker to say why. */
    static final Duration EXIT_REASON_WAIT = Duration.ofSeconds(2);

    private static final int MAX_EXITS_KEPT = 256;

    private final String function;
    private final String version;
    private final int maxQueued;
    private final Clock clock;
    private final List<ContainerSlots> containers = new ArrayList<>();
    private final ArrayDeque<SlotWaiter> waiters = new ArrayDeque<>();
    private int inFlight;
    private Instant lastActive;
    /** Containers this version needs that no worker runs yet, and why; insertion order. */
    private final Map<String, String> unplaced = new LinkedHashMap<>();
    /**
     * Why recently exited containers exited ("" when not said); completed when their worker
     * says. Bounded: a call may ask about a container whose record is long gone, and nothing
     * would ever complete or remove that entry.
     */
    private final Map<String, CompletableFuture<String>> exits = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<String>> eldest) {
            return size() > MAX_EXITS_KEPT;
        }
    };

    FunctionPool(String function, String version, int maxQueued, Clock clock) {
        this.function = function;
        this.version = version;
        this.maxQueued = maxQueued;
        this.clock = clock;
        this.lastActive = clock.instant();
    }

    /**
     * A free slot now, when one is free and nobody waits before the caller; else null (then
     * {@link #enqueue}).
     */
    synchronized SlotLease tryAcquire() {
        if (!waiters.isEmpty()) {
            return null;
        }
        Optional<ContainerSlots> free = pick();
        if (free.isEmpty()) {
            return null;
        }
        take(free.get());
        return new SlotLease(this, free.get());
    }

    /**
     * Queues {@code waiter}; it is granted a slot when one frees up, or at once if one just
     * did. Returns false, queueing nothing, when {@code maxQueued} requests already wait.
     */
    synchronized boolean enqueue(SlotWaiter waiter) {
        if (waiters.size() >= maxQueued) {
            return false;
        }
        waiters.add(waiter);
        dispatch();
        return true;
    }

    /** Forgets {@code waiter} if it is still queued (it timed out or its client left). */
    synchronized void cancel(SlotWaiter waiter) {
        waiters.remove(waiter);
    }

    /** Turns away every waiting request with {@code reason}; later requests queue as usual. */
    synchronized void rejectWaiting(String reason) {
        SlotWaiter waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.reject(reason);
        }
    }

    synchronized void addContainer(ContainerInfo info, ContainerChannels channels) {
        for (ContainerSlots c : containers) {
            if (c.info.id().equals(info.id())) {
                return;
            }
        }
        containers.add(new ContainerSlots(info, channels));
        dispatch();
    }

    /** Takes the container out of placement; its calls in flight go on. */
    synchronized void removeContainer(String containerId) {
        containers.removeIf(c -> c.info.id().equals(containerId));
    }

    /** The reason a container of this version cannot be started now, if any (e.g. "no worker has gpu H100:2"). */
    synchronized Optional<String> unschedulable() {
        return unplaced.values().stream().findFirst();
    }

    /** Container {@code id} is needed but unplaced for {@code reason}; an empty reason clears it. */
    synchronized void unplaced(String id, String reason) {
        if (reason.isEmpty()) {
            unplaced.remove(id);
        } else {
            unplaced.put(id, reason);
        }
    }

    /** Container {@code id} died or could not start, for {@code reason}. */
    synchronized void exited(String id, String reason) {
        exits.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(reason);
    }

    /** The record of container {@code id} is gone: it is placed no more, and if no reason came, none will. */
    synchronized void gone(String id) {
        unplaced.remove(id);
        exits.computeIfAbsent(id, k -> new CompletableFuture<>()).complete("");
    }

    /** Drops what {@link #gone} kept of container {@code id}, once late calls no longer ask. */
    synchronized void forgetExit(String id) {
        CompletableFuture<String> exit = exits.get(id);
        if (exit != null && exit.isDone()) {
            exits.remove(id);
        }
    }

    /**
     * Why container {@code id} exited: completes when its worker says, or with "" when its
     * record goes without a reason. Callers bound the wait.
     */
    synchronized CompletableFuture<String> exitReason(String id) {
        return exits.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    synchronized FunctionDemand demand() {
        return new FunctionDemand(function, version, inFlight, waiters.size(), containers.size(), lastActive);
    }

    /** Returns a slot of {@code container}; with {@code lost}, the container leaves placement first. */
    synchronized void release(ContainerSlots container, boolean lost) {
        if (lost) {
            containers.remove(container);
        }
        untake(container);
        dispatch();
    }

    private void dispatch() {
        while (!waiters.isEmpty()) {
            Optional<ContainerSlots> free = pick();
            if (free.isEmpty()) {
                return;
            }
            SlotWaiter waiter = waiters.poll();
            ContainerSlots container = free.get();
            take(container);
            if (!waiter.grant(new SlotLease(this, container))) {
                untake(container);
            }
        }
    }

    private void take(ContainerSlots container) {
        container.inFlight++;
        inFlight++;
        lastActive = clock.instant();
    }

    private void untake(ContainerSlots container) {
        container.inFlight--;
        inFlight--;
        lastActive = clock.instant();
    }

    private Optional<ContainerSlots> pick() {
        int n = containers.size();
        if (n == 0) {
            return Optional.empty();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ContainerSlots a = containers.get(random.nextInt(n));
        ContainerSlots b = containers.get(random.nextInt(n));
        ContainerSlots best = a.inFlight <= b.inFlight ? a : b;
        if (best.hasFreeSlot()) {
            return Optional.of(best);
        }
        // Both picks were full: fall back to a scan so a free slot is never missed.
        ContainerSlots least = null;
        for (ContainerSlots c : containers) {
            if (c.hasFreeSlot() && (least == null || c.inFlight < least.inFlight)) {
                least = c;
            }
        }
        return Optional.ofNullable(least);
    }
}
