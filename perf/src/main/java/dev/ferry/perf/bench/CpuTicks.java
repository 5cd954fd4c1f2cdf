package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of processes, from {@code /proc/PID/stat} (Linux): utime + stime (fields 14 and
 * 15), in clock ticks ({@code getconf CLK_TCK}, 100 on Linux almost everywhere). A process's
 * stat counts all of its threads. Children that exited and were waited for land in the
 * parent's cutime and cstime, which are not counted: the bench's targets keep their worker
 * processes for the whole run.
 */
final class CpuTicks {

    /** USER_HZ on every Linux the bench runs on; used when {@code getconf CLK_TCK} cannot be asked. */
    static final long DEFAULT_TICKS_PER_SECOND = 100;

    private static final Path PROC = Path.of("/proc");
    /** utime and stime are fields 14 and 15; after the command name, field 3 (the state) comes first. */
    private static final int UTIME_AFTER_NAME = 14 - 3;

    private static volatile long ticksPerSecond;

    private CpuTicks() {}

    /**
     * utime + stime of one {@code /proc/PID/stat} line. The second field, the command name in
     * parentheses, may itself hold spaces and parentheses (a thread or process may name itself
     * anything), so the fields are counted from the last ')'.
     *
     * @throws IllegalArgumentException when the line is not such a line
     */
    static long parseStat(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0 || line.indexOf('(') < 0) {
            throw new IllegalArgumentException(
                    "/proc stat line: \"" + shorten(line) + "\" (expected: PID (NAME) STATE ... utime stime ...)");
        }
        String[] fields = line.substring(close + 1).trim().split("\\s+");
        if (fields.length < UTIME_AFTER_NAME + 2) {
            throw new IllegalArgumentException("/proc stat line: \"" + shorten(line) + "\" has " + (fields.length + 2)
                    + " fields (expected: at least 15)");
        }
        try {
            long utime = Long.parseLong(fields[UTIME_AFTER_NAME]);
            long stime = Long.parseLong(fields[UTIME_AFTER_NAME + 1]);
            if (utime < 0 || stime < 0) {
                throw new NumberFormatException("negative");
            }
            return utime + stime;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "/proc stat line: \"" + shorten(line) + "\" (expected: utime and stime, fields 14 and 15, as"
                            + " whole numbers of ticks)",
                    e);
        }
    }

    private static String shorten(String line) {
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** utime + stime of {@code pid} now; empty when it has exited or its stat cannot be read. */
    static OptionalLong read(long pid) {
        try {
            return OptionalLong.of(parseStat(Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.UTF_8)
                    .strip()));
        } catch (IOException | IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    /** Ticks of each of {@code pids} that could be read now. */
    static Map<Long, Long> sample(Collection<Long> pids) {
        Map<Long, Long> ticks = new HashMap<>();
        for (long pid : pids) {
            read(pid).ifPresent(t -> ticks.put(pid, t));
        }
        return ticks;
    }

    /**
     * The ticks the processes {@code counted} used between two samples. A process in both
     * counts the difference; one that only {@code after} has started in between and counts all
     * of its ticks (as does one whose ticks went down: its pid was reused by a new process); one
     * that only {@code before} has exited in between and counts nothing (what it used since
     * {@code before} is lost).
     */
    static long used(Map<Long, Long> before, Map<Long, Long> after, Set<Long> counted) {
        long used = 0;
        for (long pid : counted) {
            Long end = after.get(pid);
            if (end == null) {
                continue;
            }
            long start = before.getOrDefault(pid, 0L);
            used += end >= start ? end - start : end;
        }
        return used;
    }

    /** Microseconds of CPU per request: {@code ticks} over {@code requests}; NaN when there were no requests. */
    static double microsPerRequest(long ticks, long ticksPerSecond, long requests) {
        if (requests <= 0 || ticksPerSecond <= 0) {
            return Double.NaN;
        }
        return ticks * 1e6 / ticksPerSecond / requests;
    }

    /** Seconds of CPU in {@code ticks}. */
    static double seconds(long ticks, long ticksPerSecond) {
        return ticks / (double) ticksPerSecond;
    }

    /**
     * Clock ticks per second, as {@code getconf CLK_TCK} prints them; {@link
     * #DEFAULT_TICKS_PER_SECOND} when it cannot be run or prints something else. Asked once.
     */
    static long ticksPerSecond() {
        long hz = ticksPerSecond;
        if (hz > 0) {
            return hz;
        }
        hz = DEFAULT_TICKS_PER_SECOND;
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            getconf.getOutputStream().close();
            String output = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                hz = parseTicksPerSecond(output);
            } else {
                getconf.destroyForcibly();
            }
        } catch (IOException | IllegalArgumentException e) {
            // no getconf, or an answer that is not a rate: Linux's USER_HZ
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticksPerSecond = hz;
        return hz;
    }

    /**
     * {@code getconf CLK_TCK}'s output as a number.
     *
     * @throws IllegalArgumentException when it is not a positive whole number
     */
    static long parseTicksPerSecond(String output) {
        try {
            long hz = Long.parseLong(output.strip());
            if (hz > 0) {
                return hz;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(
                "getconf CLK_TCK: \"" + output.strip() + "\" (expected: a positive whole number of ticks per second)");
    }
}
