package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestTargetsTest {

    @Test
    void splitsPathAndQueryAndDecodesThePathOnly() {
        RequestTargets.Parts parts = RequestTargets.split("/caf%C3%A9/a%2Fb+c?q=a%20b&x=1");

        assertThat(parts.path()).isEqualTo("/café/a/b+c");
        assertThat(new String(parts.rawPath(), StandardCharsets.ISO_8859_1)).isEqualTo("/caf%C3%A9/a%2Fb+c");
        assertThat(new String(parts.queryString(), StandardCharsets.ISO_8859_1)).isEqualTo("q=a%20b&x=1");
    }

    @Test
    void givesAnEmptyQueryWhenThereIsNone() {
        assertThat(RequestTargets.split("/").queryString()).isEmpty();
    }

    @Test
    void dropsAFragment() {
        assertThat(new String(RequestTargets.split("/p?a=1#frag").queryString(), StandardCharsets.ISO_8859_1))
                .isEqualTo("a=1");
    }

    @Test
    void rejectsATargetThatIsNotAPath() {
        assertThatThrownBy(() -> RequestTargets.split("http://example.com/"))
                .hasMessageContaining("expected: a path starting with '/'");
    }

    @Test
    void rejectsABrokenEscape() {
        assertThatThrownBy(() -> RequestTargets.split("/a%zz")).hasMessageContaining("'%' followed by two hex digits");
        assertThatThrownBy(() -> RequestTargets.split("/a%4")).hasMessageContaining("'%' followed by two hex digits");
    }

    @Test
    void rejectsEscapesOfInvalidUtf8() {
        assertThatThrownBy(() -> RequestTargets.split("/%C3%28")).hasMessageContaining("valid UTF-8");
    }

    /** Found by ProtocolParsersFuzzTest: "/я" split to a raw path "/?", and "/Ł%41" decoded to "/AA". */
    @Test
    void rejectsCharactersThatNoRequestLineCarries() {
        assertThatThrownBy(() -> RequestTargets.split("/\u044f"))
                .hasMessage("request target: \"/\u044f\" has U+044F at 1"
                        + " (expected: bytes as ISO-8859-1, non-ASCII ones percent-escaped)");
        assertThatThrownBy(() -> RequestTargets.decodePath("/\u0141%41"))
                .hasMessageStartingWith("path: \"/\u0141%41\" has U+0141 at 1");
        assertThat(RequestTargets.split("/caf\u00e9?q=\u00ff").path()).isEqualTo("/caf\u00e9");
    }
}
