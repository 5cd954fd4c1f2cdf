package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.SecretCipher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker opening the secrets a function names: the variables, or a reason that names the secret and never a value. */
class SecretOpenerTest {

    private static final String PASSWORD = "hunter2-plain";

    @TempDir
    Path home;

    @Test
    void opensTheNamedSecretsIntoVariablesWithTheKeyReadAtFirstNeed() throws Exception {
        Path keyFile = home.resolve("cluster.key");
        SecretOpener opener = new SecretOpener(keyFile);
        assertThat(opener.environment(List.of(), name -> Optional.empty()))
                .as("no secret, no key needed")
                .isEmpty();

        SecretCipher cipher = SecretCipher.loadOrCreate(keyFile);
        Map<String, FunctionSecret> store = Map.of(
                "db", FunctionSecret.seal("db", Map.of("PASSWORD", PASSWORD, "DB_USER", "shop"), cipher, Instant.EPOCH),
                "api", FunctionSecret.seal("api", Map.of("TOKEN", "t"), cipher, Instant.EPOCH));

        assertThat(opener.environment(List.of("db", "api"), name -> Optional.ofNullable(store.get(name))))
                .containsExactly(
                        Map.entry("DB_USER", "shop"), Map.entry("PASSWORD", PASSWORD), Map.entry("TOKEN", "t"));
    }

    @Test
    void aMissingKeyAWrongKeyAMissingSecretAndAClashAreNamed() throws Exception {
        Path keyFile = home.resolve("cluster.key");
        SecretCipher controllers = SecretCipher.random();
        FunctionSecret db = FunctionSecret.seal("db", Map.of("PASSWORD", PASSWORD), controllers, Instant.EPOCH);
        SecretOpener opener = new SecretOpener(keyFile);

        assertThatThrownBy(() -> opener.environment(List.of("db"), name -> Optional.of(db)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secret db: no cluster key at " + keyFile
                        + " (copy the controllers' cluster.key there, or give ferry worker --cluster-key FILE)");

        SecretCipher.loadOrCreate(keyFile); // another key than the controllers'
        assertThatThrownBy(() -> opener.environment(List.of("db"), name -> Optional.of(db)))
                .hasMessageStartingWith(
                        "secret db, key PASSWORD: sealed with another cluster key (key id " + controllers.keyId())
                .hasMessageNotContaining(PASSWORD);

        assertThatThrownBy(() -> opener.environment(List.of("cache"), name -> Optional.empty()))
                .hasMessage("secret cache does not exist (ferry secret set cache KEY=VALUE…)");

        SecretOpener right = new SecretOpener(home.resolve("right.key"));
        SecretCipher cipher = SecretCipher.loadOrCreate(home.resolve("right.key"));
        Map<String, FunctionSecret> clash = Map.of(
                "a", FunctionSecret.seal("a", Map.of("PASSWORD", PASSWORD), cipher, Instant.EPOCH),
                "b", FunctionSecret.seal("b", Map.of("PASSWORD", "other"), cipher, Instant.EPOCH));
        assertThatThrownBy(() -> right.environment(List.of("a", "b"), name -> Optional.ofNullable(clash.get(name))))
                .hasMessage("secrets a and b both set PASSWORD (expected: each variable from one secret)");

        Files.writeString(home.resolve("bad.key"), "garbage");
        assertThatThrownBy(() -> new SecretOpener(home.resolve("bad.key"))
                        .environment(List.of("a"), name -> Optional.ofNullable(clash.get(name))))
                .hasMessageStartingWith("secret a: cluster key " + home.resolve("bad.key") + ": not a key");
    }

    @Test
    void specsAndLaunchesNameVariablesNeverValues() {
        ContainerSpec spec =
                ContainerSpec.of("app--f", "C", Path.of("/x.jar")).withEnvironment(Map.of("PASSWORD", PASSWORD));
        assertThat(spec.toString()).contains("PASSWORD").doesNotContain(PASSWORD);
        ContainerLaunch launch = new ContainerLaunch(
                "ct-1", ContainerLimits.NONE, List.of("java"), Map.of("PASSWORD", PASSWORD), List.of(), List.of());
        assertThat(launch.toString()).contains("PASSWORD").doesNotContain(PASSWORD);
    }
}
