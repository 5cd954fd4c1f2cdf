package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.request.protocol.FunctionId;
import org.junit.jupiter.api.Test;

class HostRouteTest {

    @Test
    void readsAppAndFunctionWithOrWithoutPort() {
        assertThat(HostRoute.parse("examples--hello.localhost:8080", "localhost"))
                .contains(FunctionId.of("examples", "hello"));
        assertThat(HostRoute.parse("Shop--Check-Out.Fn.Example.com", "fn.example.com"))
                .contains(FunctionId.of("shop", "check-out"));
        assertThat(HostRoute.parse("a--b.localhost.", "localhost")).contains(FunctionId.of("a", "b"));
    }

    @Test
    void refusesOtherShapes() {
        assertThat(HostRoute.parse("localhost:8080", "localhost")).isEmpty();
        assertThat(HostRoute.parse("hello.localhost", "localhost")).isEmpty();
        assertThat(HostRoute.parse("a--b.other.test", "localhost")).isEmpty();
        assertThat(HostRoute.parse("x.a--b.localhost", "localhost")).isEmpty();
        assertThat(HostRoute.parse("--b.localhost", "localhost")).isEmpty();
        assertThat(HostRoute.parse("a--.localhost", "localhost")).isEmpty();
        assertThat(HostRoute.parse("[::1]:8080", "localhost")).isEmpty();
        assertThat(HostRoute.parse("1a--b.localhost", "localhost"))
                .as("no app name starts with a digit")
                .isEmpty();
        assertThat(HostRoute.parse("a_b--c.localhost", "localhost")).isEmpty();
    }
}
