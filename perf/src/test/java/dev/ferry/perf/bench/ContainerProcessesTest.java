package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against real processes and sockets: this JVM, shells and a JVM that listens. */
class ContainerProcessesTest {

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(p);
        return p;
    }

    @Test
    void findsTheProcessesThatListenOnAnyOfSomePorts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int free = Processes.freeLoopbackPort();
            List<ProcessHandle> candidates = List.of(ProcessHandle.current());

            assertThat(ContainerProcesses.listeningOnAny(candidates, Set.of(free, server.getLocalPort())))
                    .containsExactly(ProcessHandle.current().pid());
            assertThat(ContainerProcesses.listeningOnAny(candidates, Set.of(free)))
                    .isEmpty();
            assertThat(ContainerProcesses.listeningOnAny(candidates, Set.of())).isEmpty();
        }
    }

    @Test
    void findsTheProcessThatListensOnAPort() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<ProcessHandle> candidates = List.of(ProcessHandle.current());

            assertThat(ContainerProcesses.listeningOn(candidates, server.getLocalPort()))
                    .contains(ProcessHandle.current().pid());
        }
        int free = Processes.freeLoopbackPort();
        assertThat(ContainerProcesses.listeningOn(List.of(ProcessHandle.current()), free))
                .isEmpty();
    }

    @Test
    void anIdlePoolMemberIsAContainerJvmWithPoolThatListensOnNoContainerPort() throws Exception {
        // Shells whose command lines read like a container JVM's: $0 and $1 after the script.
        Process member = start(
                List.of("/bin/sh", "-c", "read line", ContainerProcesses.CONTAINER_MAIN, ContainerProcesses.POOL_FLAG));
        Process container = start(List.of("/bin/sh", "-c", "read line", ContainerProcesses.CONTAINER_MAIN, "--port"));
        // A pool member that was assigned: it listens on a container's port.
        Process assigned = start(Processes.javaCommand(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Listener.class.getName(),
                ContainerProcesses.CONTAINER_MAIN,
                ContainerProcesses.POOL_FLAG)));
        int port;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(assigned.getInputStream(), StandardCharsets.UTF_8))) {
            port = Integer.parseInt(out.readLine().strip());
            List<ProcessHandle> candidates =
                    List.of(ProcessHandle.current(), member.toHandle(), container.toHandle(), assigned.toHandle());

            assertThat(ContainerProcesses.idlePoolMembers(candidates, Set.of(port)))
                    .containsExactly(member.pid());
            assertThat(ContainerProcesses.listeningOn(candidates, port)).contains(assigned.pid());
        }
    }

    @Test
    void readsResidentAndProportionalSetSizes() {
        ContainerProcesses.Memory own =
                ContainerProcesses.memory(ProcessHandle.current().pid());

        assertThat(own.rssKib()).isPositive();
        assertThat(own.pssKib()).isPositive().isLessThanOrEqualTo(own.rssKib());
        assertThat(own.rssMib()).isEqualTo(own.rssKib() / 1024.0);
    }

    @Test
    void aProcessThatIsGoneHasNoMemory() throws Exception {
        Process gone = start(List.of("/bin/sh", "-c", "exit 0"));
        gone.waitFor(10, TimeUnit.SECONDS);

        ContainerProcesses.Memory memory = ContainerProcesses.memory(gone.pid());

        assertThat(memory.rssKib()).isEqualTo(-1);
        assertThat(memory.rssMib()).isNaN();
    }

    /** Listens on a free loopback port, prints it, and waits for its standard input to end. */
    static final class Listener {
        public static void main(String[] args) throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                System.out.println(server.getLocalPort());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the test ends
                }
            }
        }
    }
}
