package dev.ferry.routing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a deployed function's jar on this machine: the controller's own copy when it is
 * here (one machine, or a shared disk) and has the right digest, else a copy fetched from
 * the store into the cache directory once. Digests are checked, so a replaced or corrupt
 * file is never run. Workers keep the jars they run here; controllers keep every deployed
 * jar, so that whichever survives can write them back to a store that lost its data.
 */
public final class AppJars {

    private final RoutingStore store;
    private final Path cacheDir;
    private final Map<String, Path> verified = new ConcurrentHashMap<>();

    public AppJars(RoutingStore store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir;
    }

    /**
     * The local path of {@code function}'s jar. May read the store: never on the request path.
     *
     * @throws IOException when the jar is in neither place or its bytes do not match the digest
     */
    public Path localJar(DeployedFunction function) throws IOException {
        Optional<Path> local = localCopy(function);
        if (local.isPresent()) {
            return local.get();
        }
        String digest = function.jarDigest();
        byte[] bytes = store.jar(digest)
                .orElseThrow(() -> new IOException("jar " + digest + " of app " + function.app() + " "
                        + function.version() + " is not in " + store.describe()));
        if (!digest.equals(sha256(bytes))) {
            throw new IOException("jar " + digest + " of app " + function.app() + " from " + store.describe()
                    + " does not match its digest");
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, "fetch-", ".jar");
        Files.write(tmp, bytes);
        Path target = cacheDir.resolve(digest + ".jar");
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        verified.put(digest, target);
        return target;
    }

    /**
     * The local path of {@code function}'s jar if this machine has a copy with the right
     * digest, without asking the store.
     */
    public Optional<Path> localCopy(DeployedFunction function) {
        String digest = function.jarDigest();
        Path known = verified.get(digest);
        if (known != null && Files.isRegularFile(known)) {
            return Optional.of(known);
        }
        for (Path candidate : new Path[] {function.jar(), cacheDir.resolve(digest + ".jar")}) {
            try {
                if (Files.isRegularFile(candidate) && digest.equals(sha256(candidate))) {
                    verified.put(digest, candidate);
                    return Optional.of(candidate);
                }
            } catch (IOException e) {
                // unreadable: not a usable copy
            }
        }
        return Optional.empty();
    }

    /** Every jar known to be here, by digest. */
    public Map<String, Path> known() {
        return Map.copyOf(verified);
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
