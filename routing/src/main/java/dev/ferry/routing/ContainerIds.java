package dev.ferry.routing;

import dev.ferry.request.protocol.ContainerId;
import java.security.SecureRandom;

/** Makes container ids: {@code ct-} and 8 random base32 characters (40 bits). Thread-safe. */
public final class ContainerIds {

    public static final String PREFIX = ContainerId.PREFIX;
    static final int RANDOM_CHARS = ContainerId.RANDOM_CHARS;

    // RFC 4648 base32 in lower case: no 0/1/8/9, so no o/l/b/g look-alikes to misread.
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom random = new SecureRandom();

    private ContainerIds() {}

    /** @throws IllegalArgumentException unless {@code id} is {@code ct-} and 8 base32 characters */
    public static void check(String id) {
        ContainerId.parse(id);
    }

    /** A new random id; callers check it against the ids in use. */
    public static String next() {
        long bits = random.nextLong();
        char[] id = new char[PREFIX.length() + RANDOM_CHARS];
        PREFIX.getChars(0, PREFIX.length(), id, 0);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            id[PREFIX.length() + i] = ALPHABET[(int) (bits & 31)];
            bits >>>= 5;
        }
        return new String(id);
    }
}
