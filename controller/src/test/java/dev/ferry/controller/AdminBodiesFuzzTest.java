package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.ScaleOverride;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of what the admin API reads from a request before it changes
 * anything: the bodies of {@code POST /v1/scale}, {@code POST /v1/tokens} and
 * {@code PUT /v1/secrets}, and the query of a deploy. Each either gives a value or throws an
 * {@link IllegalArgumentException} (the handlers' 400) whose message says what was expected;
 * anything else would escape the handler and drop the connection without an answer.
 *
 * <p>One fuzz test for the module, because Jazzer fuzzes one per JVM; see {@code docs/fuzzing.md}.
 */
class AdminBodiesFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final ScaleHandler SCALE = new ScaleHandler(null, CLOCK);
    private static final TokensHandler TOKENS = new TokensHandler(null, CLOCK);
    private static final FunctionId FUNCTION = FunctionId.of("shop", "cart");

    /** Field names and values of the bodies, which random bytes would take long to hit. */
    @DictionaryEntries({
        "{",
        "}",
        ":",
        ",",
        "minContainers",
        "maxContainers",
        "bufferContainers",
        "targetInputs",
        "scaledownWindow",
        "30s",
        "9223372036854775807",
        "h",
        "name",
        "scopes",
        "apps",
        "call",
        "deploy",
        "admin",
        "file=",
        "&",
        "%"
    })
    @FuzzTest(maxDuration = "3s")
    void adminRequestsGiveValuesOrSayWhatTheyExpected(FuzzedDataProvider data) {
        int handler = data.consumeInt(0, 3);
        String text = data.consumeRemainingAsString();
        try {
            switch (handler) {
                case 0 -> {
                    ScaleOverride change = SCALE.parse(FUNCTION, text);
                    assertThat(change.function()).isEqualTo(FUNCTION);
                }
                case 1 -> {
                    AccessTokens.Issued issued = TOKENS.parse(text);
                    assertThat(issued.token().scopes()).isNotEmpty();
                }
                case 2 -> {
                    Map<String, String> values = SecretsHandler.parse(text);
                    assertThat(values).doesNotContainValue(null);
                }
                default -> {
                    Optional<String> name = AdminServer.queryParam(text, "name");
                    String file = AdminServer.uploadFileName(AdminServer.queryParam(text, "file"));
                    assertThat(name).isNotNull();
                    assertThat(file).doesNotContain("/");
                }
            }
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("message of %s", e).isNotNull().contains("(expected: ");
        }
    }
}
