package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebSocketCloseReasonTest {

    @Test
    void keepsAReasonThatFits() {
        String reason = "a".repeat(WebSocketExchange.MAX_CLOSE_REASON_BYTES);

        assertThat(WebSocketExchange.closeReason(reason)).isSameAs(reason);
    }

    @Test
    void cutsALongReasonToTheCloseFramesLimit() {
        assertThat(WebSocketExchange.closeReason("a".repeat(200))).isEqualTo("a".repeat(123));
    }

    @Test
    void cutsBetweenCharactersNeverInsideOne() {
        // "€" is three bytes: 41 fit in 123, and the 42nd must not be cut in half.
        String cut = WebSocketExchange.closeReason("x" + "€".repeat(60));

        assertThat(cut).isEqualTo("x" + "€".repeat(40));
        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(121);
    }

    @Test
    void neverSplitsASurrogatePair() {
        // "😀" is two chars and four bytes in UTF-8: 30 fit in 120, a 31st would need 124.
        String cut = WebSocketExchange.closeReason("😀".repeat(40));

        assertThat(cut).isEqualTo("😀".repeat(30));
    }
}
