package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContainerSecretTest {

    @Test
    void survivesItsTextAndMatchesOnlyItsOwnBytes() {
        ContainerSecret secret = ContainerSecret.generate();

        ContainerSecret parsed = ContainerSecret.parse(secret.encoded());

        assertThat(parsed).isEqualTo(secret).hasSameHashCodeAs(secret);
        assertThat(secret.bytes().size()).isEqualTo(ContainerSecret.BYTES);
        assertThat(secret.matches(parsed.bytes())).isTrue();
        assertThat(secret.matches(ContainerSecret.generate().bytes())).isFalse();
        assertThat(secret.matches(secret.bytes().substring(1))).isFalse();
    }

    @Test
    void neverPrintsItself() {
        ContainerSecret secret = ContainerSecret.generate();

        assertThat(secret.toString()).isEqualTo("ContainerSecret[hidden]").doesNotContain(secret.encoded());
        assertThat(ContainerSecret.NONE.toString()).isEqualTo("ContainerSecret[none]");
    }

    @Test
    void noneMatchesNothing() {
        assertThat(ContainerSecret.NONE.isNone()).isTrue();
        assertThat(ContainerSecret.NONE.matches(ContainerSecret.NONE.bytes())).isFalse();
    }

    @Test
    void rejectsTextThatIsNotASecretWithoutRepeatingIt() {
        assertThatThrownBy(() -> ContainerSecret.parse("c2hvcnQ"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("container secret: 7 characters that are not 32 bytes in base64url"
                        + " (expected: what a worker wrote)");
        assertThatThrownBy(() -> ContainerSecret.parse("not base64!")).hasMessageNotContaining("not base64!");
    }
}
