package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StderrExcerptTest {

    @Test
    void keepsEveryLineWhileFew() {
        StderrExcerpt excerpt = new StderrExcerpt();
        excerpt.add("first");
        excerpt.add("second");

        assertThat(excerpt.lines()).containsExactly("first", "second");
    }

    @Test
    void keepsFirstAndLastLinesAndCountsTheRest() {
        StderrExcerpt excerpt = new StderrExcerpt();
        int total = StderrExcerpt.HEAD_LINES + StderrExcerpt.TAIL_LINES + 7;
        for (int i = 0; i < total; i++) {
            excerpt.add("line " + i);
        }

        List<String> lines = excerpt.lines();

        assertThat(lines).hasSize(StderrExcerpt.HEAD_LINES + 1 + StderrExcerpt.TAIL_LINES);
        assertThat(lines.get(0)).isEqualTo("line 0");
        assertThat(lines.get(StderrExcerpt.HEAD_LINES)).isEqualTo("... 7 lines omitted ...");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("line " + (total - 1));
    }

    @Test
    void shortensVeryLongLines() {
        StderrExcerpt excerpt = new StderrExcerpt();
        excerpt.add("x".repeat(10_000));

        assertThat(excerpt.lines().get(0))
                .hasSize(StderrExcerpt.MAX_LINE_CHARS + 3)
                .endsWith("...");
    }
}
