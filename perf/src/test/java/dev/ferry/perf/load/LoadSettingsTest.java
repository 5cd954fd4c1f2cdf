package dev.ferry.perf.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LoadSettingsTest {

    private static final LoadSettings.Defaults DEFAULTS =
            new LoadSettings.Defaults("http://examples--hello.localhost:8080/", 50, Duration.ofSeconds(30));

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsApplyWhenNothingIsSet() {
        LoadSettings s = LoadSettings.http(props(), DEFAULTS);

        assertThat(s.url()).isEqualTo(URI.create("http://examples--hello.localhost:8080/"));
        assertThat(s.rate()).isEqualTo(50.0);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.steps()).isEqualTo(5);
        assertThat(s.idle()).isEqualTo(Duration.ofSeconds(75));
        assertThat(s.tokens()).isEqualTo(20);
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.streamRate()).isEqualTo(2.0);
        assertThat(s.streamsOut()).isEmpty();
    }

    @Test
    void readsEverySetting() {
        LoadSettings s = LoadSettings.http(
                props(
                        "ferry.url", " https://api.example.com:9443/x?y=1 ",
                        "ferry.rate", "0.5",
                        "ferry.duration", "2m",
                        "ferry.steps", "4",
                        "ferry.idle", "0s",
                        "ferry.tokens", "7",
                        "ferry.timeout", "1500ms",
                        "ferry.stream-rate", "3",
                        "ferry.streams-out", "/tmp/out.txt"),
                DEFAULTS);

        assertThat(s.url()).isEqualTo(URI.create("https://api.example.com:9443/x?y=1"));
        assertThat(s.rate()).isEqualTo(0.5);
        assertThat(s.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.steps()).isEqualTo(4);
        assertThat(s.idle()).isZero();
        assertThat(s.tokens()).isEqualTo(7);
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.streamRate()).isEqualTo(3.0);
        assertThat(s.streamsOut()).contains("/tmp/out.txt");
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "30s, 30000", "30, 30000", "2m, 120000", "1h, 3600000", "24h, 86400000"})
    void parsesDurations(String text, long millis) {
        LoadSettings s = LoadSettings.http(props("ferry.duration", text), DEFAULTS);

        assertThat(s.duration()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0", "-1s", "5x", "1.5s", "s", "25h", "PT30S"})
    void rejectsBadDurationsNamingTheValue(String text) {
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.duration", text), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ferry.duration: \"" + text
                        + "\" (expected: a duration > 0 and <= 24h, such as 500ms, 30s, 2m or 1h)");
    }

    @Test
    void idleMayBeZeroButNotNegative() {
        assertThat(LoadSettings.http(props("ferry.idle", "0"), DEFAULTS).idle()).isZero();
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.idle", "-5s"), DEFAULTS))
                .hasMessage("ferry.idle: \"-5s\" (expected: a duration >= 0 and <= 24h, such as 500ms, 30s, 2m or 1h)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.0", "-1", "abc", "1e3", "100001", "1,5"})
    void rejectsBadRates(String text) {
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.rate", text), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ferry.rate: \"" + text + "\" (expected: a number of arrivals per second > 0");
    }

    @Test
    void rejectsBadCounts() {
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.steps", "0"), DEFAULTS))
                .hasMessage("ferry.steps: \"0\" (expected: a whole number of steps 1-100)");
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.steps", "101"), DEFAULTS))
                .hasMessageStartingWith("ferry.steps: \"101\"");
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.tokens", "10001"), DEFAULTS))
                .hasMessage("ferry.tokens: \"10001\" (expected: a whole number of tokens per stream 1-10000)");
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.stream-rate", "x"), DEFAULTS))
                .hasMessageStartingWith("ferry.stream-rate: \"x\"");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "examples--hello.localhost:8080",
                "ftp://example.com/",
                "http://",
                "http:///x",
                "not a url",
                "http://example.com/#frag",
                "ws://example.com/"
            })
    void rejectsUrlsThatAreNotHttp(String text) {
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.url", text), DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ferry.url: \"" + text + "\" (expected: ");
    }

    @Test
    void aUrlWithoutAPathGetsSlash() {
        assertThat(LoadSettings.http(props("ferry.url", "http://127.0.0.1:9000"), DEFAULTS)
                        .url())
                .isEqualTo(URI.create("http://127.0.0.1:9000/"));
        assertThat(LoadSettings.http(props("ferry.url", "http://127.0.0.1:9000?a=b"), DEFAULTS)
                        .url())
                .isEqualTo(URI.create("http://127.0.0.1:9000/?a=b"));
    }

    @Test
    void webSocketTakesWsOrHttpUrls() {
        LoadSettings.Defaults ws =
                new LoadSettings.Defaults("ws://examples--chat-stream.localhost:8080/", 2, Duration.ofSeconds(20));

        assertThat(LoadSettings.webSocket(props(), ws).webSocketUrl())
                .isEqualTo(URI.create("ws://examples--chat-stream.localhost:8080/"));
        assertThat(LoadSettings.webSocket(props("ferry.url", "https://h.example/chat?delay_ms=5"), ws)
                        .webSocketUrl())
                .isEqualTo(URI.create("wss://h.example/chat?delay_ms=5"));
        assertThatThrownBy(() -> LoadSettings.webSocket(props("ferry.url", "ftp://h.example/"), ws))
                .hasMessageStartingWith("ferry.url: \"ftp://h.example/\" (expected: an absolute http/https/ws/wss URL");
    }

    @Test
    void tokensDefaultToTheSseUrlsEventCount() {
        LoadSettings s = LoadSettings.http(
                props("ferry.url", "http://examples--sse.localhost:8080/?interval_ms=5&n=12"), DEFAULTS);
        assertThat(s.tokens()).isEqualTo(12);

        LoadSettings set = LoadSettings.http(
                props("ferry.url", "http://examples--sse.localhost:8080/?n=12", "ferry.tokens", "3"), DEFAULTS);
        assertThat(set.tokens()).isEqualTo(3);
    }

    @Test
    void mixedDerivesStreamingTargetsFromAFerryHost() {
        LoadSettings s = LoadSettings.http(
                props("ferry.url", "http://shop--api.ferry.example:18200/orders", "ferry.tokens", "8"), DEFAULTS);

        assertThat(s.sseUrl()).isEqualTo(URI.create("http://shop--sse.ferry.example:18200/?n=8&interval_ms=50"));
        assertThat(s.sseTokens()).isEqualTo(8);
        assertThat(s.wsUrl()).isEqualTo(URI.create("ws://shop--chat-stream.ferry.example:18200/?delay_ms=20"));
        assertThat(s.wsTokens()).isEqualTo(8);

        LoadSettings secure = LoadSettings.http(props("ferry.url", "https://examples--hello.localhost/"), DEFAULTS);
        assertThat(secure.sseUrl()).isEqualTo(URI.create("https://examples--sse.localhost/?n=20&interval_ms=50"));
        assertThat(secure.wsUrl()).isEqualTo(URI.create("wss://examples--chat-stream.localhost/?delay_ms=20"));
    }

    @Test
    void mixedTakesStreamingTargetsAsGiven() {
        LoadSettings s = LoadSettings.http(
                props(
                        "ferry.url", "http://127.0.0.1:9000/",
                        "ferry.sse-url", "http://127.0.0.1:9001/events?n=4",
                        "ferry.ws-url", "http://127.0.0.1:9002/chat"),
                DEFAULTS);

        assertThat(s.sseUrl()).isEqualTo(URI.create("http://127.0.0.1:9001/events?n=4"));
        assertThat(s.sseTokens()).isEqualTo(4);
        assertThat(s.wsUrl()).isEqualTo(URI.create("ws://127.0.0.1:9002/chat"));
        assertThat(s.wsTokens()).isEqualTo(20);
    }

    @Test
    void mixedWithoutAFerryHostNeedsTheStreamingUrls() {
        LoadSettings s = LoadSettings.http(props("ferry.url", "http://127.0.0.1:9000/"), DEFAULTS);

        assertThatThrownBy(s::sseUrl)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "ferry.sse-url: not set, and ferry.url (http://127.0.0.1:9000/) has no Ferry host");
        assertThatThrownBy(s::wsUrl).hasMessageStartingWith("ferry.ws-url: not set");
    }

    @Test
    void localhostNamesResolveToLoopbackAndResolveAddsMore() {
        LoadSettings s =
                LoadSettings.http(props("ferry.resolve", "api.ferry.test=127.0.0.5, v6.ferry.test=[::1]"), DEFAULTS);

        Map<String, List<String>> aliases = s.hostAliases(
                URI.create("http://Examples--Hello.localhost:8080/"),
                URI.create("http://localhost:8080/"),
                URI.create("http://example.com/"));

        assertThat(aliases)
                .containsExactly(
                        Map.entry("examples--hello.localhost", List.of("127.0.0.1")),
                        Map.entry("localhost", List.of("127.0.0.1")),
                        Map.entry("api.ferry.test", List.of("127.0.0.5")),
                        Map.entry("v6.ferry.test", List.of("::1")));
        assertThatThrownBy(() -> LoadSettings.http(props("ferry.resolve", "nohost"), DEFAULTS))
                .hasMessage(
                        "ferry.resolve: \"nohost\" (expected: host=ip, such as examples--hello.ferry.test=127.0.0.1)");
    }

    @Test
    void rampStepsRiseToTheRate() {
        LoadSettings s =
                LoadSettings.http(props("ferry.rate", "100", "ferry.steps", "4", "ferry.duration", "60s"), DEFAULTS);

        assertThat(s.rampRates()).containsExactly(25.0, 50.0, 75.0, 100.0);
        assertThat(s.rampStep()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void burstIsTheRateOverTheDurationAtLeastOne() {
        assertThat(LoadSettings.http(props("ferry.rate", "50", "ferry.duration", "5s"), DEFAULTS)
                        .burstUsers())
                .isEqualTo(250);
        assertThat(LoadSettings.http(props("ferry.rate", "0.1", "ferry.duration", "1s"), DEFAULTS)
                        .burstUsers())
                .isEqualTo(1);
    }

    @Test
    void runTimeIsBounded() {
        LoadSettings s =
                LoadSettings.http(props("ferry.duration", "10s", "ferry.idle", "20s", "ferry.timeout", "5s"), DEFAULTS);

        assertThat(s.maxRunTime(false, 1)).isEqualTo(Duration.ofSeconds(10 + 2 * 5 + 60));
        assertThat(s.maxRunTime(true, 3)).isEqualTo(Duration.ofSeconds(20 + 10 + 4 * 5 + 60));
    }

    @Test
    void streamStatsSummarisesTimeToFirstTokenAndTokensPerSecond() {
        StreamStats stats = new StreamStats();
        // started at 0, first token at 10 ms, 11 tokens, the last 100 ms after the first: 100 tokens/s
        stats.complete("sse", 0, 10_000_000, 110_000_000, 11);
        stats.complete("sse", 0, 30_000_000, 230_000_000, 11);
        stats.incomplete("sse");

        assertThat(stats.streams("sse")).hasSize(2);
        assertThat(stats.incompleteCount("sse")).isEqualTo(1);
        assertThat(stats.summary())
                .isEqualTo("sse streams: 2 complete, 1 incomplete; time to first token ms: p50 10.0,"
                        + " p95 30.0, max 30.0; tokens/s per stream: min 50.0, p50 50.0, mean 75.0, max 100.0\n");
    }

    @Test
    void scenariosPromptHasTheWordsAsked() {
        assertThat(Scenarios.prompt(3)).isEqualTo("token1 token2 token3");
        assertThat(Scenarios.text(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Scenarios.text(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Scenarios.text(2.0)).isEqualTo("2");
        assertThat(Scenarios.text(0.5)).isEqualTo("0.5");
    }
}
