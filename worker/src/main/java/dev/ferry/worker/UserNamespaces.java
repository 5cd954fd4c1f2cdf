package dev.ferry.worker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * User namespaces for the containers of a worker that runs as root under bwrap or runc: each
 * container's root is an unprivileged user of the machine ({@link ContainerUsers}, one per
 * container), so what it reaches on the machine is what any stranger reaches, and two containers
 * are strangers to each other.
 *
 * <p>A user that is not root cannot reach what the JVM reads from the worker's home (the runtime's
 * class path in {@code ~/.m2}, the jars and the AOT cache in {@code ~/.ferry}, all behind
 * {@code /root}'s 0700), and in a user namespace both bwrap and runc make their bind mounts as
 * that user. So this keeps a directory the user can reach ({@code ferry-containers-*} under
 * {@code /var/tmp}, 0711, nothing listable) with:
 *
 * <ul>
 *   <li>{@code shared/}: what every container reads and nobody outside can reach where it is,
 *       at its own path below: a hard link where the file is readable by others and on the same
 *       file system, else a copy (same time stamps, readable by all). Kept for the worker's
 *       life, made again when the file changes. The sandbox binds it at the original path, so
 *       class paths and the AOT cache's recorded paths hold.</li>
 *   <li>{@code c/<id>/}: one container's, owned by its user, 0700: its copy of the function's
 *       jar (jars are kept readable by the worker only), a pool member's app directory, runc's
 *       root file system. Deleted when the container is gone.</li>
 * </ul>
 *
 * A {@code worker.lock} held for the worker's life tells a later worker that a directory whose
 * worker died may go.
 */
final class UserNamespaces implements AutoCloseable {

    private static final System.Logger logger = System.getLogger(UserNamespaces.class.getName());

    static final String PREFIX = "ferry-containers-";

    private final ContainerUsers users;
    private final Path root;
    private final Path shared;
    private final Path own;
    private final FileChannel lockFile;
    private final FileLock lock;
    /** Staged shared paths by their real path: what the sandbox binds, and what the original was then. */
    private final Map<Path, Staged> staged = new HashMap<>();

    private record Staged(Path source, Object fileKey, long size, FileTime modified) {
        boolean matches(BasicFileAttributes now) {
            return Objects.equals(fileKey, now.fileKey())
                    && size == now.size()
                    && modified.equals(now.lastModifiedTime());
        }
    }

    private UserNamespaces(ContainerUsers users, Path root, FileChannel lockFile, FileLock lock) throws IOException {
        this.users = users;
        this.root = root;
        this.shared = Files.createDirectory(root.resolve("shared"), traversable());
        this.own = Files.createDirectory(root.resolve("c"), traversable());
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * A new directory for a worker's containers under {@code parent} (which anyone must be able
     * to reach), after removing those of workers that died there.
     *
     * @throws IOException when it cannot be made, or {@code parent} is closed to others
     */
    static UserNamespaces create(Path parent, ContainerUsers users) throws IOException {
        Path real = parent.toRealPath();
        if (!reachableByOthers(real)) {
            throw new IOException(real + " is not reachable by other users (expected: a directory such as /var/tmp)");
        }
        removeLeftovers(real);
        Path root = Files.createTempDirectory(real, PREFIX, traversable());
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        FileChannel channel =
                FileChannel.open(root.resolve("worker.lock"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return new UserNamespaces(users, root, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            OciBundle.delete(root);
            throw e;
        }
    }

    /** The directory of this worker's containers. */
    Path root() {
        return root;
    }

    /** The ids containers get. */
    ContainerUsers users() {
        return users;
    }

    /**
     * A user namespace for container {@code id}: a user of its own, its directory, and where
     * each of {@code shared} (the runtime, which every container reads) and {@code jar} (the
     * function's, or null for a pool member) is bound from.
     *
     * @throws IOException when a file cannot be staged or the directory made; nothing is kept then
     */
    UserNamespace open(String id, List<Path> shared, Path jar) throws IOException {
        ContainerUser user = users.acquire();
        Path dir = own.resolve(id);
        try {
            Files.createDirectory(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setAttribute(dir, "unix:uid", user.uid());
            Files.setAttribute(dir, "unix:gid", user.gid());
            Map<Path, Path> sources = new HashMap<>();
            for (Path path : shared) {
                Path absolute = path.toAbsolutePath().normalize();
                if (Files.exists(absolute)) {
                    Path source = stage(absolute);
                    if (!source.equals(absolute)) {
                        sources.put(absolute, source);
                    }
                }
            }
            if (jar != null) {
                Path absolute = jar.toAbsolutePath().normalize();
                Path copy = dir.resolve(absolute.getFileName().toString());
                Files.copy(absolute, copy, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r--------"));
                Files.setAttribute(copy, "unix:uid", user.uid());
                sources.put(absolute, copy);
            }
            return new UserNamespace(id, user, dir, sources);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dir);
            users.release(user);
            throw e;
        }
    }

    /**
     * A directory in the container's own, readable (not writable) by it: a pool member's app
     * directory, where the worker puts the jar of the function it is assigned.
     */
    static Path newDirectory(UserNamespace namespace, String name) throws IOException {
        return Files.createDirectory(namespace.dir().resolve(name));
    }

    /** Deletes the container's directory and gives its user back; the container has exited. */
    void release(UserNamespace namespace) {
        deleteQuietly(namespace.dir());
        users.release(namespace.user());
    }

    /** Deletes the whole directory; every container has exited. */
    @Override
    public void close() {
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            logger.log(System.Logger.Level.DEBUG, "releasing " + root + "/worker.lock", e);
        }
        deleteQuietly(root);
    }

    /** {@code path} itself when others can reach it, else its copy under shared/, made now if not yet or stale. */
    private synchronized Path stage(Path path) throws IOException {
        Path real = path.toRealPath();
        BasicFileAttributes now = Files.readAttributes(real, BasicFileAttributes.class);
        Staged known = staged.get(real);
        if (known != null && known.matches(now)) {
            return known.source();
        }
        Path source = real;
        if (!reachableByOthers(real)) {
            source = shared.resolve(real.toString().substring(1));
            OciBundle.delete(source);
            Files.createDirectories(source.getParent());
            if (now.isDirectory()) {
                copyTree(real, source);
            } else {
                linkOrCopy(real, source);
            }
        }
        staged.put(real, new Staged(source, now.fileKey(), now.size(), now.lastModifiedTime()));
        return source;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    linkOrCopy(file, to.resolve(from.relativize(file).toString()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A hard link when others may read the file (the link shares its mode), else a copy they may read. */
    private static void linkOrCopy(Path from, Path to) throws IOException {
        if ((mode(from) & 0004) != 0) {
            try {
                Files.createLink(to, from);
                return;
            } catch (IOException | UnsupportedOperationException e) {
                // another file system: a copy
            }
        }
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        Files.setAttribute(to, "unix:mode", mode(to) | 0444);
    }

    /** Whether a user that neither owns nor shares a group with it can read {@code real} (a real path), directories on the way included. */
    static boolean reachableByOthers(Path real) throws IOException {
        int mode = mode(real);
        int needed = Files.isDirectory(real) ? 0005 : 0004;
        if ((mode & needed) != needed) {
            return false;
        }
        for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
            if ((mode(dir) & 0001) == 0) {
                return false;
            }
        }
        return true;
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode");
    }

    private static java.nio.file.attribute.FileAttribute<?> traversable() {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x"));
    }

    /** Deletes the directories of workers that died under {@code parent}: those whose lock is free. */
    private static void removeLeftovers(Path parent) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !ownedByUs(dir)) {
                    continue;
                }
                Path lockPath = dir.resolve("worker.lock");
                try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.WRITE)) {
                    FileLock held = channel.tryLock();
                    if (held == null) {
                        continue;
                    }
                    held.release();
                } catch (OverlappingFileLockException e) {
                    continue; // a worker of this JVM holds it
                } catch (IOException e) {
                    continue; // no lock file yet: a worker making it now
                }
                logger.log(System.Logger.Level.INFO, "removing " + dir + ", left by a worker that died");
                deleteQuietly(dir);
            }
        } catch (IOException e) {
            logger.log(System.Logger.Level.DEBUG, "looking for leftovers under " + parent, e);
        }
    }

    private static boolean ownedByUs(Path dir) throws IOException {
        Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return owner.equals(self);
    }

    private static void deleteQuietly(Path dir) {
        try {
            OciBundle.delete(dir);
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "cannot remove " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "user namespaces (" + users + ", " + root + ")";
    }
}
