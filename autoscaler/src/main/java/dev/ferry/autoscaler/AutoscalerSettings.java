package dev.ferry.autoscaler;

import dev.ferry.request.protocol.FunctionSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings the autoscaler acts on for one function version: those its author deployed
 * ({@link #from}), possibly overridden by an operator without a redeploy ({@code with*}).
 *
 * @param minContainers containers kept even when idle, &ge; 0
 * @param maxContainers the most containers at once, 0 for no limit, else &ge; {@code minContainers}
 * @param bufferContainers idle containers kept in reserve while the function is active, &ge; 0
 * @param targetInputs the concurrency (inputs in flight + queued) to aim for per container, 1..maxInputs
 * @param maxInputs the most inputs one container runs at once, &gt; 0
 * @param scaledownWindow how long demand must stay low before containers are stopped, whole seconds, &ge; 1 s
 */
public record AutoscalerSettings(
        int minContainers,
        int maxContainers,
        int bufferContainers,
        int targetInputs,
        int maxInputs,
        Duration scaledownWindow) {

    /** The longest stable window: demand is averaged over {@code min(scaledownWindow, 60 s)}. */
    public static final Duration MAX_STABLE_WINDOW = Duration.ofSeconds(60);

    public AutoscalerSettings {
        // The same counts, and messages, as a deploy's: an operator's override is checked as the author's setting was.
        FunctionSettings.checkContainers(minContainers, maxContainers, bufferContainers);
        if (maxInputs <= 0) {
            throw new IllegalArgumentException("maxInputs: " + maxInputs + " (expected: > 0)");
        }
        if (targetInputs <= 0 || targetInputs > maxInputs) {
            throw new IllegalArgumentException("targetInputs: " + targetInputs + " (expected: 1.." + maxInputs + ")");
        }
        Objects.requireNonNull(scaledownWindow, "scaledownWindow");
        if (scaledownWindow.compareTo(Duration.ofSeconds(1)) < 0 || scaledownWindow.toNanosPart() != 0) {
            throw new IllegalArgumentException(
                    "scaledownWindow: " + scaledownWindow + " (expected: whole seconds, >= 1 s)");
        }
    }

    /**
     * The settings a function was deployed with. A scaledown window with a fraction of a second
     * is rounded up to the next whole second.
     */
    public static AutoscalerSettings from(FunctionSettings settings) {
        return new AutoscalerSettings(
                settings.minContainers(),
                settings.maxContainers(),
                settings.bufferContainers(),
                settings.targetInputs(),
                settings.maxInputs(),
                wholeSeconds(settings.scaledownWindow()));
    }

    /** {@code window} rounded up to whole seconds, at least 1 s: a scaledown window as these settings take it. */
    public static Duration wholeSeconds(Duration window) {
        long seconds = window.toSeconds() + (window.toNanosPart() > 0 ? 1 : 0);
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    public AutoscalerSettings withMinContainers(int minContainers) {
        return new AutoscalerSettings(
                minContainers, maxContainers, bufferContainers, targetInputs, maxInputs, scaledownWindow);
    }

    public AutoscalerSettings withMaxContainers(int maxContainers) {
        return new AutoscalerSettings(
                minContainers, maxContainers, bufferContainers, targetInputs, maxInputs, scaledownWindow);
    }

    public AutoscalerSettings withBufferContainers(int bufferContainers) {
        return new AutoscalerSettings(
                minContainers, maxContainers, bufferContainers, targetInputs, maxInputs, scaledownWindow);
    }

    /** These settings aiming at {@code targetInputs} per container, which must be 1..maxInputs. */
    public AutoscalerSettings withTargetInputs(int targetInputs) {
        return new AutoscalerSettings(
                minContainers, maxContainers, bufferContainers, targetInputs, maxInputs, scaledownWindow);
    }

    /** These settings with {@code maxInputs}, and {@code targetInputs} lowered to it if above. */
    public AutoscalerSettings withMaxInputs(int maxInputs) {
        return new AutoscalerSettings(
                minContainers,
                maxContainers,
                bufferContainers,
                Math.min(targetInputs, Math.max(1, maxInputs)),
                maxInputs,
                scaledownWindow);
    }

    public AutoscalerSettings withScaledownWindow(Duration scaledownWindow) {
        return new AutoscalerSettings(
                minContainers, maxContainers, bufferContainers, targetInputs, maxInputs, scaledownWindow);
    }

    /** The window demand is averaged over: the scaledown window, at most {@link #MAX_STABLE_WINDOW}. */
    public Duration stableWindow() {
        return scaledownWindow.compareTo(MAX_STABLE_WINDOW) < 0 ? scaledownWindow : MAX_STABLE_WINDOW;
    }

    /** The short window that detects bursts: a tenth of the stable window, whole seconds, at least 1 s. */
    public Duration panicWindow() {
        return Duration.ofSeconds(Math.max(1, stableWindow().toSeconds() / 10));
    }

    /** {@link #maxContainers}, with 0 (no limit) as {@link Integer#MAX_VALUE}. */
    int limit() {
        return maxContainers == 0 ? Integer.MAX_VALUE : maxContainers;
    }
}
