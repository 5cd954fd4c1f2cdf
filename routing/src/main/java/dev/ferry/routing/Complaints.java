package dev.ferry.routing;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs each distinct problem with the shared data once per process. Bad data in Redis stays
 * there and is met again at every resync, by every store instance on it; saying so once per
 * offending key and value is enough, and a bounded memory of what was said keeps a flood of
 * garbage from becoming a flood of logs. Fingerprints start with the store's description,
 * so the same bad data in two stores is two problems.
 */
final class Complaints {

    /** The one memory of the process. */
    static final Complaints PROCESS = new Complaints();

    private static final Logger LOG = System.getLogger(RedisRoutingStore.class.getName());
    private static final int MEMORY = 10_000;

    private final Set<String> said = ConcurrentHashMap.newKeySet();

    /** Logs {@code message} unless one with the same {@code fingerprint} was logged before. */
    void once(String fingerprint, String message) {
        if (fingerprint.length() > 256) {
            // Remember a digest of a long value, not the value: garbage can be large.
            fingerprint = fingerprint.substring(0, 128) + '\0' + fingerprint.length() + '\0' + fingerprint.hashCode();
        }
        if (said.size() >= MEMORY) {
            if (said.add("\0full")) {
                LOG.log(
                        Level.WARNING,
                        "Too many distinct problems with the routing data in Redis; logging no more of them");
            }
            return;
        }
        if (said.add(fingerprint)) {
            LOG.log(Level.WARNING, message);
        }
    }

    /** Logs {@code message} at {@code level} every time: events that are rare by nature (a lost store, a reconnect). */
    static void log(Level level, String message) {
        LOG.log(level, message);
    }

    /** At most the first 200 characters of {@code text}, for quoting foreign data in a log line. */
    static String quote(String text) {
        String t = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return '"' + t.replace("\n", "\\n") + '"';
    }
}
