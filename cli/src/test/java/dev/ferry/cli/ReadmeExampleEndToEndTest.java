package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.call.transport.CallServer;
import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.logging.FerryLogging;
import dev.ferry.request.protocol.FunctionSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The README's function example, built from the README's own text the way a user builds it:
 * its {@code pom.xml} and Java blocks become a fresh Maven project, which the project's Maven
 * wrapper packages against this build's function runtime; the jar is deployed with
 * {@code ferry deploy} to a real stack and called at the URL the README gives, expecting the
 * answer the README promises.
 *
 * <p>The nested Maven must find {@code ferry-function-runtime} without anything being
 * installed into the shared {@code ~/.m2}: it gets a local repository of its own holding this
 * build's runtime, the modules it needs (request-protocol, logging) and parent, as {@code mvn install} would lay them out,
 * with {@code ~/.m2/repository} as a read-only tail for everything else (Maven 3.9's
 * {@code maven.repo.local.tail}); what neither has, it downloads as any build does. Anything
 * missing fails the test: it never skips.
 */
@ExtendWith(FerryStackExtension.class)
class ReadmeExampleEndToEndTest {

    /** Longest the nested build may take: it took about 30 s on a busy 2-core machine. */
    private static final long BUILD_MINUTES = 4;

    private static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern DEPLOY = Pattern.compile("ferry deploy \\S*?(target/[\\w.-]+\\.jar)");
    private static final Pattern CALL = Pattern.compile("curl \"(http://[^\"]+)\"[ \\t]+# (.+)");

    private Path work;

    @BeforeEach
    void recordTheDevServer(FerryStack stack) throws Exception {
        new DevState(
                        "http://127.0.0.1:" + stack.dev.adminPort(),
                        ProcessHandle.current().pid())
                .write(stack.home);
        work = Files.createTempDirectory("ferry-readme-example");
    }

    @AfterEach
    void deleteTheProject() throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Timeout(value = BUILD_MINUTES + 1, unit = TimeUnit.MINUTES)
    void theReadmesFunctionExampleBuildsDeploysAndAnswersAsTheReadmeSays(FerryStack stack) throws Exception {
        Path root = projectRoot();
        String readme = Files.readString(root.resolve("README.md"));
        String pom = onlyBlock(readme, "xml", "<project");
        String java = onlyBlock(readme, "java", "@FerryFunction");

        // The coordinates a user copies are the ones this project builds.
        Element dependency = runtimeDependency(parse(pom));
        Document runtimePom = parse(Files.readString(root.resolve("function-runtime/pom.xml")));
        Document parentPom = parse(Files.readString(root.resolve("pom.xml")));
        assertThat(List.of(text(dependency, "groupId"), text(dependency, "artifactId"), text(dependency, "version")))
                .as("the README's runtime dependency")
                .containsExactly(
                        text(parentPom.getDocumentElement(), "groupId"),
                        text(runtimePom.getDocumentElement(), "artifactId"),
                        text(parentPom.getDocumentElement(), "version"));
        assertThat(text(dependency, "scope")).isEqualTo("provided");

        Path project = work.resolve("my-app");
        Files.createDirectories(project);
        Files.writeString(project.resolve("pom.xml"), pom);
        Path source = project.resolve("src/main/java")
                .resolve(javaPackage(java).replace('.', '/'))
                .resolve(javaClass(java) + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, java);

        Path repository = work.resolve("repository");
        String version = text(parentPom.getDocumentElement(), "version");
        install(repository, "ferry-parent", version, root.resolve("pom.xml"), null);
        install(
                repository,
                "ferry-request-protocol",
                version,
                root.resolve("request-protocol/pom.xml"),
                jarOf(FunctionSettings.class, work.resolve("request-protocol.jar")));
        install(
                repository,
                "ferry-call-transport",
                version,
                root.resolve("call-transport/pom.xml"),
                jarOf(CallServer.class, work.resolve("call-transport.jar")));
        install(
                repository,
                "ferry-logging",
                version,
                root.resolve("logging/pom.xml"),
                jarOf(FerryLogging.class, work.resolve("logging.jar")));
        install(
                repository,
                "ferry-function-runtime",
                version,
                root.resolve("function-runtime/pom.xml"),
                jarOf(FerryFunction.class, work.resolve("function-runtime.jar")));

        build(root, project, repository);

        Matcher deploy = DEPLOY.matcher(readme);
        assertThat(deploy.find())
                .as("a `ferry deploy .../target/NAME.jar` line in the README")
                .isTrue();
        Path jar = project.resolve(deploy.group(1));
        assertThat(jar).as("the jar the README deploys").isRegularFile();
        CliTest.Run run = CliTest.ferry("deploy", jar.toString(), "--home", stack.home.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        Matcher call = CALL.matcher(readme);
        assertThat(call.find(deploy.end()))
                .as("a `curl \"URL\"    # ANSWER` line after the deploy in the README")
                .isTrue();
        URI url = new URI(call.group(1));
        assertThat(url.getHost()).endsWith(".localhost");
        String functionId = url.getHost().substring(0, url.getHost().length() - ".localhost".length());
        HttpResponse<String> answer =
                stack.get(functionId, url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(call.group(2).strip() + "\n");
    }

    /** The directory of the root pom (ferry-parent), from the module directory the tests run in. */
    private static Path projectRoot() throws Exception {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom)
                    && Files.isRegularFile(dir.resolve("README.md"))
                    && text(parse(Files.readString(pom)).getDocumentElement(), "artifactId")
                            .equals("ferry-parent")) {
                return dir;
            }
        }
        throw new AssertionError(
                "no ferry-parent pom.xml with a README.md above " + Path.of("").toAbsolutePath());
    }

    /** The one fenced block of {@code language} that contains {@code marker}. */
    private static String onlyBlock(String markdown, String language, String marker) {
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            if (m.group(1).equals(language) && m.group(2).contains(marker)) {
                blocks.add(m.group(2));
            }
        }
        assertThat(blocks)
                .as("```" + language + " blocks in README.md containing " + marker)
                .hasSize(1);
        return blocks.getFirst();
    }

    private static Element runtimeDependency(Document pom) {
        NodeList dependencies = pom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element d = (Element) dependencies.item(i);
            if (text(d, "artifactId").contains("function-runtime")) {
                return d;
            }
        }
        throw new AssertionError("the README's pom has no dependency on the function runtime");
    }

    private static Document parse(String xml) throws Exception {
        try (InputStream in = new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))) {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    /** The text of {@code parent}'s own child {@code name}, not a grandchild's (a module's parent coordinates are in {@code <parent>}). */
    private static String text(Element parent, String name) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().strip();
            }
        }
        throw new AssertionError("<" + parent.getTagName() + "> has no <" + name + ">");
    }

    private static String javaPackage(String java) {
        Matcher m = Pattern.compile("(?m)^package ([\\w.]+);").matcher(java);
        assertThat(m.find())
                .as("a package declaration in the README's Java block")
                .isTrue();
        return m.group(1);
    }

    private static String javaClass(String java) {
        Matcher m = Pattern.compile("public (?:final )?class (\\w+)").matcher(java);
        assertThat(m.find()).as("a public class in the README's Java block").isTrue();
        return m.group(1);
    }

    /**
     * The jar {@code type} was loaded from: the module's jar in a reactor build, else its
     * classes directory packed into {@code into}.
     */
    private static Path jarOf(Class<?> type, Path into) throws URISyntaxException, IOException {
        Path location =
                Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(location)) {
            return location;
        }
        try (OutputStream file = Files.newOutputStream(into);
                JarOutputStream jar = new JarOutputStream(file);
                Stream<Path> files = Files.walk(location)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(location.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
        return into;
    }

    /** Lays out one dev.ferry artifact in {@code repository} as {@code mvn install} would. */
    private static void install(Path repository, String artifactId, String version, Path pom, Path jar)
            throws IOException {
        Path dir = repository.resolve("dev/ferry").resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"));
        }
    }

    /** {@code mvn package} of {@code project} with the project's wrapper, failing with Maven's output. */
    private static void build(Path root, Path project, Path repository) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                root.resolve("mvnw").toString(),
                "-B",
                "-q",
                "package",
                "-f",
                project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + repository));
        Path shared = Path.of(System.getProperty("user.home"), ".m2", "repository");
        if (Files.isDirectory(shared)) {
            command.add("-Dmaven.repo.local.tail=" + shared);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(project.resolveSibling("maven.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (Runtime.version().feature() >= 24) { // Maven's Guice uses sun.misc.Unsafe; quiet its warning
            builder.environment().merge("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow", (a, b) -> a + " " + b);
        }
        Process maven = builder.start();
        try {
            if (!maven.waitFor(BUILD_MINUTES, TimeUnit.MINUTES)) {
                throw new AssertionError("mvn package of the README's example still running after " + BUILD_MINUTES
                        + " min; its output:\n" + Files.readString(project.resolveSibling("maven.log")));
            }
            assertThat(maven.exitValue())
                    .as(
                            "mvn package of the README's example exit status; its output:\n%s",
                            Files.readString(project.resolveSibling("maven.log")))
                    .isZero();
        } finally {
            maven.descendants().forEach(ProcessHandle::destroyForcibly);
            maven.destroyForcibly();
        }
    }
}
