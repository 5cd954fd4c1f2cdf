package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputLinesTest {

    @Test
    void splitsOnNewlinesAndDropsCarriageReturns() throws IOException {
        assertThat(lines(8, "one\ntwo\r\n\nthree\n")).containsExactly("one", "two", "", "three");
    }

    @Test
    void passesOnUnterminatedLastLine() throws IOException {
        assertThat(lines(8, "one\ntwo")).containsExactly("one", "two");
    }

    @Test
    void cutsOverlongLinesIntoPiecesOfAtMostTheLimit() throws IOException {
        assertThat(lines(4, "abcdefghij\nxy\n")).containsExactly("abcd", "efgh", "ij", "xy");
    }

    @Test
    void neverCutsInsideUtf8Character() throws IOException {
        // "aé€😀" is 1 + 2 + 3 + 4 bytes
        List<String> pieces = lines(4, "aé€😀b\n");

        assertThat(String.join("", pieces)).isEqualTo("aé€😀b");
        assertThat(pieces).allSatisfy(piece -> {
            assertThat(piece).doesNotContain("\uFFFD");
            assertThat(piece.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4);
        });
    }

    @Test
    void readsLongStreamsInOrder() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            text.append("line ").append(i).append('\n');
        }

        List<String> lines = lines(OutputLines.MAX_LINE_BYTES, text.toString());

        assertThat(lines).hasSize(10_000).startsWith("line 0").endsWith("line 9999");
    }

    @Test
    void rejectsLimitBelowOneCharacter() {
        assertThatThrownBy(() -> new OutputLines(3, line -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLineBytes: 3 (expected: >= 4)");
    }

    private static List<String> lines(int maxLineBytes, String text) throws IOException {
        List<String> lines = new ArrayList<>();
        new OutputLines(maxLineBytes, lines::add)
                .readAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        return lines;
    }
}
