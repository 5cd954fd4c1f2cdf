package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FunctionClassTest {

    @Test
    void acceptsAPublicClassWithAPublicNoArgumentConstructor() {
        assertThat(FunctionClass.of(TestFunctions.Hello.class).settings().name())
                .isEqualTo("hello");
    }

    @Test
    void refusesAClassWithoutAPublicNoArgumentConstructor() {
        assertThatThrownBy(() -> FunctionClass.of(NeedsArgument.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(NeedsArgument.class.getName() + ": expected a public no-argument constructor");
        assertThatThrownBy(() -> FunctionClass.of(PrivateConstructor.class))
                .hasMessage(PrivateConstructor.class.getName() + ": expected a public no-argument constructor");
    }

    @FerryFunction(name = "needs-argument")
    public static final class NeedsArgument implements HttpHandler {
        public NeedsArgument(String greeting) {}

        @Override
        public Response handle(Request request) {
            return Response.text(200, "unreachable");
        }
    }

    @FerryFunction(name = "private-constructor")
    public static final class PrivateConstructor implements HttpHandler {
        private PrivateConstructor() {}

        @Override
        public Response handle(Request request) {
            return Response.text(200, "unreachable");
        }
    }
}
