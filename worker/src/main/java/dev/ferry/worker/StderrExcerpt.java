package dev.ferry.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the first and the last lines a container wrote on standard error, for the message of
 * a failed start: the first line usually says what went wrong, the last ones hold the root
 * cause of a stack trace. Thread-safe.
 */
final class StderrExcerpt {

    static final int HEAD_LINES = 10;
    static final int TAIL_LINES = 40;
    static final int MAX_LINE_CHARS = 500;

    private final List<String> head = new ArrayList<>(HEAD_LINES);
    private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL_LINES);
    private long omitted;

    synchronized void add(String line) {
        String kept = line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS) + "...";
        if (head.size() < HEAD_LINES) {
            head.add(kept);
            return;
        }
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
            omitted++;
        }
        tail.addLast(kept);
    }

    /** The lines kept so far, with a marker line where lines were left out. */
    synchronized List<String> lines() {
        List<String> lines = new ArrayList<>(head);
        if (omitted > 0) {
            lines.add("... " + omitted + " lines omitted ...");
        }
        lines.addAll(tail);
        return lines;
    }
}
