package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CallErrorsTest {

    @Test
    void mapsEachCodeToItsHttpStatus() {
        assertThat(CallErrors.httpStatus(ErrorCode.APP_NOT_FOUND)).isEqualTo(404);
        assertThat(CallErrors.httpStatus(ErrorCode.FUNCTION_NOT_FOUND)).isEqualTo(404);
        assertThat(CallErrors.httpStatus(ErrorCode.BAD_REQUEST)).isEqualTo(400);
        assertThat(CallErrors.httpStatus(ErrorCode.FUNCTION_FAILED)).isEqualTo(500);
        assertThat(CallErrors.httpStatus(ErrorCode.FUNCTION_TIMEOUT)).isEqualTo(504);
        assertThat(CallErrors.httpStatus(ErrorCode.CONTAINER_LOST)).isEqualTo(502);
        assertThat(CallErrors.httpStatus(ErrorCode.NO_CAPACITY)).isEqualTo(503);
        assertThat(CallErrors.httpStatus(ErrorCode.PROTOCOL_VIOLATION)).isEqualTo(502);
        assertThat(CallErrors.httpStatus(ErrorCode.INTERNAL)).isEqualTo(500);
        assertThat(CallErrors.httpStatus(ErrorCode.URI_TOO_LONG)).isEqualTo(414);
        assertThat(CallErrors.httpStatus(ErrorCode.HEADERS_TOO_LARGE)).isEqualTo(431);
        assertThat(CallErrors.httpStatus(ErrorCode.REQUEST_TIMEOUT)).isEqualTo(408);
    }

    @Test
    void showsSafeDetailsToClients() {
        assertThat(CallErrors.clientMessage(
                        CallErrors.of(ErrorCode.FUNCTION_NOT_FOUND, "function not found: x in app y")))
                .isEqualTo("function not found: x in app y");
    }

    @Test
    void hidesUnsafeDetailsBehindAFixedText() {
        CallError error =
                CallErrors.of(ErrorCode.FUNCTION_FAILED, "java.lang.IllegalStateException: db password=hunter2");

        assertThat(CallErrors.clientMessage(error))
                .isEqualTo("function failed; see the container log")
                .doesNotContain("hunter2");
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
    void everyCodeHasAOneLineClientMessage(ErrorCode code) {
        String message = CallErrors.clientMessage(CallErrors.of(code, "line one\nline two\r\n"));

        assertThat(message).isNotBlank().doesNotContain("\n").doesNotContain("\r");
    }
}
