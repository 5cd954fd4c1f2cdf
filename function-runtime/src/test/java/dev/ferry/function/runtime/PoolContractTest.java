package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.request.protocol.FunctionId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pool member's command line and assignment line: what they accept, and what they say about what they refuse. */
class PoolContractTest {

    @Test
    void poolArgsTakeDefaultsAndRefuseWhatIsWrong() {
        assertThat(PoolArgs.parse(List.of("--member-id", "pm-1", "--port", "4000")))
                .isEqualTo(new PoolArgs("pm-1", 4000, "127.0.0.1", PoolArgs.DEFAULT_WARM_UP_CALLS));
        assertThatThrownBy(() -> PoolArgs.parse(List.of("--port", "4000"))).hasMessage("--member-id: missing");
        assertThatThrownBy(() -> PoolArgs.parse(List.of("--member-id", "pm-1", "--port", "x")))
                .hasMessage("--port: x (expected: a number)");
        assertThatThrownBy(() -> PoolArgs.parse(List.of("--member-id", "pm-1", "--port", "0")))
                .hasMessage("--port: 0 (expected: 1-65535)");
        assertThatThrownBy(() -> PoolArgs.parse(List.of("--member-id", "pm-1", "--port", "1", "--warm-up-calls", "-1")))
                .hasMessage("--warm-up-calls: -1 (expected: >= 0)");
        assertThatThrownBy(() -> PoolArgs.parse(List.of("--member-id", "pm-1", "--port", "1", "--jar", "a")))
                .hasMessage("unknown options: [--jar]");
        assertThatThrownBy(() -> PoolArgs.parse(List.of("--member-id"))).hasMessage("--member-id: missing value");
    }

    @Test
    void assignmentRoundTripsAnyValue() {
        Assignment a = new Assignment(
                "ct-abcdefgh",
                FunctionId.parse("shop--cart"),
                "com.example.Cart",
                Path.of("/pool/pm-1/shop 1.jar"),
                Map.of("A", "x\ty\nz\r%0A%", "B", ""));

        assertThat(a.toLine()).doesNotContain("\n").doesNotContain("\r");
        assertThat(Assignment.parse(a.toLine())).isEqualTo(a);
    }

    @Test
    void assignmentRefusesWhatIsWrongByName() {
        String ok = "container-id=ct-abcdefgh\tfunction=shop--cart\tclass=C\tjar=/a.jar";
        assertThat(Assignment.parse(ok).environment()).isEmpty();
        assertThatThrownBy(() -> Assignment.parse("function=shop--cart\tclass=C\tjar=/a.jar"))
                .hasMessage("assignment: container-id missing");
        assertThatThrownBy(() -> Assignment.parse(ok + "\tcolour=red"))
                .hasMessage("assignment field \"colour\" (expected: container-id, function, class, jar or env.NAME)");
        assertThatThrownBy(() -> Assignment.parse(ok + "\tenv.1X=a"))
                .hasMessageContaining("assignment field \"env.1X\"");
        assertThatThrownBy(() -> Assignment.parse(ok + "\tjunk"))
                .hasMessage("assignment field \"junk\" (expected: key=value)");
        assertThatThrownBy(() -> Assignment.parse(ok + "\tenv.A=%41"))
                .hasMessage("assignment value: escape \"%41\" (expected: %25, %09, %0A or %0D)");
        assertThatThrownBy(() -> Assignment.parse("container-id=ct-abcdefgh\tfunction=nodashes\tclass=C\tjar=/a.jar"))
                .hasMessageContaining("nodashes");
    }

    @Test
    void javaEnvironmentAddsWhatSystemGetenvSees() {
        // This test JVM runs with java.lang opened (see the module's surefire configuration).
        JavaEnvironment.add(Map.of("FERRY_POOL_TEST_VARIABLE", "seen"));

        assertThat(System.getenv("FERRY_POOL_TEST_VARIABLE")).isEqualTo("seen");
        assertThat(System.getenv()).containsEntry("FERRY_POOL_TEST_VARIABLE", "seen");
        assertThat(new ProcessBuilder().environment()).containsEntry("FERRY_POOL_TEST_VARIABLE", "seen");
    }
}
