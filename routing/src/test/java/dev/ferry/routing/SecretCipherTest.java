package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing secret values with the cluster key: what opens, and what is refused without saying the value. */
class SecretCipherTest {

    private static final String VALUE = "correct horse battery staple ✓";

    @TempDir
    Path dir;

    @Test
    void aSealedValueOpensWithTheSameKeyOnly() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        SecretCipher cipher = SecretCipher.of(key);
        String sealed = cipher.seal("db", "PASSWORD", VALUE);

        assertThat(sealed).startsWith("v1:" + cipher.keyId() + ":").doesNotContain(VALUE);
        assertThat(cipher.seal("db", "PASSWORD", VALUE))
                .as("a fresh nonce each time")
                .isNotEqualTo(sealed);
        assertThat(cipher.open("db", "PASSWORD", sealed)).isEqualTo(VALUE);
        assertThat(SecretCipher.of(key.clone()).open("db", "PASSWORD", sealed)).isEqualTo(VALUE);
    }

    @Test
    void anotherClusterKeyIsNamedAsSuch() {
        SecretCipher cipher = SecretCipher.random();
        SecretCipher other = SecretCipher.random();
        String sealed = cipher.seal("db", "PASSWORD", VALUE);

        assertThatThrownBy(() -> other.open("db", "PASSWORD", sealed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "secret db, key PASSWORD: sealed with another cluster key (key id " + cipher.keyId())
                .hasMessageNotContaining(VALUE);
        // The same key id with other bytes (a forged id) still fails on the tag.
        String forged = "v1:" + other.keyId() + ":" + sealed.split(":", 3)[2];
        assertThatThrownBy(() -> other.open("db", "PASSWORD", forged))
                .hasMessage(
                        "secret db, key PASSWORD: cannot be decrypted with the cluster key (altered, or sealed for another secret or key)");
    }

    @Test
    void anAlteredValueIsRefused() {
        SecretCipher cipher = SecretCipher.random();
        String sealed = cipher.seal("db", "PASSWORD", VALUE);
        byte[] bytes = Base64.getDecoder().decode(sealed.split(":", 3)[2]);
        bytes[bytes.length / 2] ^= 1;
        String tampered = "v1:" + cipher.keyId() + ":" + Base64.getEncoder().encodeToString(bytes);

        assertThatThrownBy(() -> cipher.open("db", "PASSWORD", tampered))
                .hasMessageContaining("cannot be decrypted with the cluster key");
        assertThatThrownBy(() -> cipher.open("db", "PASSWORD", "plain text"))
                .hasMessage("secret db, key PASSWORD: not a sealed value (expected: v1:KEYID:BASE64)");
        assertThatThrownBy(() -> cipher.open("db", "PASSWORD", "v1:" + cipher.keyId() + ":AAAA"))
                .hasMessage("secret db, key PASSWORD: not a sealed value (too short)");
    }

    @Test
    void aValueMovedToAnotherKeyOrSecretDoesNotOpen() {
        SecretCipher cipher = SecretCipher.random();
        String sealed = cipher.seal("db", "PASSWORD", VALUE);

        assertThatThrownBy(() -> cipher.open("db", "USER", sealed))
                .hasMessageContaining("secret db, key USER: cannot be decrypted");
        assertThatThrownBy(() -> cipher.open("cache", "PASSWORD", sealed))
                .hasMessageContaining("secret cache, key PASSWORD: cannot be decrypted");
        FunctionSecret moved = new FunctionSecret("db", Map.of("USER", sealed), Instant.EPOCH);
        assertThatThrownBy(() -> moved.open(cipher)).hasMessageContaining("secret db, key USER");
    }

    @Test
    void theKeyFileIsCreatedOnceReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("home/cluster.key");
        assertThatThrownBy(() -> SecretCipher.load(file)).isInstanceOf(NoSuchFileException.class);

        SecretCipher created = SecretCipher.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        assertThat(SecretCipher.loadOrCreate(file).keyId()).isEqualTo(created.keyId());
        assertThat(SecretCipher.load(file).open("db", "K", created.seal("db", "K", VALUE)))
                .isEqualTo(VALUE);
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }

        Files.writeString(file, "not a key\n");
        assertThatThrownBy(() -> SecretCipher.load(file))
                .hasMessageContaining("cluster key " + file + ": not a key (expected: 32 bytes in base64");
    }

    @Test
    void secretsRefuseBadKeysAndValuesNamingTheKeyNotTheValue() {
        SecretCipher cipher = SecretCipher.random();
        Instant at = Instant.EPOCH;
        assertThatThrownBy(() -> FunctionSecret.seal("db", Map.of("1PASS", VALUE), cipher, at))
                .hasMessageStartingWith("key: \"1PASS\" (expected: an environment variable name");
        assertThatThrownBy(() -> FunctionSecret.seal("db", Map.of("FERRY_CONTAINER_ID", VALUE), cipher, at))
                .hasMessageContaining("key: FERRY_CONTAINER_ID (expected: none starting with FERRY_");
        assertThatThrownBy(() -> FunctionSecret.seal("db", Map.of("CUDA_VISIBLE_DEVICES", VALUE), cipher, at))
                .hasMessageContaining("key: CUDA_VISIBLE_DEVICES");
        assertThatThrownBy(() -> FunctionSecret.seal("Bad Name", Map.of("K", VALUE), cipher, at))
                .hasMessageStartingWith("secret: \"Bad Name\"");
        assertThatThrownBy(() -> FunctionSecret.seal("db", Map.of(), cipher, at))
                .hasMessage("keys: 0 (expected: 1 to 100)");
        String big = "x".repeat(FunctionSecret.MAX_VALUE_BYTES + 1);
        assertThatThrownBy(() -> FunctionSecret.seal("db", Map.of("BIG", big), cipher, at))
                .hasMessage("value of BIG: 65537 bytes (expected: at most 65536)");
        assertThatThrownBy(() -> FunctionSecret.seal("db", Map.of("NUL", "a\0" + VALUE), cipher, at))
                .hasMessage("value of NUL: holds a NUL character");
        FunctionSecret db = FunctionSecret.seal("db", Map.of("PASSWORD", VALUE), cipher, at);
        assertThat(db.toString())
                .contains("db", "PASSWORD")
                .doesNotContain(VALUE, db.sealed().get("PASSWORD"));
    }
}
