package dev.ferry.cli;

import dev.ferry.function.runtime.WarmUpServer;
import dev.ferry.gateway.GatewayRole;
import dev.ferry.gateway.GatewayServer;
import java.io.IOException;
import java.time.Duration;

/**
 * A gateway's warm-up at its start ({@link GatewayServer#warmUp}), against the runtime's
 * warm-up call service started in this process for the purpose and stopped after it: the
 * first cold start a user sees then pays for the container alone, not for the gateway's first
 * request too.
 */
final class GatewayWarmUp {

    /** Requests the warm-up makes: enough to load the request path and let the JIT see it. */
    static final int CALLS = 30;

    /** The most the warm-up may take; the gateway serves meanwhile all the same. */
    static final Duration BUDGET = Duration.ofSeconds(3);

    private static final System.Logger logger = System.getLogger(GatewayWarmUp.class.getName());

    private GatewayWarmUp() {}

    /** Warms {@code gateway} up; logs, and goes on, when it cannot. */
    static void run(GatewayRole gateway) {
        try (WarmUpServer target = WarmUpServer.start("127.0.0.1")) {
            GatewayServer.WarmUpResult r = gateway.warmUp(target.address(), target.secret(), CALLS, BUDGET);
            logger.log(
                    r.ok() == r.made() ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    "gateway warm-up: " + r.ok() + " of " + r.made() + " requests answered 200 in "
                            + r.took().toMillis() + " ms");
        } catch (IOException | RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "gateway warm-up skipped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
