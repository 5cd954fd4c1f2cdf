package dev.ferry.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.autoscaler.AutoscalerSettings;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import dev.ferry.request.protocol.VersionKey;
import dev.ferry.routing.AccessTokens;
import dev.ferry.routing.AppDeployment;
import dev.ferry.routing.AppJars;
import dev.ferry.routing.ContainerLogs;
import dev.ferry.routing.DeployedFunction;
import dev.ferry.routing.FunctionSecret;
import dev.ferry.routing.Routes;
import dev.ferry.routing.RoutingStore;
import dev.ferry.routing.ScaleOverride;
import dev.ferry.routing.ScaleStatus;
import dev.ferry.routing.SecretCipher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The controller role: the {@link Controller} loop, the {@link AppDeployer} and the admin
 * API that {@code ferry deploy}, {@code ferry ls} and {@code ferry route} talk to. Any
 * controller, leader or standby, takes deploys: a deploy is a write to the store.
 *
 * <p>Made by {@link #builder()}, which checks the options; {@link #start()} starts the loop
 * and binds the admin API.
 */
public final class ControllerRole implements AutoCloseable {

    /** Told after each deploy; the dev stack reissues its local certificate before answering. */
    public interface AfterDeploy {
        void deployed(AppDeployment deployment) throws IOException;
    }

    /** Makes a function's public URL. */
    public interface FunctionUrls {
        String of(String functionId);
    }

    /** The admin API's port unless told otherwise: {@code ferry controller}'s. */
    public static final int DEFAULT_ADMIN_PORT = 7070;

    private final RoutingStore store;
    private final String id;
    private final String adminHost;
    private final int adminPort;
    private final Controller controller;
    private final AppDeployer deployer;
    private final ControllerRole.FunctionUrls urls;
    private final AfterDeploy afterDeploy;
    private final ContainerLogs logs;
    private final Clock clock;
    private final ControllerTimings timings;
    private final Optional<SSLContext> adminTls;
    /** Made by {@link #start()} when the store held no admin token; null otherwise. */
    private volatile AccessTokens.Issued bootstrapToken;

    private final Path clusterKey;
    /** The cluster key, read (or made) at the first secret set; null before. */
    private SecretCipher cipher;
    /** Bound by {@link #start()}; null before. */
    private volatile AdminServer admin;

    private ControllerRole(Builder b) {
        this.store = b.store;
        this.id = b.id;
        this.adminHost = b.adminHost;
        this.adminPort = b.adminPort;
        this.logs = b.logs; // the caller's to close; the admin API reads container output from it
        this.clock = b.clock;
        this.timings = b.timings;
        this.urls = b.urls;
        this.afterDeploy = b.afterDeploy;
        this.adminTls = Optional.ofNullable(b.adminTls);
        this.clusterKey = b.clusterKey != null ? b.clusterKey : b.home.resolve(SecretCipher.DEFAULT_FILE);
        this.deployer = new AppDeployer(store, b.home.resolve("apps"), clock);
        // Its thread starts with the first tick, in start().
        this.controller = new Controller(store, id, clock, timings, new AppJars(store, b.home.resolve("jars")));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts following the store and ticking, then binds and starts the admin API.
     *
     * @return this role
     * @throws IllegalStateException when started before
     */
    public ControllerRole start() throws IOException {
        if (admin != null) {
            throw new IllegalStateException("controller " + id + ": started already (expected: one start)");
        }
        controller.start();
        try {
            this.bootstrapToken = AdminTokens.bootstrap(store, id, clock).orElse(null);
            this.admin = new AdminServer(this, adminHost, adminPort, adminTls);
        } catch (IOException | RuntimeException e) {
            controller.close();
            throw e;
        }
        return this;
    }

    /** The admin API's port (useful after binding port 0). */
    public int adminPort() {
        AdminServer a = admin;
        if (a == null) {
            throw new IllegalStateException("controller " + id + ": not started (expected: start() first)");
        }
        return a.port();
    }

    /**
     * The admin token this controller made at start because the store held none (the first
     * start of a cluster, or every start of {@code ferry dev} on the in-memory store): the only
     * time its secret is known, for the caller to save where the {@code ferry} commands find it.
     */
    public Optional<AccessTokens.Issued> bootstrapToken() {
        return Optional.ofNullable(bootstrapToken);
    }

    /** Whether the admin API speaks TLS. */
    public boolean adminTls() {
        return adminTls.isPresent();
    }

    Controller controller() {
        return controller;
    }

    RoutingStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    ContainerLogs logs() {
        return logs;
    }

    /** Deploys {@code jar}; see {@link AppDeployer#deploy}. */
    public AppDeployment deploy(Path jar, Optional<String> name, String fileName) throws IOException {
        AppDeployment deployment = deployer.deploy(jar, name, fileName);
        afterDeploy.deployed(deployment);
        return deployment;
    }

    /**
     * Routes {@code host} to {@code function}.
     *
     * @return the host as routes keep it: lowercase, without a port
     * @throws IllegalArgumentException when the host is malformed or the function is not deployed
     */
    String route(String host, String function) {
        String h = Routes.normalizeHost(host);
        Routes.checkHost(h);
        FunctionId target = FunctionId.tryParse(function)
                .orElseThrow(() ->
                        new IllegalArgumentException("route target: " + (function == null ? null : '"' + function + '"')
                                + " (expected: a function id <app>--<function>)"));
        if (store.app(target.app().value())
                .flatMap(a -> a.function(target.name()))
                .isEmpty()) {
            throw new IllegalArgumentException(
                    "route target: " + target + " is not deployed (expected: a function listed by ferry ls)");
        }
        store.putRoute(h, target);
        return h;
    }

    /**
     * Seals {@code values} (key to value) with the cluster key and stores them as secret
     * {@code name}, replacing the one of that name. The key file is made, mode 0600, if it
     * does not exist yet.
     *
     * @throws IllegalArgumentException naming the name or key at fault (never a value)
     * @throws IOException when the cluster key cannot be read or made
     */
    FunctionSecret setSecret(String name, Map<String, String> values) throws IOException {
        FunctionSecret secret = FunctionSecret.seal(name, values, cipher(), clock.instant());
        store.putSecret(secret);
        return secret;
    }

    /**
     * Removes secret {@code name}.
     *
     * @return whether there was one
     * @throws IllegalStateException naming the deployed functions that still name it
     */
    boolean removeSecret(String name) {
        if (store.secret(name).isEmpty()) {
            return false;
        }
        List<String> users = store.apps().stream()
                .flatMap(a -> a.functions().stream())
                .filter(f -> f.settings().secrets().contains(name))
                .map(f -> f.id().toString())
                .toList();
        if (!users.isEmpty()) {
            throw new IllegalStateException("secret " + name + " is named by " + String.join(", ", users)
                    + " (expected: a secret no deployed function names; redeploy them without it first)");
        }
        store.removeSecret(name);
        return true;
    }

    private synchronized SecretCipher cipher() throws IOException {
        if (cipher == null) {
            cipher = SecretCipher.loadOrCreate(clusterKey);
        }
        return cipher;
    }

    void unroute(String host) {
        store.removeRoute(Routes.normalizeHost(host));
    }

    public ObjectNode view() {
        ObjectNode root = StackView.apps(store.apps(), store.containers(), scaling(), urls);
        ObjectNode routes = root.putObject("routes");
        store.routes().forEach((host, function) -> routes.put(host, function.toString()));
        StackView.workers(root.putArray("workers"), store.workers(), store.containers());
        return root;
    }

    public ObjectNode view(AppDeployment app) {
        return StackView.app(app, store.containers(), scaling(), urls);
    }

    /** The scaling side of the view: decisions, overrides and the demand gateways report now. */
    private StackView.Scaling scaling() {
        Map<VersionKey, ScaleStatus> statuses = new HashMap<>();
        store.scaleStatuses().forEach(s -> statuses.put(s.key(), s));
        Map<VersionKey, ScaleOverride> overrides = new HashMap<>();
        store.scaleOverrides().forEach(o -> overrides.put(o.key(), o));
        Map<VersionKey, FunctionLoad> loads = new HashMap<>();
        FunctionLoad.aggregate(store.demand(), clock.instant(), timings.sampleFreshness())
                .forEach(l -> loads.put(l.versionKey(), l));
        return new StackView.Scaling(statuses, overrides, loads);
    }

    /**
     * Changes how the current version of {@code app}'s {@code function} scales, without a
     * redeploy: the settings {@code change} gives are laid over any earlier override (the
     * next deploy starts from its own settings again).
     *
     * @return the settings now in force
     * @throws IllegalArgumentException when the function is not deployed, or the settings
     *     together are inconsistent (e.g. min above max), naming the value
     */
    Scaled scale(String app, String function, ScaleOverride change) {
        DeployedFunction f = deployed(app, function);
        ScaleOverride merged = store.scaleOverride(f.versionKey())
                .orElse(ScaleOverride.none(f.versionKey(), change.setAt()))
                .with(change);
        AutoscalerSettings effective = Autoscaling.settings(f.settings(), Optional.of(merged));
        store.putScaleOverride(merged);
        return new Scaled(f.id(), f.version(), effective, true);
    }

    /** The scaling settings in force for the current version of {@code app}'s {@code function}. */
    Scaled scaling(String app, String function) {
        DeployedFunction f = deployed(app, function);
        Optional<ScaleOverride> override = store.scaleOverride(f.versionKey());
        return new Scaled(f.id(), f.version(), Autoscaling.settings(f.settings(), override), override.isPresent());
    }

    private DeployedFunction deployed(String app, String function) {
        FunctionSettings.checkName("app", app);
        FunctionSettings.checkName("function", function);
        AppDeployment deployed = store.app(app)
                .orElseThrow(() -> new IllegalArgumentException(
                        "app: " + app + " is not deployed (expected: an app listed by ferry ls)"));
        return deployed.function(function)
                .orElseThrow(() -> new IllegalArgumentException("function: " + function + " is not a function of " + app
                        + " " + deployed.version() + " (expected: one of "
                        + deployed.functions().stream()
                                .map(d -> d.settings().name())
                                .toList() + ")"));
    }

    /**
     * The scaling settings in force for one function version.
     *
     * @param overridden whether {@code ferry scale} changed them since the deploy
     */
    record Scaled(FunctionId function, String version, AutoscalerSettings settings, boolean overridden) {}

    /** Stops the admin API and the loop; does only the latter when it never started. */
    @Override
    public void close() {
        AdminServer a = admin;
        if (a != null) {
            a.close();
        }
        controller.close();
    }

    /**
     * Builds a {@link ControllerRole}. Setters refuse only null; {@link #build()} checks every
     * value. Not thread-safe.
     */
    public static final class Builder {
        private RoutingStore store;
        private String id;
        private Path home;
        private String adminHost = "127.0.0.1";
        private int adminPort = DEFAULT_ADMIN_PORT;
        private Clock clock = Clock.systemUTC();
        private ControllerTimings timings = ControllerTimings.CLUSTER;
        private FunctionUrls urls;
        private AfterDeploy afterDeploy = deployment -> {};
        private ContainerLogs logs;
        private SSLContext adminTls;
        private boolean adminBehindTlsProxy;
        private Path clusterKey;

        private Builder() {}

        /** The cluster's state: apps, routes, containers, demand and the leader lease. Required. */
        public Builder store(RoutingStore store) {
            this.store = store;
            return this;
        }

        /** This controller's id in the leader lease, e.g. {@code controller-<hostname>-<pid>}. Required. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** The Ferry home: deployed jars are kept under {@code apps/} and {@code jars/}. Required. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The address of the admin API. Default 127.0.0.1. */
        public Builder adminHost(String host) {
            this.adminHost = Objects.requireNonNull(host, "adminHost");
            return this;
        }

        /** The admin API's port; 0 picks a free one. Default 7070. */
        public Builder adminPort(int port) {
            this.adminPort = port;
            return this;
        }

        /** Serves the admin API over TLS with {@code context}'s certificate; null (the default) for plain HTTP. */
        public Builder adminTls(SSLContext context) {
            this.adminTls = context;
            return this;
        }

        /**
         * Lets the admin API listen without TLS on an address other than loopback, because a
         * proxy in front of it terminates TLS. Default false: such an address needs {@link #adminTls}.
         */
        public Builder adminBehindTlsProxy(boolean behindProxy) {
            this.adminBehindTlsProxy = behindProxy;
            return this;
        }

        /** The clock of the lease, the autoscaler and deploys. Default the UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How often the controller ticks, how long its lease lasts, how long a new leader
         * settles. Default {@link ControllerTimings#CLUSTER}; {@link ControllerTimings#DEV} for
         * one process on the in-memory store.
         */
        public Builder timings(ControllerTimings timings) {
            this.timings = Objects.requireNonNull(timings, "timings");
            return this;
        }

        /** Makes the public URL of a function for the admin API's answers. Required. */
        public Builder functionUrls(FunctionUrls urls) {
            this.urls = urls;
            return this;
        }

        /** Told after each deploy, before the deploy is answered. Default: nobody. */
        public Builder afterDeploy(AfterDeploy afterDeploy) {
            this.afterDeploy = Objects.requireNonNull(afterDeploy, "afterDeploy");
            return this;
        }

        /**
         * The file of the cluster key, which seals secrets' values ({@link SecretCipher}); made,
         * mode 0600, at the first secret set if it does not exist. Every controller and worker
         * of a cluster needs the same. Default {@code <home>/cluster.key}.
         */
        public Builder clusterKey(Path file) {
            this.clusterKey = Objects.requireNonNull(file, "clusterKey");
            return this;
        }

        /** Container output, which the admin API serves; the caller closes it after the role. Required. */
        public Builder logs(ContainerLogs logs) {
            this.logs = logs;
            return this;
        }

        /**
         * Checks every option and makes the role; nothing runs until {@link ControllerRole#start()}.
         *
         * @throws IllegalArgumentException naming the first option that cannot work, with its value
         */
        public ControllerRole build() {
            if (store == null) {
                throw new IllegalArgumentException("store: null (expected: the RoutingStore of the cluster)");
            }
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException(
                        "id: " + id + " (expected: this controller's id, e.g. controller-<hostname>-<pid>)");
            }
            if (home == null) {
                throw new IllegalArgumentException("home: null (expected: the Ferry home directory)");
            }
            if (adminPort < 0 || adminPort > 65535) {
                throw new IllegalArgumentException("adminPort: " + adminPort + " (expected: 0-65535)");
            }
            if (adminTls == null && !adminBehindTlsProxy && !isLoopback(adminHost)) {
                // Tokens would cross the network in clear text.
                throw new IllegalArgumentException("adminHost: " + adminHost
                        + " is not a loopback address and the admin API has no TLS (expected: a certificate for it,"
                        + " or to be told that a proxy in front terminates TLS)");
            }
            if (urls == null) {
                throw new IllegalArgumentException("functionUrls: null (expected: what makes a function's public URL)");
            }
            if (logs == null) {
                throw new IllegalArgumentException("logs: null (expected: the ContainerLogs the admin API serves)");
            }
            return new ControllerRole(this);
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(
                        "adminHost: " + host + " (expected: an address or a known host name)");
            }
        }
    }
}
