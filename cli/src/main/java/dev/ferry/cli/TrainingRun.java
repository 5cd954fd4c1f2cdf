package dev.ferry.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run of the client commands' ahead-of-time cache: the {@code ferry} launcher runs
 * it once per build with {@code -XX:AOTCacheOutput}, and {@code ferry ls}, {@code deploy},
 * {@code logs}, {@code scale} and {@code route} then start from the cache with the classes it
 * loaded already parsed and linked (JDK 25, JEP 483 and 515).
 *
 * <p>It runs those commands through {@link Main#execute}, as {@code ferry} does,
 * against a stand-in for the admin API on a loopback port that answers each path the way the
 * controller does (the shapes, not the values), so that the cache holds what a real run loads:
 * the HTTP client's reading of a fixed-length and of a chunked answer, the JSON tree, the table.
 * It runs no role: the JVM loads every class of the cache at start, so classes that no client
 * command needs would slow each of them down.
 */
public final class TrainingRun {

    private static final String APPS = """
            {"apps":[{"name":"examples","version":"v1","functions":[{"name":"hello","id":"examples--hello",\
            "url":"http://examples--hello.localhost:8080/","maxInputs":256,"timeoutSeconds":300.0,\
            "resources":{"cpu":0.125,"memoryMib":128,"gpu":[],"workerLabels":[]},\
            "scaling":{"settings":{"minContainers":1,"maxContainers":4,"bufferContainers":0,"targetInputs":256,\
            "maxInputs":256,"scaledownWindowSeconds":60,"overridden":true},"desired":1,"starting":0,"ready":1,\
            "stopping":0,"inFlight":0,"queued":0,"decision":{"reason":"steady at 1","panic":false,\
            "at":"2026-01-01T00:00:00Z"}},"containers":[{"id":"ct-1","state":"READY","worker":"worker-dev",\
            "gpus":[0],"version":"v1","reason":"training"}]}]}],"routes":{},"workers":[{"id":"worker-dev",\
            "host":"127.0.0.1","cpus":2,"memoryMib":1024,"containers":1,"heartbeat":"2026-01-01T00:00:00Z",\
            "gpus":[{"index":0,"model":"none"}],"labels":{"zone":"a"}}]}""";

    private static final String APP = """
            {"name":"training","version":"v1","functions":[{"name":"hello","url":"http://training--hello.localhost:8080/"}]}""";

    private static final String LOG_LINES = """
            2026-01-01T00:00:00.000Z hello ct-1 worker-dev stdout | a line
            2026-01-01T00:00:00.001Z hello ct-1 worker-dev stderr | another
            """;

    private TrainingRun() {}

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("ferry-training");
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().name("ferry-training-admin-api").start(() -> serve(server));
            new DevState(
                            "http://127.0.0.1:" + server.getLocalPort(),
                            ProcessHandle.current().pid())
                    .write(home);
            Path jar = Files.writeString(home.resolve("training.jar"), "not a jar: the stand-in does not look");
            String h = home.toString();
            List<List<String>> runs = List.of(
                    List.of("ls", "--home", h),
                    List.of("ls", "--json", "--home", h),
                    List.of("deploy", jar.toString(), "--home", h),
                    List.of("logs", "training", "--tail", "2", "--home", h),
                    List.of("scale", "training", "hello", "--home", h),
                    List.of("scale", "training", "hello", "--min", "1", "--home", h),
                    List.of("route", "ls", "--home", h),
                    List.of("ls", "--controller", "http://127.0.0.1:" + server.getLocalPort() + "/missing"));
            for (List<String> run : runs) {
                int code = Main.execute(run.toArray(String[]::new));
                System.out.println("training: ferry " + String.join(" ", run) + " -> " + code
                        + (Serving.serving() ? "" : ", exits")); // Main.main asks that after a command
            }
        } finally {
            try (var files = Files.list(home)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(home);
        }
    }

    /** Answers each connection once, then closes it, as a client command expects. */
    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                answer(socket);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    e.printStackTrace(new PrintStream(System.err, true, StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void answer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        BufferedReader head = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
        String[] request = head.readLine().split(" ");
        long length = 0;
        for (String line; (line = head.readLine()) != null && !line.isEmpty(); ) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        head.skip(length); // the body: only its end matters here
        String method = request[0];
        String path = request[1];
        OutputStream out = socket.getOutputStream();
        if (path.startsWith("/v1/logs/")) {
            // As the controller streams logs: chunked, a line at a time; the connection closes after.
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (String line : LOG_LINES.lines().toList()) {
                byte[] chunk = (line + "\n").getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else if (path.startsWith("/v1/apps")) {
            respond(out, 200, "application/json", method.equals("POST") ? APP : APPS);
        } else if (path.startsWith("/v1/scale/")) {
            respond(out, 200, "text/plain; charset=utf-8", "training--hello v1: min 1\n");
        } else if (path.equals("/v1/routes")) {
            respond(out, 200, "application/json", "{\"api.example.com\":\"training--hello\"}");
        } else {
            respond(out, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
        }
        out.flush();
    }

    /** A fixed-length answer, as the controller's HttpServer sends it (no "Connection: close"). */
    private static void respond(OutputStream out, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: " + type
                        + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
    }
}
