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
        new DevState(
                        "http://127.0.0.1:" + stack.dev.adminPort(),
                        ProcessHandle.current().pid())
                .write(stack.home);
    }

    static Run ferry(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
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
        assertThat(run.out())
                .contains("app cli-app v1:")
                .contains("http://cli-app--boom.localhost:" + stack.port() + "/");
        assertThat(stack.get("cli-app--boom", "/ok").body()).isEqualTo("still serving");
    }

    @Test
    void lsListsAppsFunctionsUrlsAndContainers(FerryStack stack) throws Exception {
        stack.get("examples--hello", "/");

        Run table = ferry("ls", "--home", stack.home.toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out())
                .contains("APP")
                .contains("examples")
                .contains("hello")
                .contains("http://examples--hello.localhost:" + stack.port() + "/")
                .contains("READY");

        Run json = ferry("ls", "--json", "--home", stack.home.toString());
        JsonNode root = Json.parse(json.out());
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
        assertThat(run.err())
                .contains("no dev server found")
                .contains("./ferry dev")
                .doesNotContain("\tat ");
    }

    @Test
    void aBadDurationIsNamedWithWhatWasExpected(FerryStack stack) {
        Run run = ferry("dev", "--head-timeout", "30", "--home", stack.home.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("--head-timeout: \"30\" (expected: a number and a unit")
                .doesNotContain("\tat ");
    }

    @Test
    void scaleChangesTheSettingsWithoutARedeployLsShowsThemAndTheNextDeployResetsThem(FerryStack stack)
            throws Exception {
        Path jar = TestJars.jar(stack.home.resolve("build/scaled.jar"), "ignored", TestApp.class);
        assertThat(ferry("deploy", jar.toString(), "--name", "scaled", "--home", stack.home.toString())
                        .exitCode())
                .isZero();

        Run scale = ferry(
                "scale", "scaled", "boom", "--max", "2", "--scaledown-window", "10s", "--home", stack.home.toString());
        assertThat(scale.exitCode()).as(scale.err()).isZero();
        assertThat(scale.out())
                .startsWith("scaled--boom v1: min 0, max 2, buffer 0, target")
                .contains("scaledown window 10 s (changed by ferry scale; the next deploy resets it)");
        Run more = ferry("scale", "scaled", "boom", "--buffer", "1", "--home", stack.home.toString());
        assertThat(more.out()).as("changes add up").contains("max 2, buffer 1").contains("scaledown window 10 s");

        Run table = ferry("ls", "--home", stack.home.toString());
        assertThat(table.out())
                .contains("DESIRED")
                .contains("IN-FLIGHT")
                .contains("QUEUED")
                .contains("scale: min 0, max 2, buffer 1");
        JsonNode scaling = function(ferry("ls", "--json", "--home", stack.home.toString()), "scaled", "boom")
                .path("scaling");
        assertThat(scaling.path("settings").path("maxContainers").asInt()).isEqualTo(2);
        assertThat(scaling.path("settings").path("scaledownWindowSeconds").asInt())
                .isEqualTo(10);
        assertThat(scaling.path("settings").path("overridden").asBoolean()).isTrue();

        assertThat(ferry("deploy", jar.toString(), "--name", "scaled", "--home", stack.home.toString())
                        .exitCode())
                .isZero();
        Run reset = ferry("scale", "scaled", "boom", "--home", stack.home.toString());
        assertThat(reset.out())
                .startsWith("scaled--boom v2: min 0, max")
                .doesNotContain("max 2,")
                .doesNotContain("ferry scale");
    }

    @Test
    void lsShowsTheAutoscalersDecisionAndTheContainersReady(FerryStack stack) throws Exception {
        stack.get("examples--echo", "/");
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode scaling;
        do {
            scaling = function(ferry("ls", "--json", "--home", stack.home.toString()), "examples", "echo")
                    .path("scaling");
        } while (!scaling.has("decision") && System.nanoTime() < deadline);

        assertThat(scaling.path("decision").path("reason").asText())
                .as(scaling.toString())
                .isNotEmpty();
        assertThat(scaling.path("desired").asInt()).isEqualTo(1);
        assertThat(scaling.path("ready").asInt() + scaling.path("starting").asInt())
                .isEqualTo(1);
        assertThat(ferry("ls", "--home", stack.home.toString()).out()).contains("autoscaler: ");
    }

    @Test
    void scaleRefusesWhatCannotBeDoneNamingTheValue(FerryStack stack) {
        String home = stack.home.toString();
        Run target = ferry("scale", "examples", "slow", "--target-inputs", "9", "--home", home);
        assertThat(target.exitCode()).isEqualTo(1);
        assertThat(target.err()).contains("targetInputs: 9 (expected: 1..4)").doesNotContain("\tat ");
        assertThat(ferry("scale", "examples", "slow", "--min", "3", "--max", "2", "--home", home)
                        .err())
                .contains("maxContainers: 2 (expected: 0 for no limit, or >= minContainers 3)");
        assertThat(ferry("scale", "examples", "nope", "--max", "1", "--home", home)
                        .err())
                .contains("function: nope is not a function of examples");
        assertThat(ferry("scale", "examples", "slow", "--min", "-1", "--home", home)
                        .err())
                .contains("minContainers: -1 (expected: >= 0)");
        assertThat(ferry("scale", "examples", "slow", "--scaledown-window", "10", "--home", home)
                        .err())
                .contains("--scaledown-window: \"10\" (expected: a number and a unit");
        assertThat(ferry("scale", "examples", "slow", "--home", home).out())
                .as("nothing changed")
                .doesNotContain("ferry scale");
    }

    /** Function {@code name} of app {@code app} in {@code ferry ls --json}'s output. */
    private static JsonNode function(Run ls, String app, String name) throws Exception {
        for (JsonNode a : Json.parse(ls.out()).path("apps")) {
            if (a.path("name").asText().equals(app)) {
                for (JsonNode f : a.path("functions")) {
                    if (f.path("name").asText().equals(name)) {
                        return f;
                    }
                }
            }
        }
        throw new AssertionError(app + "--" + name + " not in " + ls);
    }
}
