package dev.ferry.perf.load;

import dev.ferry.request.protocol.FunctionId;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a load simulation runs against and how hard, read from {@code ferry.*} system properties
 * ({@code perf/load} sets them from its options). Each simulation names its own defaults; every
 * value is validated here, and a bad one fails with a message naming the property, the value and
 * what was expected.
 *
 * <ul>
 *   <li>{@code ferry.url}: the target (http/https; ws/wss for the WebSocket simulation).</li>
 *   <li>{@code ferry.rate}: arrivals (new requests or streams) per second, &gt; 0; for the ramp, the
 *       rate of its last step.</li>
 *   <li>{@code ferry.duration}: how long arrivals go on ({@code 500ms}, {@code 30s}, {@code 2m},
 *       {@code 1h}; a bare number is seconds).</li>
 *   <li>{@code ferry.steps}: the ramp's number of steps.</li>
 *   <li>{@code ferry.idle}: scale from zero: how long to send nothing before the burst.</li>
 *   <li>{@code ferry.tokens}: tokens per stream (SSE events; words per WebSocket prompt).</li>
 *   <li>{@code ferry.timeout}: the longest wait for a stream's next token.</li>
 *   <li>{@code ferry.stream-rate}: the mixed simulation's SSE and WebSocket streams per second
 *       (each).</li>
 *   <li>{@code ferry.sse-url}, {@code ferry.ws-url}: the mixed simulation's streaming targets.</li>
 *   <li>{@code ferry.resolve}: {@code host=ip[,host=ip...]}: where to connect for a host name, the
 *       Host header staying that name. Hosts {@code localhost} and {@code *.localhost} always go to
 *       127.0.0.1, since the JVM's resolver may not know them.</li>
 *   <li>{@code ferry.streams-out}: a file the streaming simulations write their per-stream summary
 *       to, besides printing it.</li>
 * </ul>
 */
public final class LoadSettings {

    /** What a simulation uses when a property is not set. */
    public record Defaults(String url, double rate, Duration duration) {}

    public static final String URL = "ferry.url";
    public static final String RATE = "ferry.rate";
    public static final String DURATION = "ferry.duration";
    public static final String STEPS = "ferry.steps";
    public static final String IDLE = "ferry.idle";
    public static final String TOKENS = "ferry.tokens";
    public static final String TIMEOUT = "ferry.timeout";
    public static final String STREAM_RATE = "ferry.stream-rate";
    public static final String SSE_URL = "ferry.sse-url";
    public static final String WS_URL = "ferry.ws-url";
    public static final String RESOLVE = "ferry.resolve";
    public static final String STREAMS_OUT = "ferry.streams-out";

    static final double MAX_RATE = 100_000;
    static final Duration MAX_DURATION = Duration.ofHours(24);
    static final int MAX_STEPS = 100;
    static final int MAX_TOKENS = 10_000;
    static final int DEFAULT_TOKENS = 20;
    static final int DEFAULT_STEPS = 5;
    static final Duration DEFAULT_IDLE = Duration.ofSeconds(75);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final double DEFAULT_STREAM_RATE = 2;

    private static final Pattern DURATION_TEXT = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");
    private static final Pattern RATE_TEXT = Pattern.compile("\\d{1,9}(\\.\\d{1,6})?");
    private static final Pattern INT_TEXT = Pattern.compile("\\d{1,9}");
    private static final Pattern HOST_TEXT = Pattern.compile("[A-Za-z0-9.\\-_]+");
    private static final Pattern IP_TEXT = Pattern.compile("[0-9.]+|\\[?[0-9A-Fa-f:]+]?");

    private final URI url;
    private final double rate;
    private final Duration duration;
    private final int steps;
    private final Duration idle;
    private final Optional<Integer> tokens;
    private final Duration timeout;
    private final double streamRate;
    private final Optional<URI> sseUrl;
    private final Optional<URI> wsUrl;
    private final Map<String, String> resolve;
    private final Optional<String> streamsOut;

    private LoadSettings(Properties props, Defaults defaults, Set<String> urlSchemes) {
        this.url = url(URL, props.getProperty(URL, defaults.url()), urlSchemes);
        this.rate = rate(props, RATE, defaults.rate());
        this.duration = duration(props, DURATION, defaults.duration(), false);
        this.steps = integer(props, STEPS, DEFAULT_STEPS, MAX_STEPS, "a whole number of steps 1-" + MAX_STEPS);
        this.idle = duration(props, IDLE, DEFAULT_IDLE, true);
        int tokenCount = integer(props, TOKENS, 0, MAX_TOKENS, "a whole number of tokens per stream 1-" + MAX_TOKENS);
        this.tokens = tokenCount == 0 ? Optional.empty() : Optional.of(tokenCount);
        this.timeout = duration(props, TIMEOUT, DEFAULT_TIMEOUT, false);
        this.streamRate = rate(props, STREAM_RATE, DEFAULT_STREAM_RATE);
        this.sseUrl = optionalUrl(props, SSE_URL, Set.of("http", "https"));
        this.wsUrl =
                optionalUrl(props, WS_URL, Set.of("ws", "wss", "http", "https")).map(LoadSettings::toWebSocket);
        this.resolve = resolve(props.getProperty(RESOLVE, ""));
        String out = props.getProperty(STREAMS_OUT, "").trim();
        this.streamsOut = out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    /** Settings for an HTTP simulation (http or https target). */
    public static LoadSettings http(Properties props, Defaults defaults) {
        return new LoadSettings(props, defaults, Set.of("http", "https"));
    }

    /** Settings for the WebSocket simulation: a ws/wss target, or http/https taken as ws/wss. */
    public static LoadSettings webSocket(Properties props, Defaults defaults) {
        return new LoadSettings(props, defaults, Set.of("ws", "wss", "http", "https"));
    }

    /** {@link #http} from the JVM's system properties. */
    public static LoadSettings http(Defaults defaults) {
        return http(System.getProperties(), defaults);
    }

    /** {@link #webSocket} from the JVM's system properties. */
    public static LoadSettings webSocket(Defaults defaults) {
        return webSocket(System.getProperties(), defaults);
    }

    public URI url() {
        return url;
    }

    /** {@link #url()}, ws/wss where it was given as http/https. */
    public URI webSocketUrl() {
        return toWebSocket(url);
    }

    public double rate() {
        return rate;
    }

    public Duration duration() {
        return duration;
    }

    public int steps() {
        return steps;
    }

    public Duration idle() {
        return idle;
    }

    /** Tokens per stream of {@link #url()}: {@code ferry.tokens}, else the URL's {@code n=}, else 20. */
    public int tokens() {
        return tokensFor(url);
    }

    /** Tokens per stream of {@link #sseUrl()}. */
    public int sseTokens() {
        return tokensFor(sseUrl());
    }

    /** Tokens per stream of {@link #wsUrl()}: {@code ferry.tokens}, else 20. */
    public int wsTokens() {
        return tokens.orElse(DEFAULT_TOKENS);
    }

    private int tokensFor(URI target) {
        return tokens.orElseGet(() -> defaultTokens(target));
    }

    public Duration timeout() {
        return timeout;
    }

    public double streamRate() {
        return streamRate;
    }

    /** The rates of the ramp's steps: the last is {@link #rate()}, each step as far above the one before. */
    public List<Double> rampRates() {
        List<Double> rates = new ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            rates.add(rate * i / steps);
        }
        return rates;
    }

    /** How long each step of the ramp lasts: the duration shared out, at least one millisecond. */
    public Duration rampStep() {
        return Duration.ofMillis(Math.max(1, duration.toMillis() / steps));
    }

    /** Users in the scale-from-zero burst: the rate over the duration, at least one. */
    public int burstUsers() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(rate * duration.toMillis() / 1000.0)));
    }

    /**
     * The mixed simulation's SSE target: {@code ferry.sse-url}, else, where {@code ferry.url}'s
     * host is a Ferry one ({@code <app>--<function>.<domain>}), the same app's {@code sse} function
     * with {@code ?n=<tokens>&interval_ms=50}.
     */
    public URI sseUrl() {
        return sseUrl.orElseGet(
                () -> sibling(SSE_URL, "http", "sse", "n=" + tokens.orElse(DEFAULT_TOKENS) + "&interval_ms=50"));
    }

    /**
     * The mixed simulation's WebSocket target: {@code ferry.ws-url}, else, where {@code ferry.url}'s
     * host is a Ferry one, the same app's {@code chat-stream} function with {@code ?delay_ms=20}.
     */
    public URI wsUrl() {
        return wsUrl.orElseGet(() -> sibling(WS_URL, "ws", "chat-stream", "delay_ms=20"));
    }

    /** Host name to address, for the hosts of the given targets that need one; see {@code ferry.resolve}. */
    public Map<String, List<String>> hostAliases(URI... targets) {
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        for (URI target : targets) {
            String host = target.getHost().toLowerCase(Locale.ROOT);
            if (host.equals("localhost") || host.endsWith(".localhost")) {
                aliases.put(host, List.of("127.0.0.1"));
            }
        }
        resolve.forEach((host, ip) -> aliases.put(host, List.of(ip)));
        return aliases;
    }

    public Optional<String> streamsOut() {
        return streamsOut;
    }

    /**
     * The longest the whole run may take: the idle time where {@code withIdle}, the arrivals, and
     * then a last user's worth: {@code tokens + 1} waits of {@link #timeout()} (1 for plain HTTP,
     * whose requests Gatling times out at 60s), plus a minute.
     */
    public Duration maxRunTime(boolean withIdle, int tokens) {
        Duration tail = timeout.multipliedBy(tokens + 1L).plusSeconds(60);
        return (withIdle ? idle : Duration.ZERO).plus(duration).plus(tail);
    }

    // ---- parsing ----

    private static URI url(String name, String text, Set<String> schemes) {
        String value = text == null ? "" : text.trim();
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw bad(name, value, "an absolute URL such as http://examples--hello.localhost:8080/");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!schemes.contains(scheme) || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw bad(
                    name,
                    value,
                    "an absolute " + String.join("/", schemes.stream().sorted().toList())
                            + " URL with a host, such as http://examples--hello.localhost:8080/");
        }
        if (uri.getRawFragment() != null) {
            throw bad(name, value, "a URL without a #fragment");
        }
        if (uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            uri = URI.create(scheme + "://" + uri.getRawAuthority() + "/"
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        }
        return uri;
    }

    private static Optional<URI> optionalUrl(Properties props, String name, Set<String> schemes) {
        String text = props.getProperty(name, "").trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(url(name, text, schemes));
    }

    private static double rate(Properties props, String name, double defaultValue) {
        String text = props.getProperty(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        String value = text.trim();
        String expected = "a number of arrivals per second > 0 and <= " + (long) MAX_RATE + ", such as 20 or 0.5";
        if (!RATE_TEXT.matcher(value).matches()) {
            throw bad(name, value, expected);
        }
        double rate = Double.parseDouble(value);
        if (rate <= 0 || rate > MAX_RATE) {
            throw bad(name, value, expected);
        }
        return rate;
    }

    private static int integer(Properties props, String name, int defaultValue, int max, String expected) {
        String text = props.getProperty(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        String value = text.trim();
        if (!INT_TEXT.matcher(value).matches()) {
            throw bad(name, value, expected);
        }
        int n = Integer.parseInt(value);
        if (n < 1 || n > max) {
            throw bad(name, value, expected);
        }
        return n;
    }

    private static Duration duration(Properties props, String name, Duration defaultValue, boolean zeroAllowed) {
        String text = props.getProperty(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        String value = text.trim();
        String expected = "a duration " + (zeroAllowed ? ">= 0" : "> 0") + " and <= 24h, such as 500ms, 30s, 2m or 1h";
        Duration d = parseDuration(value).orElseThrow(() -> bad(name, value, expected));
        if ((!zeroAllowed && d.isZero()) || d.compareTo(MAX_DURATION) > 0) {
            throw bad(name, value, expected);
        }
        return d;
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
    static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION_TEXT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return Optional.of(
                switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                });
    }

    private static Map<String, String> resolve(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : text.split(",")) {
            String item = entry.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            String host = eq < 0 ? "" : item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String ip = eq < 0 ? "" : item.substring(eq + 1).trim();
            if (!HOST_TEXT.matcher(host).matches() || !IP_TEXT.matcher(ip).matches()) {
                throw bad(RESOLVE, item, "host=ip, such as examples--hello.ferry.test=127.0.0.1");
            }
            map.put(host, ip.startsWith("[") ? ip.substring(1, ip.length() - 1) : ip);
        }
        return map;
    }

    /** The {@code n} query parameter of a URL (the SSE example's event count), else {@link #DEFAULT_TOKENS}. */
    private static int defaultTokens(URI url) {
        String query = url.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("n=") && INT_TEXT.matcher(pair.substring(2)).matches()) {
                    int n = Integer.parseInt(pair.substring(2));
                    if (n >= 1 && n <= MAX_TOKENS) {
                        return n;
                    }
                }
            }
        }
        return DEFAULT_TOKENS;
    }

    private URI sibling(String name, String scheme, String function, String query) {
        String host = url.getHost();
        int dot = host.indexOf('.');
        String label = dot < 0 ? host : host.substring(0, dot);
        FunctionId target = FunctionId.tryParse(label)
                .orElseThrow(() -> new IllegalArgumentException(name + ": not set, and " + URL + " (" + url
                        + ") has no Ferry host <app>--<function>.<domain> to derive it from (expected: set " + name
                        + ")"));
        String secure = url.getScheme().equalsIgnoreCase("https") ? "s" : "";
        String newHost = FunctionId.of(target.app(), function) + (dot < 0 ? "" : host.substring(dot));
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return URI.create(scheme + secure + "://" + newHost + port + "/?" + query);
    }

    private static URI toWebSocket(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            return URI.create(
                    (scheme.equals("https") ? "wss" : "ws") + uri.toString().substring(scheme.length()));
        }
        return uri;
    }

    private static IllegalArgumentException bad(String name, String value, String expected) {
        return new IllegalArgumentException(name + ": \"" + value + "\" (expected: " + expected + ")");
    }
}
