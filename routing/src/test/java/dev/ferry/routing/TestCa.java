package dev.ferry.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test run by the {@code openssl} command, in a
 * directory of the caller's: its certificate, and server certificates it signs. No key
 * material is committed; each run makes its own (EC P-256 keys, valid for a day).
 *
 * <p>When {@code openssl} is not on the PATH, {@link #create} fails the test, as
 * {@link RedisServer} does without {@code redis-server}.
 */
public final class TestCa {

    /** A server's certificate, signed by a {@link TestCa}, and its private key (unencrypted PEM). */
    public record ServerCertificate(Path certificate, Path key, Path ca) {}

    private final Path dir;
    private final Path certificate;
    private final Path key;

    private TestCa(Path dir) {
        this.dir = dir;
        this.certificate = dir.resolve("ca.crt");
        this.key = dir.resolve("ca.key");
    }

    /** Makes a CA named {@code name} in {@code dir} (which must exist). */
    public static TestCa create(Path dir, String name) {
        TestCa ca = new TestCa(dir);
        openssl(
                dir,
                "req",
                "-x509",
                "-new",
                "-nodes",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-keyout",
                ca.key.toString(),
                "-out",
                ca.certificate.toString(),
                "-days",
                "1",
                "-subj",
                "/CN=" + name);
        return ca;
    }

    /** The CA's certificate, PEM: what a client that trusts this CA is given. */
    public Path certificate() {
        return certificate;
    }

    /**
     * A certificate for {@code name}, valid for {@code subjectAltName} (e.g. {@code
     * IP:127.0.0.1,DNS:localhost}), signed by this CA.
     */
    public ServerCertificate issue(String name, String subjectAltName) {
        Path cert = dir.resolve(name + ".crt");
        Path serverKey = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path extensions = dir.resolve(name + ".ext");
        try {
            Files.writeString(extensions, "subjectAltName=" + subjectAltName + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(
                dir,
                "req",
                "-new",
                "-nodes",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-keyout",
                serverKey.toString(),
                "-out",
                request.toString(),
                "-subj",
                "/CN=" + name);
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                request.toString(),
                "-CA",
                certificate.toString(),
                "-CAkey",
                key.toString(),
                "-CAcreateserial",
                "-out",
                cert.toString(),
                "-days",
                "1",
                "-extfile",
                extensions.toString());
        return new ServerCertificate(cert, serverKey, certificate);
    }

    private static void openssl(Path dir, String... args) {
        List<String> command =
                new ArrayList<>(List.of(RedisServer.find("openssl").toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl " + args[0] + " did not finish in 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " exited with "
                        + process.exitValue() + ": " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
