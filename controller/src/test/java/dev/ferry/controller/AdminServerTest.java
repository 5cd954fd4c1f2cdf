package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminServerTest {

    @Test
    void readsTheDeployQuery() {
        assertThat(AdminServer.queryParam("name=shop&file=%2Ftmp%2Fshop-1.0.jar", "name"))
                .contains("shop");
        assertThat(AdminServer.uploadFileName(AdminServer.queryParam("file=%2Ftmp%2Fshop-1.0.jar", "file")))
                .isEqualTo("shop-1.0.jar");
        assertThat(AdminServer.uploadFileName(Optional.empty())).isEqualTo("upload.jar");
        assertThat(AdminServer.queryParam(null, "name")).isEmpty();
    }

    /** Found by AdminBodiesFuzzTest: "%^" escaped the handler as URLDecoder's exception, with no answer. */
    @Test
    void refusesABrokenEscapeInTheQuerySayingWhatWasExpected() {
        assertThatThrownBy(() -> AdminServer.queryParam("%^=1", "name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query: \"%^\" (expected: URL-encoded text, '%' followed by two hex digits)");
        assertThatThrownBy(() -> AdminServer.queryParam("name=%4", "name")).hasMessageStartingWith("query: \"%4\"");
    }

    /** Found by reading what the fuzz test asks of it: Path.of("/").getFileName() is null, and a NUL no path. */
    @Test
    void keepsWhatFollowsTheLastSlashOfAnyFileName() {
        assertThat(AdminServer.uploadFileName(Optional.of("/"))).isEmpty();
        assertThat(AdminServer.uploadFileName(Optional.of("a\u0000b.jar"))).isEqualTo("a\u0000b.jar");
        assertThat(AdminServer.uploadFileName(Optional.of("dir/app.jar"))).isEqualTo("app.jar");
    }
}
