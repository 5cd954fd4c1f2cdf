package dev.ferry.request.protocol;

/**
 * A container's id: {@code ct-} and 8 characters of RFC 4648 base32 in lower case ({@code a-z},
 * {@code 2-7}), 40 random bits. Equal by value; prints as the id itself.
 *
 * @param value the id, e.g. {@code ct-k3vq7m2a}
 */
public record ContainerId(String value) {

    /** What every container id starts with. */
    public static final String PREFIX = "ct-";
    /** How many random characters follow {@link #PREFIX}. */
    public static final int RANDOM_CHARS = 8;

    public ContainerId {
        boolean ok = value != null && value.length() == PREFIX.length() + RANDOM_CHARS && value.startsWith(PREFIX);
        for (int i = PREFIX.length(); ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
        }
        if (!ok) {
            throw new IllegalArgumentException("container id: " + (value == null ? "null" : '"' + value + '"')
                    + " (expected: ct- and 8 characters of a-z, 2-7)");
        }
    }

    /**
     * Parses a container id.
     *
     * @throws IllegalArgumentException naming the text and the form expected
     */
    public static ContainerId parse(String text) {
        return new ContainerId(text);
    }

    /** The id, e.g. {@code ct-k3vq7m2a}. */
    @Override
    public String toString() {
        return value;
    }
}
