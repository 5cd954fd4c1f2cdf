package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificatesTest {

    @TempDir
    Path home;

    private static List<X509Certificate> chain(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(c -> (X509Certificate) c)
                    .toList();
        }
    }

    @Test
    void issuesACertificateForLocalhostAndEachHostSignedByTheLocalAuthority() throws Exception {
        LocalCertificates local = LocalCertificates.open(home);

        LocalCertificates.Pem pem = local.issue(List.of("shop--cart.localhost"));

        List<X509Certificate> chain = chain(pem.certificate());
        X509Certificate ca = chain(local.authority()).get(0);
        assertThat(chain).hasSize(2);
        chain.get(0).verify(ca.getPublicKey());
        assertThat(chain.get(0).getSubjectAlternativeNames())
                .extracting(n -> String.valueOf(n.get(1)))
                .contains("localhost", "shop--cart.localhost", "127.0.0.1");
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(Files.getPosixFilePermissions(pem.key())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void keepsOneAuthorityAcrossRuns() throws Exception {
        X509Certificate first = chain(LocalCertificates.open(home).authority()).get(0);

        LocalCertificates again = LocalCertificates.open(home);
        X509Certificate server = chain(again.issue(List.of()).certificate()).get(0);

        assertThat(chain(again.authority()).get(0)).isEqualTo(first);
        server.verify(first.getPublicKey());
    }
}
