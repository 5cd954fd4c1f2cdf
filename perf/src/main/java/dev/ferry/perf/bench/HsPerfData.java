package dev.ferry.perf.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JVM's performance counters, read from the file it shares them in
 * ({@code <tmpdir>/hsperfdata_<user>/<pid>}, the one {@code jstat} reads): no attach, no JVM
 * started, one read of a 32 KiB file. Only JVMs of this user, sharing this /tmp, are found.
 *
 * <p>The layout is the HotSpot PerfData v2 format: a 32-byte prologue (magic 0xcafec0c0, byte
 * order, version, ..., the first entry's offset and the entry count at bytes 24 and 28), then
 * entries each with its length, name offset, vector length, type, flags, units, variability
 * and data offset.
 */
final class HsPerfData {

    private static final int MAGIC = 0xcafec0c0;
    private static final String OLD = "sun.gc.generation.1.space.0.used";
    private static final String S0 = "sun.gc.generation.0.space.1.used";
    private static final String S1 = "sun.gc.generation.0.space.2.used";
    private static final Set<String> HEAP_AFTER_GC = Set.of(OLD, S0, S1);

    private static final String EDEN = "sun.gc.generation.0.space.0.used";
    private static final String YOUNG_CAPACITY = "sun.gc.generation.0.capacity";
    private static final String OLD_CAPACITY = "sun.gc.generation.1.capacity";
    private static final Set<String> HEAP = Set.of(EDEN, OLD, S0, S1, YOUNG_CAPACITY, OLD_CAPACITY);

    /** A JVM's heap now, in KiB: in use (garbage not yet collected included) and committed. */
    record Heap(long usedKib, long committedKib) {}

    private HsPerfData() {}

    /** The heap {@code pid} uses and has committed now; empty when the JVM shares no counters here. */
    static Optional<Heap> heapKib(long pid) {
        try {
            Map<String, Long> c = longs(Files.readAllBytes(file(pid)), HEAP);
            if (!c.containsKey(OLD) || !c.containsKey(OLD_CAPACITY)) {
                return Optional.empty();
            }
            long used = c.get(OLD) + c.getOrDefault(EDEN, 0L) + c.getOrDefault(S0, 0L) + c.getOrDefault(S1, 0L);
            long committed = c.get(OLD_CAPACITY) + c.getOrDefault(YOUNG_CAPACITY, 0L);
            return Optional.of(new Heap(used / 1024, committed / 1024));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, not ours, or written mid-read: unknown this round
        }
    }

    private static Path file(long pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"))
                .resolve(Long.toString(pid));
    }

    /**
     * The heap {@code pid} kept at its last collection, in KiB: the old generation and the
     * survivor spaces, which change only when a collection runs (eden, the rest, is empty right
     * after one). Humongous objects that G1 allocates straight into the old generation count
     * from their allocation. Empty when the JVM shares no counters here.
     */
    static Optional<Long> heapAfterGcKib(long pid) {
        try {
            Map<String, Long> counters = longs(Files.readAllBytes(file(pid)), HEAP_AFTER_GC);
            if (!counters.containsKey(OLD)) {
                return Optional.empty();
            }
            long bytes = counters.get(OLD) + counters.getOrDefault(S0, 0L) + counters.getOrDefault(S1, 0L);
            return Optional.of(bytes / 1024);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, not ours, or written mid-read: unknown this round
        }
    }

    /** The long counters named in {@code wanted} that {@code data} holds. */
    static Map<String, Long> longs(byte[] data, Set<String> wanted) {
        ByteBuffer b = ByteBuffer.wrap(data);
        if (b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("magic: " + Integer.toHexString(b.getInt(0)) + " (expected: cafec0c0)");
        }
        b.order(data[4] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int offset = b.getInt(24);
        int entries = b.getInt(28);
        Map<String, Long> found = new HashMap<>();
        for (int i = 0; i < entries && offset + 20 <= data.length; i++) {
            int length = b.getInt(offset);
            int nameOffset = b.getInt(offset + 4);
            byte type = b.get(offset + 12);
            int dataOffset = b.getInt(offset + 16);
            if (length <= 0) {
                break;
            }
            int nameStart = offset + nameOffset;
            int nameEnd = nameStart;
            while (nameEnd < data.length && data[nameEnd] != 0) {
                nameEnd++;
            }
            String name = new String(data, nameStart, nameEnd - nameStart, StandardCharsets.US_ASCII);
            if (type == 'J' && wanted.contains(name)) {
                found.put(name, b.getLong(offset + dataOffset));
            }
            offset += length;
        }
        return found;
    }
}
