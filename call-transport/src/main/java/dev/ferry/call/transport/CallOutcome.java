package dev.ferry.call.transport;

/** How a call ended, as its caller sees it. */
public enum CallOutcome {
    /** The container sent the call's last event (or its error) and ended it. */
    COMPLETED,
    /**
     * The connection to the container closed or could not be made before the call completed:
     * the container is gone, or going.
     */
    CONNECTION_LOST
}
