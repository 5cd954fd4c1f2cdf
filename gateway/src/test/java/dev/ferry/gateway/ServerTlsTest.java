package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {

    @TempDir
    Path dir;

    @Test
    void namesTheFilesAndWhatWasExpectedWhenTheyCannotBeUsed() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");

        assertThatThrownBy(() -> ServerTls.fromPem(cert, key))
                .hasMessageContaining("cert.pem")
                .hasMessageContaining("key.pem")
                .hasMessageContaining("expected: a PEM certificate chain and an unencrypted PKCS#8 PEM key");
    }

    @Test
    void saysWhichFileIsMissing() {
        assertThatThrownBy(() -> ServerTls.fromPem(dir.resolve("missing.pem"), dir.resolve("key.pem")))
                .hasMessageContaining("missing.pem");
    }
}
