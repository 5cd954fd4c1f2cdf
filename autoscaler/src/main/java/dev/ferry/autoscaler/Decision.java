package dev.ferry.autoscaler;

import java.util.List;
import java.util.Objects;

/**
 * What the autoscaler wants for one function version now.
 *
 * @param desired the containers (starting + ready) it aims at
 * @param toStart containers to start now, &ge; 0
 * @param toStop idle containers to stop now, newest first; never one with inputs in flight, so
 *     it may name fewer than {@code current − desired} (the rest go on a later decision)
 * @param panic whether a burst put it in panic mode (no scale-down while it lasts)
 * @param reason a short human reason, e.g. for {@code ferry ls}
 */
public record Decision(int desired, int toStart, List<String> toStop, boolean panic, String reason) {

    public Decision {
        toStop = List.copyOf(toStop);
        Objects.requireNonNull(reason, "reason");
        if (toStart > 0 && !toStop.isEmpty()) {
            throw new IllegalArgumentException(
                    "toStart: " + toStart + " with toStop: " + toStop + " (expected: one or the other)");
        }
    }
}
