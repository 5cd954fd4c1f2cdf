package dev.ferry.perf.bench;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The function the deploy row deploys ({@link ProbeJar}): {@code GET /} answers 200 with the
 * version token written into its own jar, so the bench can tell the first answer of a new
 * version from the old one's, which {@code hello} cannot. Runs in a container, never in the
 * bench: the bench only copies this class's bytes into the jar it deploys.
 */
@FerryFunction(name = ProbeJar.FUNCTION, maxInputs = 64)
public final class VersionProbe implements HttpHandler {

    private final String token;

    /** Reads the token from the jar this class was loaded from. */
    public VersionProbe() {
        try (InputStream in = VersionProbe.class.getResourceAsStream("/" + ProbeJar.TOKEN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        ProbeJar.TOKEN_RESOURCE + ": not in the app's jar (expected: written by ProbeJar)");
            }
            token = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + ProbeJar.TOKEN_RESOURCE, e);
        }
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, token);
    }
}
