package dev.ferry.worker;

import java.util.List;
import java.util.Map;

/** Writes the JSON the worker hands to runc: maps, lists, strings, numbers, booleans. No reader. */
final class Json {

    private Json() {}

    /** {@code value} as JSON text, indented by two spaces per level, for a person reading a bundle. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.append('\n').toString();
    }

    private static void write(Object value, StringBuilder out, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(s, out);
            case Boolean b -> out.append(b);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    indent(out, depth + 1);
                    string((String) entry.getKey(), out);
                    out.append(": ");
                    write(entry.getValue(), out, depth + 1);
                }
                out.append('\n');
                indent(out, depth);
                out.append('}');
            }
            case List<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                boolean first = true;
                for (Object element : list) {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    indent(out, depth + 1);
                    write(element, out, depth + 1);
                }
                out.append('\n');
                indent(out, depth);
                out.append(']');
            }
            default ->
                throw new IllegalArgumentException(
                        "not writable as JSON: " + value.getClass().getName());
        }
    }

    private static void indent(StringBuilder out, int depth) {
        out.repeat("  ", depth);
    }

    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
