package dev.ferry.routing;

import java.security.SecureRandom;

/** Makes container ids: {@code ct-} and 8 random base32 characters (40 bits). Thread-safe. */
public final class ContainerIds {

    public static final String PREFIX = "ct-";
    static final int RANDOM_CHARS = 8;

    // RFC 4648 base32 in lower case: no 0/1/8/9, so no o/l/b/g look-alikes to misread.
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom random = new SecureRandom();

    private ContainerIds() {}

    /** @throws IllegalArgumentException unless {@code id} is {@code ct-} and 8 base32 characters */
    public static void check(String id) {
        boolean ok = id != null && id.length() == PREFIX.length() + RANDOM_CHARS && id.startsWith(PREFIX);
        for (int i = PREFIX.length(); ok && i < id.length(); i++) {
            char c = id.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
        }
        if (!ok) {
            throw new IllegalArgumentException("container id: " + id + " (expected: ct- and 8 characters of a-z, 2-7)");
        }
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
