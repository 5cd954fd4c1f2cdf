package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.routing.AppDeployment;
import dev.ferry.worker.ContainerLogSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry dev}: the whole platform in this process, with the example app deployed. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Start gateway, controller and one worker locally and deploy the example app.")
final class DevCommand implements Callable<Integer> {

    private static volatile boolean running;

    @Option(names = "--http-port", defaultValue = "8080", description = "Gateway HTTP port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--https-port", defaultValue = "8443", description = "Gateway HTTPS port (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--tls-cert", description = "PEM certificate chain for HTTPS (default: certificates for localhost and every function host from a local authority made on first run).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "Unencrypted PKCS#8 PEM key of --tls-cert. Both files are reloaded when they change.")
    Path tlsKey;

    @Option(names = "--admin-port", defaultValue = "0",
            description = "Admin API port; 0 picks a free one, which deploy and ls find through the home directory (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--domain", defaultValue = "localhost",
            description = "Functions are served at <app>--<function>.<domain> (default: ${DEFAULT-VALUE}).")
    String domain;

    @Option(names = "--home", description = "Ferry's directory (default: $FERRY_HOME, else ~/.ferry).")
    Path home;

    @Option(names = "--examples", description = "The example app's jar (default: examples/target/examples.jar under $FERRY_ROOT).")
    Path examples;

    @Option(names = "--no-examples", description = "Do not deploy the example app.")
    boolean noExamples;

    @Option(names = "--queue-timeout", defaultValue = "60s",
            description = "How long a request waits for a container before a 503 (default: ${DEFAULT-VALUE}).")
    String queueTimeout;

    @Option(names = "--head-timeout", defaultValue = "30s",
            description = "How long an HTTP/1.x request head may take from its first byte before a 408 (default: ${DEFAULT-VALUE}).")
    String headTimeout;

    @Option(names = "--idle-timeout", defaultValue = "75s",
            description = "How long a keep-alive HTTP/1.x connection may wait for its next request (default: ${DEFAULT-VALUE}).")
    String idleTimeout;

    @Option(names = "--max-request-line", defaultValue = "8192",
            description = "Longest request line in bytes; longer gets a 414 (default: ${DEFAULT-VALUE}).")
    int maxRequestLine;

    @Option(names = "--max-header-size", defaultValue = "16384",
            description = "Largest request head in bytes; larger gets a 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderSize;

    @Option(names = "--max-streams", defaultValue = "256",
            description = "Concurrent streams per HTTP/2 or HTTP/3 connection (default: ${DEFAULT-VALUE}).")
    int maxStreams;

    static boolean running() {
        return running;
    }

    @Override
    public Integer call() throws Exception {
        Path ferryHome = Home.resolve(home);
        if ((tlsCert == null) != (tlsKey == null)) {
            System.err.println("ferry dev: --tls-cert and --tls-key go together (expected: both or neither)");
            return 2;
        }
        LocalCertificates.Pem tls = tlsCert == null ? null : new LocalCertificates.Pem(tlsCert, tlsKey);
        DevStack.Options options = new DevStack.Options(host, httpPort, httpsPort, tls, adminPort, domain, ferryHome,
                FunctionSettings.parseDuration("--queue-timeout", queueTimeout),
                new DevStack.EdgeLimits(FunctionSettings.parseDuration("--head-timeout", headTimeout),
                        FunctionSettings.parseDuration("--idle-timeout", idleTimeout), maxRequestLine, maxHeaderSize, maxStreams),
                System.getProperty("java.class.path"),
                Clock.systemUTC(), ContainerLogSink.console());
        DevStack stack = DevStack.start(options);
        long pid = ProcessHandle.current().pid();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ferry-dev-stop").unstarted(() -> {
            System.out.println("\nferry: stopping");
            stack.close();
            DevState.clear(ferryHome, pid);
            stopped.countDown();
        }));
        new DevState("http://" + host + ":" + stack.adminPort(), pid).write(ferryHome);
        running = true;
        System.out.println("ferry dev: gateway on http://" + host + ":" + stack.httpPort() + " and https://" + host + ":"
                + stack.httpsPort() + ", admin API on http://" + host + ":" + stack.adminPort());
        stack.localCertificates().ifPresent(local -> System.out.println(local.trustInstructions(stack.httpsPort())));
        if (!noExamples) {
            Path jar = examples != null ? examples : defaultExamples();
            AppDeployment app = stack.deploy(jar, Optional.empty());
            printApp(stack.view(app));
        }
        System.out.println("Deploy your own: ./ferry deploy PATH.jar    List: ./ferry ls    Stop: Ctrl-C");
        stopped.await();
        return 0;
    }

    static void printApp(JsonNode app) {
        System.out.println("app " + app.path("name").asText() + " " + app.path("version").asText() + ":");
        for (JsonNode f : app.path("functions")) {
            System.out.printf("  %-12s %s%n", f.path("name").asText(), f.path("url").asText());
        }
    }

    private static Path defaultExamples() {
        String root = System.getenv("FERRY_ROOT");
        Path jar = Path.of(root == null ? "." : root, "examples", "target", "examples.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("example app not found at " + jar
                    + " (expected: built by ./ferry; or pass --examples PATH or --no-examples)");
        }
        return jar;
    }
}
