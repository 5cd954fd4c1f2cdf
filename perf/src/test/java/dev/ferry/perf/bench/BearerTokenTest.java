package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {

    private static final String URL = "http://127.0.0.1:7070";

    @TempDir
    Path home;

    @Test
    void readsTheTokenForTheAdminUrlFromTheHomesCredentials() throws IOException {
        Files.writeString(home.resolve("credentials"), """
                # ferry admin tokens: <admin URL> <token> (keep this file private)

                http://127.0.0.1:7071 ferry_other_secret
                http://127.0.0.1:7070/   ferry_abc_s3cret
                """);

        BearerToken token = BearerToken.read(home, URL);

        assertThat(token.bearer()).isEqualTo("Bearer ferry_abc_s3cret");
        assertThat(token.authorize(HttpRequest.newBuilder(URI.create(URL + "/v1/apps")))
                        .build()
                        .headers()
                        .firstValue("Authorization"))
                .hasValue("Bearer ferry_abc_s3cret");
        assertThat(token.toString()).contains("credentials").doesNotContain("s3cret");
    }

    @Test
    void aFileWithOneTokenGivesItWhateverNameTheControllerUsed() throws IOException {
        Files.writeString(home.resolve("credentials"), "http://localhost:7070 ferry_abc_s3cret\n");

        assertThat(BearerToken.read(home, URL).bearer()).isEqualTo("Bearer ferry_abc_s3cret");
    }

    @Test
    void noFileSaysWhereItLookedAndWhoWritesIt() {
        assertThatThrownBy(() -> BearerToken.read(home, URL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no admin token: " + home.resolve("credentials") + " does not exist")
                .hasMessageContaining("before it says it is up");
    }

    @Test
    void aFileWithoutTheUrlAmongSeveralOrWithNoneIsRefused() throws IOException {
        Files.writeString(home.resolve("credentials"), "# nothing yet\n");
        assertThatThrownBy(() -> BearerToken.read(home, URL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no admin token for " + URL)
                .hasMessageContaining("(it holds none)");

        Files.writeString(home.resolve("credentials"), "http://a:1 ferry_a_x\nhttp://b:2 ferry_b_y\n");
        assertThatThrownBy(() -> BearerToken.read(home, URL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("only")
                .hasMessageContaining("http://a:1")
                .hasMessageNotContaining("ferry_a_x");
    }

    @Test
    void aMalformedLineIsNamedWithoutItsToken() {
        assertThatThrownBy(() -> BearerToken.parse(List.of("# c", URL + " ferry_abc_s3cret extra"), "creds"))
                .isInstanceOf(IOException.class)
                .hasMessage("creds line 2: 3 fields (expected: \"<admin URL> <token>\")");
    }

    @Test
    void readsTheTokenThatPostV1TokensAnswers() throws IOException {
        BearerToken.Issued issued = BearerToken.issued("""
                {"id":"k3y","name":"bench","scopes":["call"],"apps":[],"createdAt":"2026-12-07T00:00:00Z",
                 "token":"ferry_k3y_s3cret"}
                """);

        assertThat(issued.id()).isEqualTo("k3y");
        assertThat(issued.name()).isEqualTo("bench");
        assertThat(issued.token().bearer()).isEqualTo("Bearer ferry_k3y_s3cret");
        assertThat(issued.toString()).doesNotContain("s3cret");
    }

    @Test
    void anAnswerWithoutTheTokenIsRefused() {
        assertThatThrownBy(() -> BearerToken.issued("{\"id\":\"k3y\",\"name\":\"bench\"}"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no \"id\" and \"token\"")
                .hasMessageContaining("[id, name]");
        assertThatThrownBy(() -> BearerToken.issued("not json")).isInstanceOf(IOException.class);
    }
}
