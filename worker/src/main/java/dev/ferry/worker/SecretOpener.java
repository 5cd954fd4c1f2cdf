package dev.ferry.worker;

import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.SecretCipher;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Opens the secrets a function names into the environment variables of its container, with
 * the cluster key read from its file at the first need (a worker whose functions name no
 * secret never needs one; one that found no key reads the file again at the next need, so
 * copying it there is enough). Thread-safe.
 *
 * <p>Its messages name the secret and the key, never a value: they become the container's
 * {@code FAILED} reason, which {@code ferry ls} shows and the worker logs.
 */
final class SecretOpener {

    private final Path keyFile;
    /** Null until read. */
    private SecretCipher cipher;

    SecretOpener(Path keyFile) {
        this.keyFile = keyFile;
    }

    /**
     * The variables of secrets {@code names}, in order, each looked up by {@code lookup}.
     *
     * @throws IllegalArgumentException when a secret does not exist, the cluster key is missing
     *     or unreadable, a value does not open with it, or two secrets set one variable
     */
    Map<String, String> environment(List<String> names, Function<String, Optional<FunctionSecret>> lookup) {
        Map<String, String> environment = new LinkedHashMap<>();
        Map<String, String> setBy = new HashMap<>();
        for (String name : names) {
            FunctionSecret secret = lookup.apply(name)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "secret " + name + " does not exist (ferry secret set " + name + " KEY=VALUE…)"));
            Map<String, String> values = secret.open(cipher(name));
            for (Map.Entry<String, String> e : values.entrySet()) {
                String earlier = setBy.putIfAbsent(e.getKey(), name);
                if (earlier != null) {
                    throw new IllegalArgumentException("secrets " + earlier + " and " + name + " both set " + e.getKey()
                            + " (expected: each variable from one secret)");
                }
                environment.put(e.getKey(), e.getValue());
            }
        }
        return environment;
    }

    private synchronized SecretCipher cipher(String secret) {
        if (cipher == null) {
            try {
                cipher = SecretCipher.load(keyFile);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("secret " + secret + ": no cluster key at " + keyFile
                        + " (copy the controllers' cluster.key there, or give ferry worker --cluster-key FILE)");
            } catch (IOException e) {
                throw new IllegalArgumentException("secret " + secret + ": " + e.getMessage());
            }
        }
        return cipher;
    }
}
