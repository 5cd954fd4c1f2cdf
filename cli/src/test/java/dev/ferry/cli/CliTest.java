package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.function.runtime.TestJars;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ferry deploy} and {@code ferry ls} against a running stack, as a user runs them. */
@ExtendWith(FerryStackExtension.class)
class CliTest {

    record Run(int exitCode, String out, String err) {}

    @BeforeEach
    void recordTheDevServer(FerryStack stack) throws Exception {
        new DevState("http://127.0.0.1:" + stack.dev.adminPort(), ProcessHandle.current().pid()).write(stack.home);
    }

    static Run ferry(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void deployPrintsTheUrlsAndTheAppAnswersThere(FerryStack stack) throws Exception {
        Path jar = TestJars.jar(stack.home.resolve("build/cli.jar"), "ignored", TestApp.class);

        Run run = ferry("deploy", jar.toString(), "--name", "cli-app", "--home", stack.home.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("app cli-app v1:")
                .contains("http://cli-app--boom.localhost:" + stack.port() + "/");
        assertThat(stack.get("cli-app--boom", "/ok").body()).isEqualTo("still serving");
    }

    @Test
    void lsListsAppsFunctionsUrlsAndContainers(FerryStack stack) throws Exception {
        stack.get("examples--hello", "/");

        Run table = ferry("ls", "--home", stack.home.toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("APP").contains("examples").contains("hello")
                .contains("http://examples--hello.localhost:" + stack.port() + "/").contains("READY");

        Run json = ferry("ls", "--json", "--home", stack.home.toString());
        JsonNode root = StackView.JSON.readTree(json.out());
        JsonNode examples = null;
        for (JsonNode app : root.path("apps")) {
            if (app.path("name").asText().equals("examples")) {
                examples = app;
            }
        }
        assertThat(examples).isNotNull();
        JsonNode hello = null;
        for (JsonNode f : examples.path("functions")) {
            if (f.path("name").asText().equals("hello")) {
                hello = f;
            }
        }
        assertThat(hello.path("url").asText()).isEqualTo("http://examples--hello.localhost:" + stack.port() + "/");
        assertThat(hello.path("maxInputs").asInt()).isEqualTo(256);
        assertThat(hello.path("containers").get(0).path("state").asText()).isEqualTo("READY");
    }

    @Test
    void deployingAJarWithoutFunctionsFailsWithTheReason(FerryStack stack) throws Exception {
        Path jar = TestJars.jar(stack.home.resolve("build/empty.jar"), "empty", CliTest.class);

        Run run = ferry("deploy", jar.toString(), "--home", stack.home.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot deploy: empty.jar: no class annotated with @FerryFunction");
    }

    @Test
    void deployingAMissingFileSaysSo(FerryStack stack) {
        Run run = ferry("deploy", stack.home.resolve("nope.jar").toString(), "--home", stack.home.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("nope.jar: no such file");
    }

    @Test
    void commandsWithoutADevServerSayHowToStartOne() throws Exception {
        Path home = Files.createTempDirectory("ferry-empty-home");

        Run run = ferry("ls", "--home", home.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("no dev server found").contains("./ferry dev").doesNotContain("\tat ");
    }

    @Test
    void aBadDurationIsNamedWithWhatWasExpected(FerryStack stack) {
        Run run = ferry("dev", "--head-timeout", "30", "--home", stack.home.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--head-timeout: \"30\" (expected: a number and a unit").doesNotContain("\tat ");
    }
}
