package dev.ferry.cli.cluster;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A line a role process logged: {@code 2026-12-07T00:05:22.123Z WARN  controller  message}
 * (see docs/architecture.md, "Logging").
 */
record LogLine(String level, String role, String message) {

    private static final Pattern FORM = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (ERROR|WARN|INFO|DEBUG|TRACE) +(\\S+) +(.*)$");

    /** {@code line} as a log line; empty for anything else (a stack trace's line, output that is not logging). */
    static Optional<LogLine> parse(String line) {
        Matcher m = FORM.matcher(line);
        return m.matches() ? Optional.of(new LogLine(m.group(1), m.group(2), m.group(3))) : Optional.empty();
    }

    /** Whether one of {@code lines} logged, at {@code level} for {@code role}, a message starting with {@code start}. */
    static boolean said(List<String> lines, String level, String role, String start) {
        return lines.stream()
                .flatMap(l -> parse(l).stream())
                .anyMatch(l -> l.level.equals(level) && l.role.equals(role) && l.message.startsWith(start));
    }
}
