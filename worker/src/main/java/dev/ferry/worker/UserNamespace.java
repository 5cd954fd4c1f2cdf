package dev.ferry.worker;

import java.nio.file.Path;
import java.util.Map;

/**
 * How one container runs in a user namespace of its own (see {@link UserNamespaces}): as root
 * inside, which is {@code user} on the machine.
 *
 * @param id the container's (or pool member's) id
 * @param user the machine's ids that root inside maps to
 * @param dir the container's own directory, owned by {@code user} and closed to everyone else:
 *     its copy of the function's jar, a pool member's app directory, runc's root file system
 * @param sources where a readable path is bound from when {@code user} cannot reach it where it
 *     is (keyed by the absolute, normalized path the container sees)
 */
record UserNamespace(String id, ContainerUser user, Path dir, Map<Path, Path> sources) {

    UserNamespace {
        sources = Map.copyOf(sources);
    }

    /** Where the sandbox binds {@code path} from: its staged copy, or itself. */
    Path source(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        return sources.getOrDefault(absolute, absolute);
    }
}
