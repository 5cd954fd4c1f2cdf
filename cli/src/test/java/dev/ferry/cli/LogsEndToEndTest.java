package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.controller.LogsApp;
import dev.ferry.function.runtime.TestJars;
import dev.ferry.routing.ContainerInfo;
import dev.ferry.routing.ContainerState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code ferry logs} against a real stack: a function's container prints, its worker ships the
 * lines, the admin API serves them tagged with container and worker, and follows new ones.
 */
@ExtendWith(FerryStackExtension.class)
class LogsEndToEndTest {

    @BeforeAll
    static void deployTheLogsApp(FerryStack stack) throws Exception {
        stack.dev.deploy(
                TestJars.jar(stack.home.resolve("build/logsapp.jar"), LogsApp.NAME, LogsApp.class), Optional.empty());
    }

    @Test
    void theAdminApiServesWhatAContainerPrintedTaggedWithContainerAndWorker(FerryStack stack) throws Exception {
        assertThat(stack.get("logsapp--say", "/?tagged-1").statusCode()).isEqualTo(200);
        ContainerInfo container =
                stack.containers("logsapp--say", ContainerState.READY).getFirst();

        FerryStack.await(
                "the lines in the logs",
                () -> logs(stack, "logsapp?function=say").contains("| err tagged-1"));

        List<String> lines = logs(stack, "logsapp?function=say")
                .lines()
                .filter(l -> l.contains("tagged-1"))
                .toList();
        String tags = " say " + container.id() + " worker-dev ";
        assertThat(lines).hasSize(2);
        assertThat(lines)
                .allMatch(
                        l -> l.matches(
                                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z say ct-\\w{8} worker-dev std(out|err) \\| (out|err) tagged-1"));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).contains(tags + "stdout | out tagged-1"))
                .anySatisfy(l -> assertThat(l).contains(tags + "stderr | err tagged-1"));
        assertThat(logs(stack, "logsapp?function=quiet")).isEmpty();
        assertThat(logs(stack, "logsapp?tail=1").lines().toList()).hasSize(1);
    }

    @Test
    void ferryLogsPrintsTheLinesAndNamesAnAppThatIsNotDeployed(FerryStack stack) throws Exception {
        assertThat(stack.get("logsapp--say", "/?printed-2").statusCode()).isEqualTo(200);
        FerryStack.await("the lines in the logs", () -> logs(stack, "logsapp").contains("| err printed-2"));

        CliTest.Run run = CliTest.ferry(
                "logs", "logsapp", "say", "--tail", "2", "--controller", admin(stack), "--home", stack.home.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().toList())
                .hasSize(2)
                .anySatisfy(l -> assertThat(l).endsWith("stdout | out printed-2"))
                .anySatisfy(l -> assertThat(l).endsWith("stderr | err printed-2"));
        CliTest.Run missing =
                CliTest.ferry("logs", "nope", "--controller", admin(stack), "--home", stack.home.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err())
                .contains("ferry logs: cannot read logs: app nope is not deployed")
                .doesNotContain("\tat ");
        CliTest.Run badTail = CliTest.ferry(
                "logs", "logsapp", "--tail", "-1", "--controller", admin(stack), "--home", stack.home.toString());
        assertThat(badTail.err()).contains("tail: \"-1\" (expected: a whole number from 0 to 10000)");
    }

    @Test
    @Timeout(60)
    void ferryLogsFollowPrintsALineWrittenAfterItStartedAndEndsOnInterrupt(FerryStack stack) throws Exception {
        assertThat(stack.get("logsapp--say", "/?before-3").statusCode()).isEqualTo(200);
        FerryStack.await(
                "the first lines in the logs",
                () -> logs(stack, "logsapp").contains("| err before-3")
                        && logs(stack, "logsapp").contains("| out before-3"));
        StringWriter printed = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        CommandLine command = new CommandLine(new LogsCommand())
                .setOut(new PrintWriter(printed, true))
                .setErr(new PrintWriter(printed, true));
        Thread following = Thread.ofPlatform()
                .name("ferry-logs-test")
                .start(() -> exit.set(command.execute(
                        "logsapp",
                        "say",
                        "-f",
                        "--tail",
                        "1",
                        "--controller",
                        admin(stack),
                        "--home",
                        stack.home.toString())));
        try {
            // The tail is printed once the follow is set up: any line written after that comes too.
            FerryStack.await("the tail", () -> printed.toString().contains("before-3"));

            assertThat(stack.get("logsapp--say", "/?after-3").statusCode()).isEqualTo(200);

            FerryStack.await(
                    "the new lines",
                    () -> printed.toString().contains("stdout | out after-3")
                            && printed.toString().contains("stderr | err after-3"));
        } finally {
            following.interrupt();
            following.join();
        }
        assertThat(exit.get()).as(printed.toString()).isZero();
        assertThat(printed.toString().lines().toList()).hasSize(3).noneMatch(String::isEmpty);
    }

    static String admin(FerryStack stack) {
        return "http://127.0.0.1:" + stack.dev.adminPort();
    }

    /** The body of {@code GET /v1/logs/<pathAndQuery>}, failing unless it is 200. */
    static String logs(FerryStack stack, String pathAndQuery) {
        try {
            HttpResponse<String> response = stack.client.send(
                    HttpRequest.newBuilder(URI.create(admin(stack) + "/v1/logs/" + pathAndQuery))
                            .header(
                                    "Authorization",
                                    "Bearer " + stack.dev.adminToken().orElseThrow())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
            return response.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
