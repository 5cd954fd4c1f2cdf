package dev.ferry.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens the values of {@link FunctionSecret}s with the cluster key: AES-256-GCM, a
 * random 96-bit nonce per value, and the secret's name and the value's key as associated data,
 * so that a sealed value copied to another secret or key does not open. A sealed value is
 * {@code v1:<key id>:<base64 of nonce, ciphertext and tag>}; the key id (the first 4 bytes of
 * the key's SHA-256, in hex) tells a value sealed with another cluster key from an altered one.
 *
 * <p>The cluster key is 32 random bytes, kept base64-encoded in a file (by default
 * {@code <home>/cluster.key}) that only controllers and workers read: controllers seal, workers
 * open; gateways never need it. Immutable and thread-safe. No message of this class holds a
 * value, sealed or not.
 */
public final class SecretCipher {

    /** The key file's name in the Ferry home, unless {@code --cluster-key} says otherwise. */
    public static final String DEFAULT_FILE = "cluster.key";

    private static final String FORMAT = "v1";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String keyId;

    private SecretCipher(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("cluster key: " + key.length + " bytes (expected: " + KEY_BYTES + ")");
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.keyId = keyId(key);
    }

    /** A cipher with {@code key}, 32 bytes. */
    public static SecretCipher of(byte[] key) {
        return new SecretCipher(Objects.requireNonNull(key, "key"));
    }

    /** A cipher with a fresh random key (tests, and the key file's first use). */
    public static SecretCipher random() {
        return new SecretCipher(randomKey());
    }

    /**
     * The cipher of the key in {@code file}.
     *
     * @throws NoSuchFileException when there is no such file
     * @throws IOException when it cannot be read or does not hold a key (the message names the file)
     */
    public static SecretCipher load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != KEY_BYTES) {
            throw new IOException("cluster key " + file + ": not a key (expected: " + KEY_BYTES
                    + " bytes in base64, as ferry dev and ferry controller write it)");
        }
        return new SecretCipher(key);
    }

    /**
     * The cipher of the key in {@code file}, which is created first, readable by its owner only
     * (mode 0600), with a random key if it does not exist. Two processes that create it at once
     * end up with the same key: the file appears whole or not at all, and the second keeps the
     * first's.
     */
    public static SecretCipher loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(
                dir,
                ".cluster-key-",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            byte[] key = randomKey();
            Files.writeString(temp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.createLink(file, temp); // fails if another process made it meanwhile
            } catch (FileAlreadyExistsException e) {
                return load(file);
            }
            return new SecretCipher(key);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The key's id, as sealed values carry it: 8 hex digits. */
    public String keyId() {
        return keyId;
    }

    /** Seals {@code value}, the value of key {@code key} of secret {@code secret}. */
    public String seal(String secret, String key, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(secret, key));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return FORMAT + ":" + keyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code sealed}, the value of key {@code key} of secret {@code secret}.
     *
     * @throws IllegalArgumentException naming the secret and the key, when the value was sealed
     *     with another cluster key, altered, sealed for another secret or key, or is not a sealed
     *     value at all
     */
    public String open(String secret, String key, String sealed) {
        String what = "secret " + secret + ", key " + key;
        String[] parts = sealed.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(FORMAT)) {
            throw new IllegalArgumentException(what + ": not a sealed value (expected: " + FORMAT + ":KEYID:BASE64)");
        }
        if (!parts[1].equals(keyId)) {
            throw new IllegalArgumentException(what + ": sealed with another cluster key (key id " + parts[1]
                    + ", this one's is " + keyId + "): give every controller and worker the same cluster key");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": not a sealed value (not base64)");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException(what + ": not a sealed value (too short)");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData(secret, key));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException(
                    what + ": cannot be decrypted with the cluster key (altered, or sealed for another secret or key)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SecretCipher[key id " + keyId + "]";
    }

    private static byte[] associatedData(String secret, String key) {
        return ("ferry-secret\0" + secret + "\0" + key).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
