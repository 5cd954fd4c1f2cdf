package dev.ferry.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Default ids of role processes: readable, and unique per machine and process. */
final class NodeIds {

    private NodeIds() {}

    static String of(String role) {
        return role + "-" + hostname() + "-" + ProcessHandle.current().pid();
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost()
                    .getHostName()
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9-]", "-");
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
