package dev.ferry.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where a container (or pool member) is called from its machine, by network: on the host's
 * network, the abstract Unix domain socket named after its ready token; under
 * {@link ContainerNetwork#NONE}, whose namespace no abstract name or TCP port leaves, the
 * socket file {@code call.sock} in a directory of its own that the worker makes and the sandbox
 * binds writable. A socket file belongs to the file system, not to a network namespace.
 *
 * @param network {@link ContainerNetwork#HOST} or {@link ContainerNetwork#NONE}
 * @param name what the container's record publishes: an abstract name, or the file's path
 * @param dir the socket file's directory; null on the host's network
 */
record CallSocket(ContainerNetwork network, String name, Path dir) {

    /** The file's name in its directory. */
    static final String FILE_NAME = "call.sock";

    /** The longest path a Unix domain socket takes: {@code sun_path} is 108 bytes, one the final NUL. */
    static final int MAX_PATH = 107;

    /** The runtime's {@code ContainerArgs.CALL_SOCKET_ENV}. */
    static final String CALL_SOCKET_ENV = "FERRY_CALL_SOCKET";

    /** The abstract socket of a container on the host's network with ready token {@code token}. */
    static CallSocket host(String token) {
        return new CallSocket(ContainerNetwork.HOST, ContainerCommand.localSocketName(token), null);
    }

    /**
     * A new socket directory under {@code root} for the container with ready token {@code token},
     * readable by the worker's user only, or owned by {@code user} when the container runs as one
     * (null otherwise): named after the token's hash, as the abstract name is.
     *
     * @throws IOException if the directory cannot be made, or the socket's path would be too long
     */
    static CallSocket none(Path root, String token, ContainerUser user) throws IOException {
        String hash = ContainerCommand.localSocketName(token).substring("ferry/".length(), "ferry/".length() + 16);
        Path dir = root.resolve(hash);
        Path file = dir.resolve(FILE_NAME);
        if (file.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw new IOException("socket path " + file + " is longer than " + MAX_PATH
                    + " bytes (expected: a shorter temporary directory)");
        }
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (user != null) {
            Files.setAttribute(dir, "unix:uid", user.uid());
            Files.setAttribute(dir, "unix:gid", user.gid());
        }
        return new CallSocket(ContainerNetwork.NONE, file.toString(), dir);
    }

    /** What the container's environment needs for it: the socket file's path, under network none. */
    Map<String, String> environment() {
        return dir == null ? Map.of() : Map.of(CALL_SOCKET_ENV, name);
    }

    /**
     * The address the container's TCP server binds: {@code containerHost} on the host's network;
     * under network none the loopback address of its own namespace, which has no other (only its
     * own warm-up calls use that port).
     */
    String bindHost(String containerHost) {
        return dir == null ? containerHost : "127.0.0.1";
    }

    /** Removes the socket's directory, if it has one; what the container left there goes with it. */
    void delete() {
        if (dir != null) {
            try {
                OciBundle.delete(dir);
            } catch (IOException e) {
                System.getLogger(CallSocket.class.getName()).log(System.Logger.Level.DEBUG, "removing " + dir, e);
            }
        }
    }
}
