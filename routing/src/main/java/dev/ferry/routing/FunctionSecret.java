package dev.ferry.routing;

import dev.ferry.request.protocol.FunctionSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A named set of environment variables for functions ({@code ferry secret set NAME KEY=VALUE…}),
 * each value sealed with the cluster key ({@link SecretCipher}): the store, and every copy of
 * it, holds no value in the clear. A function that names the secret
 * ({@code @FerryFunction(secrets = "db")}) gets its keys as environment variables; the worker
 * opens the values when it starts the container.
 *
 * <p>{@link #toString()} names the keys only.
 *
 * @param name the secret's name, by {@link FunctionSettings#checkName}
 * @param sealed each key (an environment variable name, see {@link #checkKey}) to its sealed
 *     value; 1 to {@link #MAX_KEYS} of them, kept sorted by key
 * @param updatedAt when it was last set
 */
public record FunctionSecret(String name, Map<String, String> sealed, Instant updatedAt) {

    /** The most keys a secret holds. */
    public static final int MAX_KEYS = 100;

    /** The longest value, in UTF-8 bytes: an environment variable, not a file. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /** The most a secret's values take together, in UTF-8 bytes (Linux caps a process's environment too). */
    public static final int MAX_TOTAL_BYTES = 256 * 1024;

    /** Names a key may not take: the worker sets them in every container. */
    private static final List<String> RESERVED = List.of("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES");

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public FunctionSecret {
        FunctionSettings.checkName("secret", name);
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(updatedAt, "updatedAt");
        checkKeyCount(sealed.size());
        Map<String, String> sorted = new TreeMap<>();
        sealed.forEach((key, value) -> {
            checkKey(key);
            sorted.put(key, Objects.requireNonNull(value, "sealed value of " + key));
        });
        sealed = Collections.unmodifiableMap(sorted);
    }

    /**
     * The secret {@code name} holding {@code values} (key to plain value), sealed by {@code cipher}.
     *
     * @throws IllegalArgumentException naming the offending key (never a value) when a key is
     *     not a variable name or is reserved, a value is too long or holds a NUL, or there are
     *     none or too many
     */
    public static FunctionSecret seal(String name, Map<String, String> values, SecretCipher cipher, Instant at) {
        FunctionSettings.checkName("secret", name);
        checkKeyCount(values.size());
        long total = 0;
        Map<String, String> sealed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = checkKey(e.getKey());
            String value = Objects.requireNonNull(e.getValue(), "value of " + key);
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException(
                        "value of " + key + ": " + bytes + " bytes (expected: at most " + MAX_VALUE_BYTES + ")");
            }
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("value of " + key + ": holds a NUL character");
            }
            total += bytes;
            sealed.put(key, cipher.seal(name, key, value));
        }
        if (total > MAX_TOTAL_BYTES) {
            throw new IllegalArgumentException(
                    "values: " + total + " bytes in all (expected: at most " + MAX_TOTAL_BYTES + ")");
        }
        return new FunctionSecret(name, sealed, at);
    }

    /**
     * The values in the clear, key to value, opened by {@code cipher}.
     *
     * @throws IllegalArgumentException naming this secret and the key (never a value) when a
     *     value does not open: another cluster key, or altered
     */
    public Map<String, String> open(SecretCipher cipher) {
        Map<String, String> values = new LinkedHashMap<>();
        sealed.forEach((key, value) -> values.put(key, cipher.open(name, key, value)));
        return values;
    }

    /** The keys, sorted. */
    public List<String> keys() {
        return List.copyOf(sealed.keySet());
    }

    /**
     * Checks that {@code key} can be a key: an environment variable name
     * ({@code [A-Za-z_][A-Za-z0-9_]*}) that the worker does not set itself (none starting with
     * {@code FERRY_}, nor the GPU variables).
     */
    public static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key: " + (key == null ? "null" : '"' + key + '"')
                    + " (expected: an environment variable name, letters, digits and _, not starting with a digit)");
        }
        if (key.startsWith("FERRY_") || RESERVED.contains(key)) {
            throw new IllegalArgumentException("key: " + key + " (expected: none starting with FERRY_, nor " + RESERVED
                    + ", which the worker sets)");
        }
        return key;
    }

    private static void checkKeyCount(int count) {
        if (count == 0 || count > MAX_KEYS) {
            throw new IllegalArgumentException("keys: " + count + " (expected: 1 to " + MAX_KEYS + ")");
        }
    }

    @Override
    public String toString() {
        return "FunctionSecret[" + name + ", keys " + sealed.keySet() + ", updated " + updatedAt + "]";
    }
}
