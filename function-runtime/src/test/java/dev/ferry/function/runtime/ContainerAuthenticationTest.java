package dev.ferry.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.call.transport.CallOutcome;
import dev.ferry.call.transport.Transport;
import dev.ferry.request.protocol.CallStart;
import dev.ferry.request.protocol.ClientEvent;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.ErrorCode;
import dev.ferry.request.protocol.Frame;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.HttpScope;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real container process, started as a worker starts it, serves only connections that open with
 * the secret in its environment: a raw client on its TCP port, or a caller without the secret on its
 * local socket, is refused before anything reaches the function.
 */
class ContainerAuthenticationTest {

    private static final ContainerSecret SECRET = ContainerSecret.generate();

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    /** A container process of {@link TestFunctions.Hello}; {@code secret} null leaves it out of the environment. */
    private Process start(int port, String token, String secret) throws IOException {
        Path jar = TestJars.jar(dir.resolve("app.jar"), "t", TestFunctions.Hello.class);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                TestJars.runtimeClasspath(TestFunctions.Hello.class),
                ContainerArgs.MAIN_CLASS));
        command.addAll(new ContainerArgs(
                        "ct-test", FunctionId.of("t", "hello"), TestFunctions.Hello.class.getName(), jar, port)
                .toArgs());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put(ContainerArgs.READY_TOKEN_ENV, token);
        if (secret != null) {
            builder.environment().put(ContainerArgs.SECRET_ENV, secret);
            builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process = builder.start();
        closeables.add(() -> {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        });
        return process;
    }

    @Test
    void refusesARawClientOnItsPortAndACallerWithoutTheSecretOnItsLocalSocket() throws Exception {
        int port = freePort();
        String token = UUID.randomUUID().toString().replace("-", "");
        Process process = start(port, token, SECRET.encoded());
        awaitReadyLine(process, ContainerArgs.readyLine(token));

        // A raw client on the TCP port: its call comes first, without the secret.
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) ContainerCalls.WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            Frame.newBuilder().setCall(1).setClient(helloStart()).build().writeDelimitedTo(out);
            out.flush();

            InputStream in = socket.getInputStream();
            Frame refusal = Frame.parseDelimitedFrom(in);
            assertThat(refusal.getCall()).isZero();
            assertThat(refusal.getServer().getError().getCode()).isEqualTo(ErrorCode.CONNECTION_REFUSED);
            assertThat(refusal.getServer().getError().getDetail()).contains("expected: a ConnectionOpen on call 0");
            assertThat(readsNothingMore(in))
                    .as("the container closes the connection")
                    .isTrue();
        }

        // A wrong secret on the TCP port, through a caller as a gateway's.
        try (ContainerCalls.Connection guesser =
                ContainerCalls.Connection.to(new InetSocketAddress("127.0.0.1", port), ContainerSecret.generate())) {
            ContainerCalls call =
                    ContainerCalls.http(guesser, "t--hello", "GET", "/").body("", false);
            assertThat(call.closed.get(ContainerCalls.WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .isEqualTo(CallOutcome.CONNECTION_LOST);
            assertThat(call.events).isEmpty();
        }

        // The local socket, without the secret (NONE sends the call's frames and nothing before them).
        assertThat(Transport.LOCAL_SOCKETS)
                .as("containers listen on local sockets wherever epoll is: " + Transport.describe())
                .isTrue();
        java.net.SocketAddress local =
                Transport.localSocket(ContainerArgs.localSocketName(token)).orElseThrow();
        try (ContainerCalls.Connection bare = ContainerCalls.Connection.to(local, ContainerSecret.NONE)) {
            ContainerCalls call =
                    ContainerCalls.http(bare, "t--hello", "GET", "/").body("", false);
            assertThat(call.closed.get(ContainerCalls.WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .isEqualTo(CallOutcome.CONNECTION_LOST);
            assertThat(call.events).isEmpty();
        }

        // With the secret, on either: served.
        for (java.net.SocketAddress address : List.of(new InetSocketAddress("127.0.0.1", port), local)) {
            try (ContainerCalls.Connection gateway = ContainerCalls.Connection.to(address, SECRET)) {
                assertThat(ContainerCalls.bodyOf(ContainerCalls.http(gateway, "t--hello", "GET", "/")
                                .body("", false)
                                .awaitEnd()))
                        .as("served on " + Transport.describe(address))
                        .isEqualTo("hello started=true");
            }
        }
    }

    @Test
    void doesNotStartWithoutASecret() throws Exception {
        Process process = start(freePort(), "0123456789abcdef0123456789abcdef", null);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("ferry container: " + ContainerArgs.SECRET_ENV + " is not set");
    }

    private static ClientEvent helloStart() {
        return ClientEvent.newBuilder()
                .setStart(CallStart.newBuilder()
                        .setFunction("t--hello")
                        .setCallId("intruder")
                        .setHttp(HttpScope.newBuilder()
                                .setHttpVersion("1.1")
                                .setMethod("GET")
                                .setScheme("http")
                                .setPath("/")
                                .setRawPath(ByteString.copyFromUtf8("/"))))
                .build();
    }

    /** Whether the peer closed the stream (end of stream or a reset) before {@link ContainerCalls#WAIT}. */
    private static boolean readsNothingMore(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true; // reset by the peer: closed too
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits (at most a minute) for the container's ready line, then drains its output in the background. */
    private static void awaitReadyLine(Process process, String readyLine) throws Exception {
        CompletableFuture.runAsync(() -> {
                    try {
                        BufferedReader out = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                        String line;
                        while ((line = out.readLine()) != null) {
                            if (line.equals(readyLine)) {
                                Thread.ofVirtual().start(() -> {
                                    try {
                                        out.transferTo(java.io.Writer.nullWriter());
                                    } catch (IOException ignored) {
                                        // the container exited
                                    }
                                });
                                return;
                            }
                        }
                        throw new IllegalStateException("container exited before it was ready");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(60, TimeUnit.SECONDS);
    }
}
