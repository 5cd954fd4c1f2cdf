package dev.ferry.request.protocol;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * What a container accepts calls with: 32 random bytes its worker makes for it, hands it at
 * start (in its environment, never on its command line) and writes in its routing record, where
 * gateways read it. A gateway opens every connection to the container with it
 * ({@link ConnectionOpen}); the container refuses a connection that does not.
 *
 * <p>Never printed: {@link #toString()} hides it, so a record or a log line that holds one does
 * not show it. Compared in constant time. {@link #NONE} stands for a container record written
 * before containers had secrets: a gateway opens no connection with it. Immutable, thread-safe.
 */
public final class ContainerSecret {

    /** How many bytes a secret has. */
    public static final int BYTES = 32;

    /** No secret: a record of a container from before secrets, which expects no {@link ConnectionOpen}. */
    public static final ContainerSecret NONE = new ContainerSecret(new byte[0]);

    private static final SecureRandom random = new SecureRandom();

    private final byte[] bytes;

    private ContainerSecret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A new secret, from {@link SecureRandom}. */
    public static ContainerSecret generate() {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return new ContainerSecret(bytes);
    }

    /**
     * The secret {@link #encoded()} wrote.
     *
     * @throws IllegalArgumentException when {@code text} is not that; the message does not repeat it
     */
    public static ContainerSecret parse(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("container secret: " + text.length() + " characters that are not "
                    + BYTES + " bytes in base64url (expected: what a worker wrote)");
        }
        return new ContainerSecret(bytes);
    }

    /** Whether this is {@link #NONE}. */
    public boolean isNone() {
        return bytes.length == 0;
    }

    /** As text, for an environment variable or a record: base64url without padding. */
    public String encoded() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The bytes, for {@link ConnectionOpen#getSecret()}. */
    public ByteString bytes() {
        return ByteString.copyFrom(bytes);
    }

    /** Whether {@code presented} is this secret, in time that does not depend on where they differ. */
    public boolean matches(ByteString presented) {
        return !isNone() && MessageDigest.isEqual(bytes, presented.toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerSecret other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Never the secret: {@code ContainerSecret[hidden]}, or {@code ContainerSecret[none]}. */
    @Override
    public String toString() {
        return isNone() ? "ContainerSecret[none]" : "ContainerSecret[hidden]";
    }
}
