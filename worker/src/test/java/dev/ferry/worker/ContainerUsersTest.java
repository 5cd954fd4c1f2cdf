package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerUsersTest {

    @TempDir
    Path dir;

    @Test
    void takesTheWorkerUsersSubordinateRanges() throws Exception {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:100000:65536\nroot:200000:1000\n");
        Path subgid = Files.writeString(dir.resolve("subgid"), "root:300000:500\n");

        ContainerUsers users = ContainerUsers.of("root", subuid, subgid);
        ContainerUser user = users.acquire();

        assertThat(users.toString()).isEqualTo("uids 200000-200499, gids 300000-300499");
        assertThat(user.uid()).isBetween(200_000, 200_499);
        assertThat(user.gid() - 300_000).isEqualTo(user.uid() - 200_000);
    }

    @Test
    void withoutARangeForTheUserTakesTheDefault() throws Exception {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:100000:65536\nroot:nonsense:1\n");

        ContainerUsers users = ContainerUsers.of("root", subuid, dir.resolve("no-subgid"));

        assertThat(users.acquire().uid())
                .isBetween(
                        ContainerUsers.DEFAULT_FIRST, ContainerUsers.DEFAULT_FIRST + ContainerUsers.DEFAULT_COUNT - 1);
    }

    @Test
    void handsOutEachIdOnceUntilGivenBack() {
        ContainerUsers users = new ContainerUsers(1000, 2000, 3);
        Set<Integer> uids = new HashSet<>();
        ContainerUser first = users.acquire();
        uids.add(first.uid());
        uids.add(users.acquire().uid());
        uids.add(users.acquire().uid());

        assertThat(uids).containsExactlyInAnyOrder(1000, 1001, 1002);
        assertThatThrownBy(users::acquire)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("all 3 container user ids from 1000 are taken"
                        + " (expected: fewer containers at once, or a larger range in /etc/subuid)");

        users.release(first);
        assertThat(users.acquire()).isEqualTo(first);
        assertThat(users.taken()).isEqualTo(3);
    }

    @Test
    void refusesTheMachinesRoot() {
        assertThatThrownBy(() -> new ContainerUsers(0, 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: ranges above 0");
        assertThatThrownBy(() -> new ContainerUser(0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("container user 0:5 (expected: ids above 0, not the machine's root)");
    }
}
