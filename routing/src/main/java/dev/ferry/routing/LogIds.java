package dev.ferry.routing;

/**
 * The ids of stored log lines: {@code <milliseconds>-<sequence>}, as Redis gives stream
 * entries, ordered by milliseconds then sequence. {@code <milliseconds>} alone means sequence 0.
 */
final class LogIds {

    private LogIds() {}

    /** A parsed id. */
    record Id(long ms, long seq) implements Comparable<Id> {
        @Override
        public int compareTo(Id other) {
            int byMs = Long.compareUnsigned(ms, other.ms);
            return byMs != 0 ? byMs : Long.compareUnsigned(seq, other.seq);
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
        }
    }

    /**
     * Parses {@code id}.
     *
     * @throws IllegalArgumentException naming {@code what} when it is not an id
     */
    static Id parse(String what, String id) {
        if (id != null && !id.isEmpty() && id.length() <= 41) {
            int dash = id.indexOf('-');
            try {
                if (dash < 0) {
                    return new Id(parseNumber(id), 0);
                }
                return new Id(parseNumber(id.substring(0, dash)), parseNumber(id.substring(dash + 1)));
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new IllegalArgumentException(what + ": " + (id == null ? null : '"' + id + '"')
                + " (expected: a line's id such as \"1712345678901-0\", or \"" + ContainerLogs.START + "\")");
    }

    private static long parseNumber(String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException(digits);
        }
        return Long.parseUnsignedLong(digits);
    }
}
