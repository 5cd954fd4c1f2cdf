package dev.ferry.request.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits an HTTP request target into the ASGI {@code raw_path}, {@code path} and
 * {@code query_string}. Pure and thread-safe.
 */
public final class RequestTargets {

    private RequestTargets() {}

    /** The parts of an origin-form request target ({@code /a%20b?x=1}). */
    public record Parts(String path, byte[] rawPath, byte[] queryString) {}

    /**
     * Splits {@code target}; the path is percent-decoded as UTF-8.
     *
     * @throws IllegalArgumentException when the target is not origin-form ("/..." or "*"),
     *     holds a character beyond ISO-8859-1, has a broken percent escape, or decodes to
     *     invalid UTF-8
     */
    public static Parts split(String target) {
        if (target.isEmpty() || (target.charAt(0) != '/' && !target.equals("*"))) {
            throw new IllegalArgumentException(
                    "request target: " + abbreviate(target) + " (expected: a path starting with '/')");
        }
        checkLatin1("request target", target);
        int q = target.indexOf('?');
        String raw = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        int hash = query.indexOf('#');
        if (hash >= 0) {
            query = query.substring(0, hash);
        }
        return new Parts(
                decodePath(raw),
                raw.getBytes(StandardCharsets.ISO_8859_1),
                query.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Percent-decodes {@code rawPath} as UTF-8. '+' stays '+' (it means space only in
     * form-encoded query strings).
     *
     * @throws IllegalArgumentException on a character beyond ISO-8859-1, a broken escape or
     *     invalid UTF-8
     */
    public static String decodePath(String rawPath) {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        checkLatin1("path", rawPath);
        ByteArrayOutputStream out = new ByteArrayOutputStream(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c != '%') {
                out.write(c);
                continue;
            }
            if (i + 2 >= rawPath.length()) {
                throw new IllegalArgumentException(
                        "path: " + abbreviate(rawPath) + " (expected: '%' followed by two hex digits)");
            }
            int hi = Character.digit(rawPath.charAt(i + 1), 16);
            int lo = Character.digit(rawPath.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException(
                        "path: " + abbreviate(rawPath) + " (expected: '%' followed by two hex digits)");
            }
            out.write(hi << 4 | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(
                    "path: " + abbreviate(rawPath) + " (expected: percent-escapes of valid UTF-8)", e);
        }
    }

    /**
     * A target arrives as bytes, one character each (Netty reads the request line, and HPACK and
     * QPACK the path, as ISO-8859-1); a wider character did not come from the wire, and would be
     * cut to its low byte by the decoding below ("/" U+0141 "%41" would become "/AA") or to '?' in the
     * raw path.
     */
    private static void checkLatin1(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xff) {
                throw new IllegalArgumentException(what + ": " + abbreviate(text) + " has U+"
                        + String.format("%04X", (int) text.charAt(i)) + " at " + i
                        + " (expected: bytes as ISO-8859-1, non-ASCII ones percent-escaped)");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? '"' + s + '"' : '"' + s.substring(0, 77) + "...\"";
    }
}
