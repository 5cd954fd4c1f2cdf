package dev.ferry.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into UTF-8 lines of bounded length, so that a container that writes a
 * huge line (or never a newline) cannot make the worker buffer without limit. Not
 * thread-safe: one reader per stream.
 */
final class OutputLines {

    /** Longest line passed on whole, in bytes; longer ones are cut into pieces of at most this. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final int maxLineBytes;
    private final Consumer<String> action;
    private byte[] line = new byte[256];
    private int length;

    OutputLines(int maxLineBytes, Consumer<String> action) {
        if (maxLineBytes < 4) {
            // a line piece must fit one UTF-8 encoded character
            throw new IllegalArgumentException("maxLineBytes: " + maxLineBytes + " (expected: >= 4)");
        }
        this.maxLineBytes = maxLineBytes;
        this.action = action;
    }

    /**
     * Reads {@code in} to its end, giving each line to the action: terminators ({@code \n} or
     * {@code \r\n}) removed, an unterminated last line included. Blocks while {@code in} does.
     */
    void readAll(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    emitLine();
                } else {
                    append(b);
                }
            }
        }
        if (length > 0) {
            emitLine();
        }
    }

    private void append(byte b) {
        if (length == maxLineBytes) {
            emitPiece();
        }
        if (length == line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
        }
        line[length++] = b;
    }

    private void emitLine() {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        action.accept(new String(line, 0, end, StandardCharsets.UTF_8));
        length = 0;
    }

    /** Emits a full buffer, cut before a UTF-8 character that the cut would split. */
    private void emitPiece() {
        int cut = length;
        int back = 0;
        while (back < 3 && cut > 1 && (line[cut - 1] & 0xC0) == 0x80) {
            cut--;
            back++;
        }
        // line[cut - 1] is now the lead byte of a possibly incomplete character (or ASCII)
        if ((line[cut - 1] & 0xC0) == 0xC0 && sequenceLength(line[cut - 1]) > length - cut + 1) {
            cut--;
        } else {
            cut = length;
        }
        action.accept(new String(line, 0, cut, StandardCharsets.UTF_8));
        System.arraycopy(line, cut, line, 0, length - cut);
        length -= cut;
    }

    private static int sequenceLength(byte lead) {
        if ((lead & 0xE0) == 0xC0) {
            return 2;
        }
        if ((lead & 0xF0) == 0xE0) {
            return 3;
        }
        return 4;
    }
}
