package dev.ferry.request.protocol;

/**
 * The meaning of each {@link ErrorCode}: the HTTP status a client gets and whether the
 * error's detail text may be shown to that client.
 *
 * <p>The vocabulary is closed: a code this class does not know (a newer peer) is treated as
 * {@link ErrorCode#INTERNAL}. Thread-safe; all methods are pure.
 */
public final class CallErrors {

    /**
     * The detail of the {@link ErrorCode#NO_CAPACITY} a stopping container answers new calls
     * with: not a full container that frees a slot soon, but one that takes no call again, so a
     * gateway takes it out of placement and sends the call elsewhere without counting a refusal.
     */
    public static final String DRAINING = "container is draining";

    private CallErrors() {}

    /** The HTTP status for {@code code}; {@code 499} (client closed) for {@link ErrorCode#CANCELLED}. */
    public static int httpStatus(ErrorCode code) {
        return switch (code) {
            case APP_NOT_FOUND, FUNCTION_NOT_FOUND -> 404;
            case BAD_REQUEST -> 400;
            case URI_TOO_LONG -> 414;
            case HEADERS_TOO_LARGE -> 431;
            case REQUEST_TIMEOUT -> 408;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case FUNCTION_TIMEOUT -> 504;
            case CONTAINER_LOST, PROTOCOL_VIOLATION, CONNECTION_REFUSED -> 502;
            case NO_CAPACITY -> 503;
            case CANCELLED -> 499;
            case FUNCTION_FAILED, INTERNAL, ERROR_CODE_UNSPECIFIED, UNRECOGNIZED -> 500;
        };
    }

    /** Whether the detail text of an error with {@code code} may be shown to a client. */
    public static boolean detailIsClientSafe(ErrorCode code) {
        return switch (code) {
            case APP_NOT_FOUND,
                    FUNCTION_NOT_FOUND,
                    BAD_REQUEST,
                    FUNCTION_TIMEOUT,
                    CONTAINER_LOST,
                    NO_CAPACITY,
                    URI_TOO_LONG,
                    HEADERS_TOO_LARGE,
                    REQUEST_TIMEOUT,
                    PAYLOAD_TOO_LARGE,
                    UNAUTHENTICATED,
                    PERMISSION_DENIED -> true;
            case FUNCTION_FAILED,
                    PROTOCOL_VIOLATION,
                    INTERNAL,
                    CANCELLED,
                    CONNECTION_REFUSED,
                    ERROR_CODE_UNSPECIFIED,
                    UNRECOGNIZED -> false;
        };
    }

    /**
     * The one-line text a client sees for {@code error}: its detail when that is safe to
     * show, else a fixed text for its code. Never contains a line break.
     */
    public static String clientMessage(CallError error) {
        ErrorCode code = error.getCode();
        if (detailIsClientSafe(code) && !error.getDetail().isBlank()) {
            return oneLine(error.getDetail());
        }
        return switch (code) {
            case APP_NOT_FOUND -> "app not found";
            case FUNCTION_NOT_FOUND -> "function not found";
            case BAD_REQUEST -> "bad request";
            case URI_TOO_LONG -> "request line too long";
            case HEADERS_TOO_LARGE -> "request headers too large";
            case REQUEST_TIMEOUT -> "request head not received in time";
            case PAYLOAD_TOO_LARGE -> "request body too large";
            case UNAUTHENTICATED -> "a token is required";
            case PERMISSION_DENIED -> "the token may not call this function";
            case FUNCTION_FAILED -> "function failed; see the container log";
            case FUNCTION_TIMEOUT -> "function timed out";
            case CONTAINER_LOST -> "container exited during the call";
            case NO_CAPACITY -> "no container available";
            case PROTOCOL_VIOLATION -> "function sent an invalid response";
            case CANCELLED -> "call cancelled";
            case CONNECTION_REFUSED -> "container refused the connection";
            case INTERNAL, ERROR_CODE_UNSPECIFIED, UNRECOGNIZED -> "internal error";
        };
    }

    /** A {@link CallError} with {@code code} and {@code detail}. */
    public static CallError of(ErrorCode code, String detail) {
        return CallError.newBuilder().setCode(code).setDetail(detail).build();
    }

    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
