package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerIdsTest {

    @Test
    void idsAreShortReadableBase32() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(ContainerIds.next()).matches("ct-[a-z2-7]{8}");
        }
    }

    @Test
    void idsDoNotRepeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(ContainerIds.next());
        }

        assertThat(ids).hasSize(100_000);
    }
}
