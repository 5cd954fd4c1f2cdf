package dev.ferry.worker;

/**
 * The machine's user and group a container's root maps to in its user namespace: ids no
 * account has, unprivileged on the machine, one pair per running container.
 */
record ContainerUser(int uid, int gid) {

    ContainerUser {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException(
                    "container user " + uid + ":" + gid + " (expected: ids above 0, not the machine's root)");
        }
    }

    @Override
    public String toString() {
        return uid + ":" + gid;
    }
}
