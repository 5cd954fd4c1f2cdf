package dev.ferry.gateway;

import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.ContainerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ready containers of one function version and the requests waiting for their slots.
 *
 * <p>A fresh request takes the less loaded of two random containers with a free slot, which
 * spreads load nearly as well as a global least-loaded pick without scanning. Waiters are
 * served first come, first served, as slots free up or containers become ready, each on the
 * least-loaded container with a free slot (a full scan: the queue is released at most once
 * per freed slot), so a container that just became ready takes only its own slots' worth of
 * the queue.
 *
 * <p>Other gateways share the containers, and only the container knows how many of its slots
 * are taken: when it refuses a call ({@link #refused}), this pool counts it full for this
 * gateway ({@link ContainerSlots#limit}) until one of this gateway's calls on it ends or
 * {@link #REFUSAL_HOLD} passes.
 *
 * <p>Thread-safe: every method takes the pool's monitor, and callbacks to waiters never block.
 */
final class FunctionPool {

    /** How long a call broken by its container's death waits for the worker to say why. */
    static final Duration EXIT_REASON_WAIT = Duration.ofSeconds(2);

    /**
     * How long a container that refused a call counts as full when none of this gateway's calls
     * on it ends sooner: short, since another gateway's calls may end any moment, and long
     * enough that waiters do not bounce off a busy container at network speed.
     */
    static final Duration REFUSAL_HOLD = Duration.ofMillis(250);

    private static final int MAX_EXITS_KEPT = 256;

    /** Runs a task once after a delay; how a refusal hold ends. Must not block or run the task inline. */
    @FunctionalInterface
    interface Timer {
        void after(Duration delay, Runnable task);
    }

    private final VersionKey key;
    private final Clock clock;
    private final Timer timer;
    private final List<ContainerSlots> containers = new ArrayList<>();
    private final ArrayDeque<SlotWaiter> waiters = new ArrayDeque<>();
    /** This gateway's calls in flight per container id, only those with any; also containers no longer placed. */
    private final Map<String, Integer> busy = new HashMap<>();

    private int inFlight;
    private Instant lastActive;
    /**
     * The pool of the version that replaced this one once a redeploy moved traffic to it (see
     * {@link FunctionPools#poolFor}); null before. Requests that would wait here wait there.
     */
    private FunctionPool successor;
    /** Containers this version needs that no worker runs yet, and why; insertion order. */
    private final Map<String, String> unplaced = new LinkedHashMap<>();
    /** Containers of this version placed on a worker and starting: requests wait for them. */
    private final Set<String> starting = new HashSet<>();
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

    FunctionPool(VersionKey key, Clock clock, Timer timer) {
        this.key = key;
        this.clock = clock;
        this.timer = timer;
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
     * Queues {@code waiter} last; it is granted a slot when one frees up, or at once if one just
     * did. Returns false, queueing nothing, when {@code maxQueued} requests already wait. After
     * a redeploy moved traffic on, it queues in the new version's pool instead.
     */
    boolean enqueue(SlotWaiter waiter, int maxQueued) {
        FunctionPool next;
        synchronized (this) {
            next = successor;
            if (next == null) {
                if (waiters.size() >= maxQueued) {
                    return false;
                }
                waiters.add(waiter);
                dispatch();
                return true;
            }
        }
        waiter.moved(next);
        return next.enqueue(waiter, maxQueued);
    }

    /**
     * Queues first a waiter whose container refused it: it already waited its turn. Not bound
     * by the queue limit, since it held a slot a moment ago (the queue grows by at most the
     * calls in flight). After a redeploy moved traffic on, it queues first in the new
     * version's pool: a call a draining container of the old version refused is served there.
     */
    void requeue(SlotWaiter waiter) {
        FunctionPool next;
        synchronized (this) {
            next = successor;
            if (next == null) {
                waiters.addFirst(waiter);
                dispatch();
                return;
            }
        }
        waiter.moved(next);
        next.requeue(waiter);
    }

    /**
     * A redeploy moved this function's traffic to {@code next}: the requests waiting here go
     * there, ahead of those that queued there (they waited longer), and so do later ones that
     * would wait here. Calls in flight here go on on this version's containers.
     */
    void handOver(FunctionPool next) {
        List<SlotWaiter> moving;
        synchronized (this) {
            if (next == this) {
                return;
            }
            successor = next;
            moving = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (int i = moving.size() - 1; i >= 0; i--) {
            SlotWaiter waiter = moving.get(i);
            waiter.moved(next);
            next.requeue(waiter);
        }
    }

    /** Whether traffic was moved from this version to a newer one. */
    synchronized boolean handedOver() {
        return successor != null;
    }

    /** How many of this version's containers are ready and in placement. */
    synchronized int readyContainers() {
        return containers.size();
    }

    /**
     * Whether this version can take its function's traffic from an older one: a container of it
     * is ready and none is on its way (placed and starting, or unplaced only while it waits its
     * turn): all that a redeploy started beside the old version's have come up, or failed.
     */
    synchronized boolean rolledOut() {
        return !containers.isEmpty()
                && starting.isEmpty()
                && unplaced.values().stream().noneMatch(ContainerInfo::waitsForTurn);
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

    synchronized void addContainer(ContainerInfo info, ContainerConnections connections) {
        for (ContainerSlots c : containers) {
            if (c.info.id().equals(info.id())) {
                return;
            }
        }
        containers.add(new ContainerSlots(info, connections));
        dispatch();
    }

    /** Takes the container out of placement; its calls in flight go on. */
    synchronized void removeContainer(String containerId) {
        containers.removeIf(c -> c.info.id().equals(containerId));
    }

    /**
     * Why waiting requests cannot be served, if so: a container this version needs cannot be
     * started now (e.g. "no worker has gpu H100:2"), and none is ready or on its way. While
     * one serves or starts, requests wait for it: the unplaced ones are extra capacity.
     */
    synchronized Optional<String> unschedulable() {
        if (!containers.isEmpty() || !starting.isEmpty()) {
            return Optional.empty();
        }
        return unplaced.values().stream().findFirst();
    }

    /** Why a container this version needs cannot be started now, if one cannot, whether or not others serve. */
    synchronized Optional<String> unplacedReason() {
        return unplaced.values().stream().findFirst();
    }

    /**
     * Container {@code id} is needed but unplaced for {@code reason} (an empty reason: it is
     * not), and whether it is placed and starting.
     */
    synchronized void placement(String id, String reason, boolean isStarting) {
        if (reason.isEmpty()) {
            unplaced.remove(id);
        } else {
            unplaced.put(id, reason);
        }
        if (isStarting) {
            starting.add(id);
        } else {
            starting.remove(id);
        }
    }

    /** Container {@code id} died or could not start, for {@code reason}. */
    synchronized void exited(String id, String reason) {
        exits.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(reason);
    }

    /** The record of container {@code id} is gone: it is placed no more, and if no reason came, none will. */
    synchronized void gone(String id) {
        unplaced.remove(id);
        starting.remove(id);
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
        return new FunctionDemand(
                key.function(), key.version(), inFlight, waiters.size(), containers.size(), lastActive, busy);
    }

    /**
     * Returns a slot of {@code container} after a call on it ended; with {@code lost}, the
     * container leaves placement first. The slot is this gateway's to use again even if the
     * container refused a call meanwhile: it just ran one of ours.
     */
    synchronized void release(ContainerSlots container, boolean lost) {
        if (lost) {
            containers.remove(container);
        }
        untake(container);
        dispatch();
    }

    /**
     * Returns the slot of a call {@code container} refused: other gateways hold its slots, so
     * this gateway counts it full at what it runs there now, until one of those calls ends or
     * {@link #REFUSAL_HOLD} passes.
     */
    synchronized void refused(ContainerSlots container) {
        untake(container);
        container.limit = container.inFlight;
        long hold = ++container.holds;
        timer.after(REFUSAL_HOLD, () -> holdExpired(container, hold));
        dispatch();
    }

    private synchronized void holdExpired(ContainerSlots container, long hold) {
        if (container.holds == hold) { // a later refusal holds it longer
            container.limit = container.info.maxInputs();
            dispatch();
        }
    }

    /** Hands free slots to waiters in order, each on the least-loaded container with room. */
    private void dispatch() {
        while (!waiters.isEmpty()) {
            ContainerSlots container = leastLoaded();
            if (container == null) {
                return;
            }
            SlotWaiter waiter = waiters.poll();
            take(container);
            if (!waiter.grant(new SlotLease(this, container))) {
                untake(container);
            }
        }
    }

    private void take(ContainerSlots container) {
        container.inFlight++;
        inFlight++;
        busy.merge(container.info.id(), 1, Integer::sum);
        lastActive = clock.instant();
    }

    private void untake(ContainerSlots container) {
        container.inFlight--;
        inFlight--;
        busy.computeIfPresent(container.info.id(), (id, calls) -> calls == 1 ? null : calls - 1);
        lastActive = clock.instant();
    }

    /**
     * The container with a free slot that runs the fewest calls, ties broken at random: gateways
     * releasing their queues at once should not all aim at the container listed first.
     */
    private ContainerSlots leastLoaded() {
        ContainerSlots least = null;
        int ties = 0;
        for (ContainerSlots c : containers) {
            if (!c.hasFreeSlot()) {
                continue;
            }
            if (least == null || c.inFlight < least.inFlight) {
                least = c;
                ties = 1;
            } else if (c.inFlight == least.inFlight
                    && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                least = c;
            }
        }
        return least;
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
        return Optional.ofNullable(leastLoaded());
    }
}
