package dev.ferry.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Sets up logging for a Ferry process: every record, whether from {@link System.Logger},
 * {@code java.util.logging} or a library on them (Netty, gRPC, Lettuce through slf4j-jdk14),
 * becomes one line on standard error, {@code TIME LEVEL ROLE MESSAGE} (see
 * {@link OneLineFormatter}), at the levels of {@code -Dferry.log.level} or else
 * {@code $FERRY_LOG_LEVEL} (default {@code INFO}; see {@link LogLevels} for the form).
 *
 * <p>Call once, first thing in a process's main (before any logger is used, so that its
 * {@link FerryLogManager} is in place); a later call replaces what the earlier one set.
 * Thread-safe.
 */
public final class FerryLogging {

    private static final String MANAGER_PROPERTY = "java.util.logging.manager";

    /** Packages whose lines name a role of their own in a process that runs several roles, first match wins. */
    private static final List<Map.Entry<String, String>> ROLES_BY_PACKAGE = List.of(
            Map.entry("dev.ferry.gateway", "gateway"),
            Map.entry("dev.ferry.controller", "controller"),
            Map.entry("dev.ferry.autoscaler", "controller"),
            Map.entry("dev.ferry.scheduler", "controller"),
            Map.entry("dev.ferry.worker", "worker"),
            Map.entry("dev.ferry.routing", "store"),
            Map.entry("io.lettuce", "store"),
            Map.entry("dev.ferry.function.runtime", "container"));

    /**
     * The loggers whose levels were set. JUL holds loggers weakly, and a collected logger
     * comes back without its level: these references keep them.
     */
    private static final List<Logger> LEVELLED = new ArrayList<>();

    private FerryLogging() {}

    /**
     * Logs every line as coming from {@code role}, the process's role: {@code gateway},
     * {@code controller}, {@code worker} or {@code container}.
     *
     * @throws IllegalArgumentException when {@code role} is not a word, or the level setting
     *     is not levels (naming it and its value); logging is then left as it was
     */
    public static void install(String role) {
        checkRole(role);
        install(logger -> role);
    }

    /**
     * For a process that runs several roles ({@code ferry dev}): each line names the role of
     * the package that logged it ({@code dev.ferry.gateway} → {@code gateway};
     * {@code controller}, {@code autoscaler} and {@code scheduler} → {@code controller};
     * {@code worker} → {@code worker}; {@code routing} and Lettuce → {@code store}), and
     * {@code fallbackRole} the rest.
     *
     * @throws IllegalArgumentException as {@link #install(String)}
     */
    public static void installByPackage(String fallbackRole) {
        checkRole(fallbackRole);
        install(logger -> roleOf(logger, fallbackRole));
    }

    /** The role of the first of {@link #ROLES_BY_PACKAGE} that holds {@code logger}, else {@code fallback}. */
    static String roleOf(String logger, String fallback) {
        for (Map.Entry<String, String> role : ROLES_BY_PACKAGE) {
            String pkg = role.getKey();
            if (logger.startsWith(pkg) && (logger.length() == pkg.length() || logger.charAt(pkg.length()) == '.')) {
                return role.getValue();
            }
        }
        return fallback;
    }

    private static synchronized void install(UnaryOperator<String> roleOfLogger) {
        // Read the levels first: a bad setting fails before anything changes.
        LogLevels levels = LogLevels.configured(System::getProperty, System::getenv);
        // Takes effect only if nothing has used JUL yet; otherwise (in a test JVM) lines logged
        // during shutdown may be lost, nothing more.
        if (System.getProperty(MANAGER_PROPERTY) == null) {
            System.setProperty(MANAGER_PROPERTY, FerryLogManager.class.getName());
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler); // JUL's default ConsoleHandler, or an earlier install's
        }
        root.addHandler(new StandardErrorHandler(new OneLineFormatter(roleOfLogger)));
        LEVELLED.forEach(logger -> logger.setLevel(null));
        LEVELLED.clear();
        levels.byLogger().forEach((name, level) -> {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(level);
            LEVELLED.add(logger);
        });
    }

    private static void checkRole(String role) {
        if (role.isEmpty() || role.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("role: \"" + role + "\" (expected: a word, such as gateway)");
        }
    }
}
