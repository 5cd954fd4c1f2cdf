package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a running dev server can be reached: written to {@code <home>/dev.json} by
 * {@code ferry dev}, read by {@code ferry deploy} and {@code ferry ls}.
 *
 * @param adminUrl the admin API's base URL
 * @param pid the dev server's process id
 */
record DevState(String adminUrl, long pid) {

    static Path file(Path home) {
        return home.resolve("dev.json");
    }

    void write(Path home) throws IOException {
        Files.createDirectories(home);
        Path tmp = Files.createTempFile(home, "dev", ".json");
        Files.write(
                tmp,
                Json.write(Json.object().put("adminUrl", adminUrl).put("pid", pid), false)
                        .getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, file(home), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The state of the dev server that runs now, or an exception that says how to start one. */
    static DevState read(Path home) throws IOException {
        JsonNode node;
        try {
            node = Json.parse(Files.readString(file(home)));
        } catch (NoSuchFileException e) {
            throw new IOException("no dev server found (" + file(home) + " is missing); start one with ./ferry dev");
        }
        DevState state =
                new DevState(node.path("adminUrl").asText(), node.path("pid").asLong());
        if (ProcessHandle.of(state.pid()).map(ProcessHandle::isAlive).orElse(false)) {
            return state;
        }
        throw new IOException("the dev server recorded in " + file(home) + " (pid " + state.pid()
                + ") is not running; start one with ./ferry dev");
    }

    static void clear(Path home, long pid) {
        try {
            DevState current = read(home);
            if (current.pid() == pid) {
                Files.deleteIfExists(file(home));
            }
        } catch (IOException e) {
            // nothing to clear
        }
    }
}
