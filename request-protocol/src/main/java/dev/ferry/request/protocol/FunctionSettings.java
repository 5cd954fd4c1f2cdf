package dev.ferry.request.protocol;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated settings of one function, as its author declared them (in Java, with the
 * runtime's {@code @FerryFunction} annotation) and as the platform stores and acts on them.
 * Also holds the naming rules shared by apps and functions.
 *
 * @param name the function's name (a DNS label without "--")
 * @param maxInputs the most inputs one container runs at once, &gt; 0
 * @param targetInputs the inputs per container the autoscaler aims at, 1..maxInputs
 * @param timeout how long one input may run, &gt; 0
 * @param scaledownWindow how long a container may sit idle before it is stopped, &gt; 0
 * @param minContainers containers kept even when idle, &ge; 0
 * @param maxContainers the most containers at once, 0 for no limit
 * @param bufferContainers idle containers kept in reserve, &ge; 0
 * @param cpu cores per container, 0 for the default
 * @param memoryMib MiB per container, 0 for the default
 * @param gpu GPU requests in order of preference, e.g. "H100" or "A100-80GB:2" (see {@link GpuRequest});
 *     stored in canonical form
 * @param maxRequestBody the largest request body in bytes, 0 for no limit
 * @param maxWebSocketMessage the largest WebSocket message in bytes, whole, &gt; 0
 * @param workerLabels labels a worker must carry to run this function, each {@code key=value}
 * @param maxQueued the most requests each gateway queues for this function while no container
 *     has a free input slot, 0 for the gateway's default
 * @param queueTimeout how long a queued request waits for a slot before a 503, {@link Duration#ZERO}
 *     for the gateway's default
 * @param requiresAuth whether a caller must present a token allowed to call this function's app
 *     ({@code Authorization: Bearer …}); false serves the public
 * @param secrets names of the secrets whose keys become environment variables in the container
 *     (each a name by {@link #checkName})
 * @param network the container's network: {@link #NETWORK_DEFAULT} (empty, the worker's
 *     choice), {@link #NETWORK_NONE} (loopback of its own only: it serves Ferry's calls and
 *     reaches nothing) or {@link #NETWORK_HOST} (the machine's network)
 */
public record FunctionSettings(
        String name,
        int maxInputs,
        int targetInputs,
        Duration timeout,
        Duration scaledownWindow,
        int minContainers,
        int maxContainers,
        int bufferContainers,
        double cpu,
        int memoryMib,
        List<String> gpu,
        long maxRequestBody,
        long maxWebSocketMessage,
        List<String> workerLabels,
        int maxQueued,
        Duration queueTimeout,
        boolean requiresAuth,
        List<String> secrets,
        String network) {

    /** {@link #network()}: the worker decides ({@code ferry worker --container-network}). */
    public static final String NETWORK_DEFAULT = "";
    /** {@link #network()}: a network namespace of its own with nothing but loopback. */
    public static final String NETWORK_NONE = "none";
    /** {@link #network()}: the machine's network. */
    public static final String NETWORK_HOST = "host";

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}=[A-Za-z0-9._-]{0,63}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)");

    public FunctionSettings {
        checkName("name", name);
        if (maxInputs <= 0) {
            throw new IllegalArgumentException("maxInputs: " + maxInputs + " (expected: > 0)");
        }
        if (targetInputs <= 0 || targetInputs > maxInputs) {
            throw new IllegalArgumentException(
                    "targetInputs: " + targetInputs + " (expected: 1.." + maxInputs + ", or 0 for maxInputs)");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        if (scaledownWindow.isZero() || scaledownWindow.isNegative()) {
            throw new IllegalArgumentException("scaledownWindow: " + scaledownWindow + " (expected: > 0)");
        }
        checkContainers(minContainers, maxContainers, bufferContainers);
        if (!(cpu >= 0) || Double.isInfinite(cpu)) { // NaN too; JSON's 1e400 reads as infinity
            throw new IllegalArgumentException("cpu: " + cpu + " (expected: >= 0, finite)");
        }
        if (memoryMib < 0) {
            throw new IllegalArgumentException("memoryMib: " + memoryMib + " (expected: >= 0)");
        }
        if (maxRequestBody < 0) {
            throw new IllegalArgumentException(
                    "maxRequestBody: " + maxRequestBody + " (expected: >= 0, 0 for no limit)");
        }
        if (maxWebSocketMessage <= 0 || maxWebSocketMessage > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "maxWebSocketMessage: " + maxWebSocketMessage + " (expected: 1 byte to 2 GiB)");
        }
        // Stored in canonical form ("H100:2"), so every reader parses what the deploy checked.
        gpu = GpuRequest.parseAll(gpu).stream().map(GpuRequest::toString).toList();
        workerLabels = List.copyOf(workerLabels);
        for (String label : workerLabels) {
            checkLabel("workerLabels", label);
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException(
                    "maxQueued: " + maxQueued + " (expected: >= 0, 0 for the gateway's default)");
        }
        if (queueTimeout == null || queueTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "queueTimeout: " + queueTimeout + " (expected: >= 0, 0 for the gateway's default)");
        }
        secrets = List.copyOf(secrets);
        for (String secret : secrets) {
            checkName("secrets", secret);
        }
        if (secrets.size() != secrets.stream().distinct().count()) {
            throw new IllegalArgumentException("secrets: " + secrets + " (expected: each name once)");
        }
        if (network == null
                || !(network.equals(NETWORK_DEFAULT) || network.equals(NETWORK_NONE) || network.equals(NETWORK_HOST))) {
            throw new IllegalArgumentException("network: " + (network == null ? "null" : '"' + network + '"')
                    + " (expected: \"none\", \"host\", or empty for the worker's default)");
        }
    }

    /** Settings that are public, name no secrets and take the worker's network. */
    public FunctionSettings(
            String name,
            int maxInputs,
            int targetInputs,
            Duration timeout,
            Duration scaledownWindow,
            int minContainers,
            int maxContainers,
            int bufferContainers,
            double cpu,
            int memoryMib,
            List<String> gpu,
            long maxRequestBody,
            long maxWebSocketMessage,
            List<String> workerLabels,
            int maxQueued,
            Duration queueTimeout) {
        this(
                name,
                maxInputs,
                targetInputs,
                timeout,
                scaledownWindow,
                minContainers,
                maxContainers,
                bufferContainers,
                cpu,
                memoryMib,
                gpu,
                maxRequestBody,
                maxWebSocketMessage,
                workerLabels,
                maxQueued,
                queueTimeout,
                false,
                List.of(),
                NETWORK_DEFAULT);
    }

    /** Settings with the gateway's default queue bounds. */
    public FunctionSettings(
            String name,
            int maxInputs,
            int targetInputs,
            Duration timeout,
            Duration scaledownWindow,
            int minContainers,
            int maxContainers,
            int bufferContainers,
            double cpu,
            int memoryMib,
            List<String> gpu,
            long maxRequestBody,
            long maxWebSocketMessage,
            List<String> workerLabels) {
        this(
                name,
                maxInputs,
                targetInputs,
                timeout,
                scaledownWindow,
                minContainers,
                maxContainers,
                bufferContainers,
                cpu,
                memoryMib,
                gpu,
                maxRequestBody,
                maxWebSocketMessage,
                workerLabels,
                0,
                Duration.ZERO);
    }

    /** The default of {@link #maxWebSocketMessage()}: 16 MiB. */
    public static final long DEFAULT_MAX_WEBSOCKET_MESSAGE = 16L * 1024 * 1024;

    /** {@link #gpu} parsed, in order of preference; empty for none. */
    public List<GpuRequest> gpuRequests() {
        return GpuRequest.parseAll(gpu);
    }

    /**
     * Checks the container counts of a function, as deployed or as an operator overrides them:
     * {@code minContainers} &ge; 0, {@code maxContainers} 0 (no limit) or &ge; {@code minContainers},
     * {@code bufferContainers} &ge; 0; in that order.
     *
     * @throws IllegalArgumentException naming the first count that is off and what was expected
     */
    public static void checkContainers(int minContainers, int maxContainers, int bufferContainers) {
        if (minContainers < 0) {
            throw new IllegalArgumentException("minContainers: " + minContainers + " (expected: >= 0)");
        }
        if (maxContainers < 0 || (maxContainers > 0 && maxContainers < minContainers)) {
            throw new IllegalArgumentException("maxContainers: " + maxContainers
                    + " (expected: 0 for no limit, or >= minContainers " + minContainers + ")");
        }
        if (bufferContainers < 0) {
            throw new IllegalArgumentException("bufferContainers: " + bufferContainers + " (expected: >= 0)");
        }
    }

    /**
     * Checks a placement label written {@code key=value}: a key of letters, digits, '.', '_',
     * '/' and '-' (at most 63), and a value of letters, digits, '.', '_' and '-' (may be empty).
     *
     * @throws IllegalArgumentException naming {@code what} and the value
     */
    public static String checkLabel(String what, String label) {
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException(what + ": " + (label == null ? "null" : '"' + label + '"')
                    + " (expected: key=value, e.g. \"zone=eu\"; letters, digits, '.', '_', '-', and '/' in the key)");
        }
        return label;
    }

    /** What {@link #checkName} expects, for messages about values made of names. */
    static final String NAME_RULE = "1-30 lower-case letters, digits and single hyphens, starting with a letter";

    /**
     * Checks that {@code value} is usable as an app or function name: lower-case letters,
     * digits and single hyphens, starting with a letter, at most 30 characters so that
     * {@code <app>--<function>} fits a 63-character DNS label. (A name never holds "--", so
     * a {@link FunctionId} splits one way only.)
     *
     * @throws IllegalArgumentException naming {@code what} and the value
     */
    public static String checkName(String what, String value) {
        if (!isName(value)) {
            throw new IllegalArgumentException(
                    what + ": " + (value == null ? "null" : '"' + value + '"') + " (expected: " + NAME_RULE + ")");
        }
        return value;
    }

    /**
     * Whether {@code value} is an app or function name (see {@link #checkName}). By hand, not a
     * regex: the gateway asks on every request whose host names a function.
     */
    static boolean isName(String value) {
        int n = value == null ? 0 : value.length();
        if (n == 0 || n > 30 || value.charAt(0) < 'a' || value.charAt(0) > 'z' || value.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && value.charAt(i - 1) != '-');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a size written as a whole number and a unit: B, KB, MB, GB (powers of 1000) or
     * KiB, MiB, GiB (powers of 1024); case-insensitive. An empty text is 0 (no limit).
     *
     * @throws IllegalArgumentException naming {@code what} and the value
     */
    public static long parseSize(String what, String text) {
        if (text.isBlank()) {
            return 0;
        }
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    what + ": \"" + text + "\" (expected: a number and a unit, e.g. \"512KiB\", \"10MB\", \"2GiB\")");
        }
        long unit = switch (m.group(2)) {
            case "b" -> 1;
            case "kb" -> 1000;
            case "kib" -> 1024;
            case "mb" -> 1_000_000;
            case "mib" -> 1024 * 1024;
            case "gb" -> 1_000_000_000L;
            default -> 1024L * 1024 * 1024;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            // Without this, 20 digits were a NumberFormatException that named neither the setting nor
            // the limit, and "9000000000GiB" wrapped around to a negative size.
            throw new IllegalArgumentException(
                    what + ": \"" + text + "\" (expected: at most " + Long.MAX_VALUE + " bytes)", e);
        }
    }

    /**
     * Parses a duration written as a whole number and a unit: ms, s, m or h.
     *
     * @throws IllegalArgumentException naming {@code what} and the value
     */
    public static Duration parseDuration(String what, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + ": \"" + text
                    + "\" (expected: a number and a unit, e.g. \"500ms\", \"30s\", \"5m\", \"1h\")");
        }
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            // Without this, 20 digits were a NumberFormatException and "9223372036854775807h" an
            // ArithmeticException, neither naming the setting, and either escaped the admin API's scale handler.
            throw new IllegalArgumentException(
                    what + ": \"" + text + "\" (expected: at most " + Long.MAX_VALUE + " seconds)", e);
        }
    }
}
