package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staging what a container's user cannot reach: real files, real permissions, as root. */
class UserNamespacesTest {

    /** Closed to others, as /root is. */
    @TempDir
    Path closed;

    private Path parent;
    private UserNamespaces namespaces;

    @BeforeEach
    void open() throws IOException {
        parent = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-userns-unit-");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        namespaces = UserNamespaces.create(parent, new ContainerUsers(1_900_000_000, 1_900_000_000, 16));
    }

    @AfterEach
    void close() throws IOException {
        namespaces.close();
        OciBundle.delete(parent);
    }

    @Test
    void bindsWhatOthersReachFromWhereItIs() throws Exception {
        Path reachable = Files.writeString(parent.resolve("lib.jar"), "jar");
        Files.setPosixFilePermissions(reachable, PosixFilePermissions.fromString("rw-r--r--"));

        UserNamespace namespace = namespaces.open("ct-1", List.of(reachable, Path.of("/usr/lib")), null);

        assertThat(namespace.source(reachable)).isEqualTo(reachable);
        assertThat(namespace.source(Path.of("/usr/lib"))).isEqualTo(Path.of("/usr/lib"));
    }

    @Test
    void stagesWhatOthersCannotReachKeepingItsTimes() throws Exception {
        Path readable = Files.writeString(closed.resolve("runtime.jar"), "runtime");
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
        Path private_ = Files.writeString(closed.resolve("cache.aot"), "cache");
        Files.setPosixFilePermissions(private_, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(private_, FileTime.fromMillis(1_000_000_000_000L));
        Path classes = Files.createDirectories(closed.resolve("classes/dev/ferry"));
        Files.writeString(classes.resolve("A.class"), "class");

        UserNamespace namespace = namespaces.open("ct-1", List.of(readable, private_, closed.resolve("classes")), null);

        Path link = namespace.source(readable);
        assertThat(link).startsWith(namespaces.root().resolve("shared")).hasContent("runtime");
        assertThat(Files.isSameFile(link, readable)).as("a hard link").isTrue();
        Path copy = namespace.source(private_);
        assertThat(Files.isSameFile(copy, private_)).as("a copy").isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
                .isEqualTo("rw-r--r--");
        assertThat(Files.getLastModifiedTime(copy)).isEqualTo(Files.getLastModifiedTime(private_));
        assertThat(namespace.source(closed.resolve("classes")).resolve("dev/ferry/A.class"))
                .hasContent("class");
        for (Path source : List.of(link, copy)) {
            assertThat(UserNamespaces.reachableByOthers(source))
                    .as(source.toString())
                    .isTrue();
        }
    }

    @Test
    void stagesAFileAgainWhenItChanges() throws Exception {
        Path cache = Files.writeString(closed.resolve("cache.aot"), "first");
        UserNamespace first = namespaces.open("ct-1", List.of(cache), null);

        Path replacement = Files.writeString(closed.resolve("cache.new"), "second, longer");
        Files.move(replacement, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        UserNamespace second = namespaces.open("ct-2", List.of(cache), null);

        assertThat(second.source(cache)).hasContent("second, longer");
        assertThat(first.source(cache)).isEqualTo(second.source(cache));
    }

    @Test
    void theJarIsTheContainersOwnCopy() throws Exception {
        Path jar = Files.writeString(closed.resolve("app.jar"), "function");
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-------"));

        UserNamespace namespace = namespaces.open("ct-1", List.of(), jar);

        Path copy = namespace.source(jar);
        assertThat(copy).isEqualTo(namespace.dir().resolve("app.jar")).hasContent("function");
        assertThat(Files.getAttribute(copy, "unix:uid"))
                .isEqualTo(namespace.user().uid());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
                .isEqualTo("r--------");
        assertThat(Files.getAttribute(namespace.dir(), "unix:uid"))
                .isEqualTo(namespace.user().uid());
        assertThat(Files.getAttribute(namespace.dir(), "unix:gid"))
                .isEqualTo(namespace.user().gid());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(namespace.dir())))
                .isEqualTo("rwx------");

        namespaces.release(namespace);
        assertThat(namespace.dir()).doesNotExist();
        assertThat(namespaces.users().taken()).isZero();
    }

    @Test
    void aFailedOpenKeepsNothing() {
        assertThatThrownBy(() -> namespaces.open("ct-1", List.of(), closed.resolve("missing.jar")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);

        assertThat(namespaces.root().resolve("c/ct-1")).doesNotExist();
        assertThat(namespaces.users().taken()).isZero();
    }

    @Test
    void aLiveWorkersDirectoryStays() throws Exception {
        try (UserNamespaces other = UserNamespaces.create(parent, new ContainerUsers(1000, 1000, 1))) {
            assertThat(namespaces.root()).exists();
            assertThat(other.root()).exists();
        }
    }

    @Test
    void refusesAParentOthersCannotReach() throws IOException {
        assertThatThrownBy(() -> UserNamespaces.create(closed, new ContainerUsers(1000, 1000, 1)))
                .isInstanceOf(IOException.class)
                .hasMessage(closed.toRealPath()
                        + " is not reachable by other users (expected: a directory such as /var/tmp)");
    }
}
