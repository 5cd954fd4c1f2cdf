package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.function.runtime.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry token} and the credentials the commands send, against a running stack: the
 * dev stack saved its admin token in its home, so the commands work with nothing more.
 */
@ExtendWith(FerryStackExtension.class)
class TokenCommandTest {

    @TempDir
    Path elsewhere;

    private String adminUrl;

    @BeforeEach
    void recordTheDevServer(FerryStack stack) throws Exception {
        adminUrl = "http://127.0.0.1:" + stack.dev.adminPort();
        new DevState(adminUrl, ProcessHandle.current().pid()).write(stack.home);
    }

    @Test
    void devSavedItsAdminTokenForItsUrlReadableByItsOwnerOnly(FerryStack stack) throws Exception {
        Path file = Credentials.file(stack.home);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Credentials.read(stack.home).token(adminUrl))
                .contains(stack.dev.adminToken().orElseThrow());
        assertThat(Credentials.read(stack.home).toString())
                .doesNotContain(stack.dev.adminToken().orElseThrow());
    }

    @Test
    void aMalformedCredentialsFileIsNamedWithItsLineButNotItsText() throws Exception {
        Files.writeString(Credentials.file(elsewhere), "# mine\nferry_lonetoken_withouturl\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Credentials.read(elsewhere))
                .hasMessage(Credentials.file(elsewhere) + ", line 2: not \"<admin URL> <token>\"");
    }

    @Test
    void tokensAreMadeListedAndRevokedAndScopesDecideWhatACommandMayDo(FerryStack stack) throws Exception {
        CliTest.Run create =
                CliTest.ferry("token", "create", "--name", "reader", "--scope", "read", "--home", home(stack));
        assertThat(create.exitCode()).as(create.err()).isZero();
        String token = create.out().strip();
        assertThat(token).startsWith("ferry_");
        assertThat(create.err())
                .startsWith("made token ")
                .contains("(reader, read)")
                .doesNotContain(token);

        CliTest.Run ls = CliTest.ferry("token", "ls", "--home", home(stack));
        assertThat(ls.exitCode()).as(ls.err()).isZero();
        assertThat(ls.out()).contains("reader", "read", "bootstrap-").doesNotContain(token.substring(19));

        // Another machine: only the read token, kept for the same URL.
        new DevState(adminUrl, ProcessHandle.current().pid()).write(elsewhere);
        Credentials.save(elsewhere, adminUrl, token);
        CliTest.Run list = CliTest.ferry("ls", "--home", elsewhere.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        Path jar = TestJars.jar(elsewhere.resolve("build/sneaky.jar"), "ignored", TestApp.class);
        CliTest.Run deploy =
                CliTest.ferry("deploy", jar.toString(), "--name", "sneaky", "--home", elsewhere.toString());
        assertThat(deploy.exitCode()).isEqualTo(1);
        assertThat(deploy.err()).contains("lacks scope deploy (needed for POST /v1/apps)");
        assertThat(stack.dev.store().app("sneaky")).isEmpty();
        CliTest.Run tokens = CliTest.ferry("token", "ls", "--home", elsewhere.toString());
        assertThat(tokens.exitCode()).isEqualTo(1);
        assertThat(tokens.err()).contains("lacks scope admin");

        String id = token.substring(6, 18);
        CliTest.Run revoke = CliTest.ferry("token", "revoke", id, "--home", home(stack));
        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.out()).isEqualTo("revoked token " + id + " (reader, [read])\n");
        CliTest.Run refused = CliTest.ferry("ls", "--home", elsewhere.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("unknown or revoked token");
    }

    @Test
    void withoutATokenTheCommandSaysWhereOneComesFrom(FerryStack stack) throws Exception {
        new DevState(adminUrl, ProcessHandle.current().pid()).write(elsewhere);
        CliTest.Run ls = CliTest.ferry("ls", "--home", elsewhere.toString());
        assertThat(ls.exitCode()).isEqualTo(1);
        assertThat(ls.err()).contains("no token: send Authorization: Bearer <token>", "FERRY_TOKEN");

        CliTest.Run bad = CliTest.ferry("token", "create", "--name", "x", "--scope", "root", "--home", home(stack));
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("scope: \"root\" (expected: read, deploy, admin or call)");
    }

    @Test
    void aCallTokenReachesAFunctionThatRequiresOne(FerryStack stack) throws Exception {
        Path jar = TestJars.jar(stack.home.resolve("build/private.jar"), "ignored", PrivateApp.class);
        assertThat(CliTest.ferry("deploy", jar.toString(), "--name", "private", "--home", home(stack))
                        .exitCode())
                .isZero();
        CliTest.Run create = CliTest.ferry(
                "token", "create", "--name", "web", "--scope", "call", "--app", "private", "--home", home(stack));
        assertThat(create.exitCode()).as(create.err()).isZero();
        String token = create.out().strip();

        assertThat(stack.get("private--who", "/").statusCode()).isEqualTo(401);
        var answer = stack.client.send(
                stack.request("private--who", "/")
                        .header("Authorization", "Bearer " + token)
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("web");
    }

    private static String home(FerryStack stack) {
        return stack.home.toString();
    }
}
