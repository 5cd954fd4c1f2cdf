package dev.ferry.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The range of machine ids a worker's containers run as, and which of them are taken: each
 * running container (or pool member) gets a uid and gid of its own, so that no two share an
 * owner on the machine.
 *
 * <p>The range is the worker user's subordinate ids ({@code /etc/subuid} and
 * {@code /etc/subgid}, as {@code useradd} and rootless container engines keep them) where both
 * files give one, else {@value #DEFAULT_FIRST} to {@value #DEFAULT_FIRST} + {@value
 * #DEFAULT_COUNT} - 1: above the ranges systemd hands to containers (524288-1879048191) and to
 * regular and dynamic users, where systemd leaves ids unused. Workers on one machine start at
 * random places in the range, so they rarely hand out the same id; when they do, two
 * containers share an owner, which their own directories (0700) and namespaces still keep apart.
 */
final class ContainerUsers {

    static final int DEFAULT_FIRST = 0x7000_0000;
    static final int DEFAULT_COUNT = 65_536;

    private final int firstUid;
    private final int firstGid;
    private final int count;
    private final BitSet taken;
    private int next;

    ContainerUsers(int firstUid, int firstGid, int count) {
        if (firstUid <= 0 || firstGid <= 0 || count <= 0) {
            throw new IllegalArgumentException("container ids " + firstUid + "/" + firstGid + " x " + count
                    + " (expected: ranges above 0, of at least one id)");
        }
        this.firstUid = firstUid;
        this.firstGid = firstGid;
        this.count = count;
        this.taken = new BitSet(count);
        this.next = ThreadLocalRandom.current().nextInt(count);
    }

    /** The range of {@code user} in {@code subuid} and {@code subgid}, the shorter of the two; else the default. */
    static ContainerUsers of(String user, Path subuid, Path subgid) {
        Optional<long[]> uids = range(subuid, user);
        Optional<long[]> gids = range(subgid, user);
        if (uids.isPresent() && gids.isPresent()) {
            int count = (int) Math.min(Math.min(uids.get()[1], gids.get()[1]), Integer.MAX_VALUE);
            return new ContainerUsers((int) uids.get()[0], (int) gids.get()[0], count);
        }
        return new ContainerUsers(DEFAULT_FIRST, DEFAULT_FIRST, DEFAULT_COUNT);
    }

    /** The range of the machine's files for the worker's user. */
    static ContainerUsers system() {
        return of(System.getProperty("user.name", "root"), Path.of("/etc/subuid"), Path.of("/etc/subgid"));
    }

    /** The first {@code user:first:count} line of {@code file} usable here (first above 0, within 32-bit ids). */
    private static Optional<long[]> range(Path file, String user) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] fields = line.strip().split(":");
                if (fields.length != 3 || !fields[0].equals(user)) {
                    continue;
                }
                try {
                    long first = Long.parseLong(fields[1]);
                    long count = Long.parseLong(fields[2]);
                    if (first > 0 && count > 0 && first + count <= 0xFFFF_FFFEL && first <= Integer.MAX_VALUE) {
                        return Optional.of(new long[] {first, count});
                    }
                } catch (NumberFormatException e) {
                    // not a range: the next line
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            System.getLogger(ContainerUsers.class.getName())
                    .log(System.Logger.Level.WARNING, "cannot read " + file + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * A user no running container of this worker has.
     *
     * @throws IllegalStateException when all of the range are taken
     */
    synchronized ContainerUser acquire() {
        int free = taken.nextClearBit(next);
        if (free >= count) {
            free = taken.nextClearBit(0);
        }
        if (free >= count) {
            throw new IllegalStateException("all " + count + " container user ids from " + firstUid
                    + " are taken (expected: fewer containers at once, or a larger range in /etc/subuid)");
        }
        taken.set(free);
        next = (free + 1) % count;
        return new ContainerUser(firstUid + free, firstGid + free);
    }

    /** Gives {@code user} back, for a later container. */
    synchronized void release(ContainerUser user) {
        int offset = user.uid() - firstUid;
        if (offset >= 0 && offset < count && user.gid() - firstGid == offset) {
            taken.clear(offset);
        }
    }

    /** How many are taken now. */
    synchronized int taken() {
        return taken.cardinality();
    }

    @Override
    public String toString() {
        return "uids " + firstUid + "-" + (firstUid + count - 1L) + ", gids " + firstGid + "-"
                + (firstGid + count - 1L);
    }
}
