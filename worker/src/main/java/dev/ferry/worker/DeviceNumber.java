package dev.ferry.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A device node's type ({@code c} or {@code b}) and major and minor numbers, which runc needs
 * to create the node in a container and to allow it in the device cgroup.
 */
record DeviceNumber(String type, long major, long minor) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    /** The numbers of the node at {@code node} (Linux's dev_t encoding). */
    static DeviceNumber of(Path node) throws IOException {
        int mode = (Integer) Files.getAttribute(node, "unix:mode");
        String type = switch (mode & S_IFMT) {
            case S_IFCHR -> "c";
            case S_IFBLK -> "b";
            default -> throw new IOException(node + " is not a device node");
        };
        long rdev = (Long) Files.getAttribute(node, "unix:rdev");
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return new DeviceNumber(type, major, minor);
    }
}
