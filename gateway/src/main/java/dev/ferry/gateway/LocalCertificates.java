package dev.ferry.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificates {@code ferry dev} serves HTTPS with when given none, as mkcert does it: a
 * local certificate authority made once ({@code <home>/tls/ca.crt}, the one file a user
 * trusts), and a server certificate it signs for {@code localhost}, 127.0.0.1, ::1 and every
 * deployed function's host, issued again as functions are deployed.
 *
 * <p>Why not one {@code *.localhost} certificate: TLS clients (OpenSSL, browsers) refuse a
 * wildcard directly under a top-level name, so it would match no function host. Keys are
 * ECDSA P-256; private keys are unencrypted PKCS#8 PEM readable by their owner only.
 * Thread-safe (issuing is serialised).
 */
public final class LocalCertificates {

    /** A certificate chain and its key, as PEM files. */
    public record Pem(Path certificate, Path key) {}

    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Browsers refuse server certificates valid for longer than this. */
    static final Duration SERVER_VALIDITY = Duration.ofDays(397);

    private static final java.util.regex.Pattern IP_LITERAL =
            java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Path dir;
    private final PrivateKey caKey;
    private final X509Certificate ca;
    private final SecureRandom random = new SecureRandom();

    private LocalCertificates(Path dir, PrivateKey caKey, X509Certificate ca) {
        this.dir = dir;
        this.caKey = caKey;
        this.ca = ca;
    }

    /** The local authority under {@code home}, made first if there is none. */
    public static LocalCertificates open(Path home) throws IOException {
        Path dir = Files.createDirectories(home.resolve("tls"));
        Path caCert = dir.resolve("ca.crt");
        Path caKeyFile = dir.resolve("ca.key");
        try {
            if (Files.isRegularFile(caCert) && Files.isRegularFile(caKeyFile)) {
                return new LocalCertificates(dir, readKey(caKeyFile), readCertificate(caCert));
            }
            KeyPair keys = newKeyPair();
            X500Name name = new X500Name("CN=Ferry dev CA (" + hostName() + "), O=Ferry");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            name,
                            new BigInteger(64, new SecureRandom()),
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(CA_VALIDITY)),
                            name,
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate ca = sign(builder, keys.getPrivate());
            write(caKeyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
            write(caCert, pem("CERTIFICATE", ca.getEncoded()), false);
            return new LocalCertificates(dir, keys.getPrivate(), ca);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException(
                    "cannot make or read the local certificate authority in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The file to trust. */
    public Path authority() {
        return dir.resolve("ca.crt");
    }

    /**
     * Issues the server certificate for {@code localhost}, loopback addresses and
     * {@code hostNames}, and writes it with its chain to {@code server.crt} and its key to
     * {@code server.key} (each replaced in one step, so a reader never sees half a file).
     */
    public Pem issue(Collection<String> hostNames) throws IOException {
        return issue(hostNames, "server");
    }

    /**
     * Issues a server certificate as {@link #issue(Collection)} does, written to
     * {@code <name>.crt} and {@code <name>.key}: the controller's admin API has its own, so it
     * never replaces the gateway's. A host name that is an IP address is named as one.
     */
    public synchronized Pem issue(Collection<String> hostNames, String name) throws IOException {
        LinkedHashSet<String> names = new LinkedHashSet<>(List.of("localhost"));
        names.addAll(hostNames);
        List<GeneralName> alternatives = new ArrayList<>();
        names.forEach(n -> alternatives.add(new GeneralName(
                IP_LITERAL.matcher(n).matches() || n.contains(":") ? GeneralName.iPAddress : GeneralName.dNSName, n)));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "::1"));
        try {
            KeyPair keys = newKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            ca,
                            new BigInteger(64, random),
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(SERVER_VALIDITY)),
                            new X500Name("CN=localhost, O=Ferry dev"),
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            X509Certificate server = sign(builder, caKey);
            Pem pem = new Pem(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
            write(pem.key(), pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
            write(
                    pem.certificate(),
                    pem("CERTIFICATE", server.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()),
                    false);
            return pem;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot issue the local server certificate: " + e.getMessage(), e);
        }
    }

    /** How to make clients trust the local authority. */
    public String trustInstructions(int httpsPort) {
        return "HTTPS uses certificates from a local authority made for this machine: " + authority() + "\n"
                + "  trust it per call:  curl --cacert " + authority() + " https://examples--hello.localhost:"
                + httpsPort + "/\n"
                + "  or system-wide:     cp " + authority()
                + " /usr/local/share/ca-certificates/ferry-dev-ca.crt && update-ca-certificates";
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this machine";
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path target, String content, boolean ownerOnly) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        if (ownerOnly) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection applies
            }
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
