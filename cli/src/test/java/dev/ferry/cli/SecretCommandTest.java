package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry secret set}'s KEY=VALUE arguments: the three ways to give a value, and errors that never echo one. */
class SecretCommandTest {

    private static final String VALUE = "hunter2=with=equals";

    @TempDir
    Path dir;

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void valuesComeAsGivenFromAFileOrFromOneLineOfStandardInput() throws Exception {
        Path file = Files.writeString(dir.resolve("cert.pem"), "line 1\nline 2\n");

        assertThat(SecretCommand.values(
                        List.of("A=" + VALUE, "B=@" + file, "C=-", "D="), stdin(VALUE + "\r\nignored\n")))
                .containsExactly(
                        java.util.Map.entry("A", VALUE),
                        java.util.Map.entry("B", "line 1\nline 2\n"),
                        java.util.Map.entry("C", VALUE),
                        java.util.Map.entry("D", ""));
    }

    @Test
    void badArgumentsAreNamedByPositionOrKeyNeverByValue() {
        assertThatThrownBy(() -> SecretCommand.values(List.of("A=1", VALUE.replace("=", "")), stdin("")))
                .hasMessage("KEY=VALUE argument 2: no KEY= (expected: KEY=VALUE, KEY=@FILE or KEY=-)");
        assertThatThrownBy(() -> SecretCommand.values(List.of("=" + VALUE), stdin("")))
                .hasMessageStartingWith("KEY=VALUE argument 1: no KEY=");
        assertThatThrownBy(() -> SecretCommand.values(List.of("FERRY_X=" + VALUE), stdin("")))
                .hasMessageStartingWith("key: FERRY_X (expected: none starting with FERRY_")
                .hasMessageNotContaining(VALUE);
        assertThatThrownBy(() -> SecretCommand.values(List.of("A=" + VALUE, "A=" + VALUE), stdin("")))
                .hasMessage("key A given twice (expected: each key once)");
        assertThatThrownBy(() -> SecretCommand.values(List.of("A=-", "B=-"), stdin(VALUE)))
                .hasMessage("B=-: standard input is read for one key only");
        assertThatThrownBy(() -> SecretCommand.values(List.of("A=@" + dir.resolve("missing")), stdin("")))
                .hasMessage("A=@" + dir.resolve("missing") + ": cannot read the file (NoSuchFileException)");
    }

    @Test
    void aValueGivenWhereTheNameGoesIsNotEchoed() {
        CliTest.Run run =
                CliTest.ferry("secret", "set", "PASSWORD=" + VALUE, "B=1", "--controller", "http://127.0.0.1:9");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err())
                .contains("NAME: holds '=' (expected: ferry secret set NAME KEY=VALUE…, NAME first)")
                .doesNotContain(VALUE);
    }
}
