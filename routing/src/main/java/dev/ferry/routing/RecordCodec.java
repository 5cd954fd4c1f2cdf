package dev.ferry.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.request.protocol.ContainerSecret;
import dev.ferry.request.protocol.FunctionId;
import dev.ferry.request.protocol.FunctionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of the records Ferry keeps in Redis. Written field by field rather than by
 * reflection so the stored form is stable and readable (durations as ISO-8601, instants as
 * UTC timestamps with nine fraction digits, paths as strings) and so that decoding checks
 * every field: data in Redis may be foreign or corrupt, and a bad value must be rejected
 * with a {@link MalformedRecordException}, never half-loaded.
 */
final class RecordCodec {

    /**
     * Fixed width, so two instants compare as strings the way they compare in time; the
     * demand script relies on it to keep the newer sample.
     */
    private static final DateTimeFormatter INSTANT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
            .appendLiteral('Z')
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordCodec() {}

    /** Data that is not what Ferry writes: not JSON, a missing or mistyped field, an invalid value. */
    static final class MalformedRecordException extends RuntimeException {
        MalformedRecordException(String message) {
            super(message);
        }

        MalformedRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A record read from a versioned hash value, {@code {"v": version, "r": record}}. */
    record Versioned<R>(long version, R record) {}

    // ---- instants ----

    static String instant(Instant at) {
        return INSTANT.format(at);
    }

    // ---- encoding ----

    static String app(AppDeployment app) {
        ObjectNode n = JSON.createObjectNode();
        n.put("app", app.app());
        n.put("version", app.version());
        n.put("deployedAt", instant(app.deployedAt()));
        ArrayNode functions = n.putArray("functions");
        for (DeployedFunction f : app.functions()) {
            ObjectNode fn = functions.addObject();
            fn.put("app", f.app());
            fn.put("version", f.version());
            fn.put("className", f.className());
            fn.put("jar", f.jar().toString());
            fn.put("jarDigest", f.jarDigest());
            settings(fn.putObject("settings"), f.settings());
        }
        return n.toString();
    }

    private static void settings(ObjectNode n, FunctionSettings s) {
        n.put("name", s.name());
        n.put("maxInputs", s.maxInputs());
        n.put("targetInputs", s.targetInputs());
        n.put("timeout", s.timeout().toString());
        n.put("scaledownWindow", s.scaledownWindow().toString());
        n.put("minContainers", s.minContainers());
        n.put("maxContainers", s.maxContainers());
        n.put("bufferContainers", s.bufferContainers());
        n.put("cpu", s.cpu());
        n.put("memoryMib", s.memoryMib());
        ArrayNode gpu = n.putArray("gpu");
        s.gpu().forEach(gpu::add);
        n.put("maxRequestBody", s.maxRequestBody());
        n.put("maxWebSocketMessage", s.maxWebSocketMessage());
        ArrayNode labels = n.putArray("workerLabels");
        s.workerLabels().forEach(labels::add);
        if (s.maxQueued() > 0) {
            n.put("maxQueued", s.maxQueued());
        }
        if (!s.queueTimeout().isZero()) {
            n.put("queueTimeout", s.queueTimeout().toString());
        }
        if (s.requiresAuth()) {
            n.put("requiresAuth", true);
        }
        if (!s.secrets().isEmpty()) {
            ArrayNode secrets = n.putArray("secrets");
            s.secrets().forEach(secrets::add);
        }
        if (!s.network().isEmpty()) {
            n.put("network", s.network());
        }
    }

    static String route(FunctionId function) {
        ObjectNode n = JSON.createObjectNode();
        n.put("function", function.toString());
        return n.toString();
    }

    static String container(ContainerInfo c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", c.id());
        n.put("function", c.function().toString());
        n.put("version", c.version());
        n.put("worker", c.worker());
        n.put("host", c.host());
        n.put("port", c.port());
        n.put("state", c.state().name());
        n.put("maxInputs", c.maxInputs());
        n.put("startedAt", instant(c.startedAt()));
        ObjectNode resources = n.putObject("resources");
        resources.put("cpu", c.resources().cpu());
        resources.put("memoryMib", c.resources().memoryMib());
        ArrayNode gpus = resources.putArray("gpus");
        c.resources().gpus().forEach(gpus::add);
        if (!c.reason().isEmpty()) {
            n.put("reason", c.reason());
        }
        if (!c.socket().isEmpty()) {
            n.put("socket", c.socket());
        }
        if (!c.secret().isNone()) {
            n.put("secret", c.secret().encoded());
        }
        return n.toString();
    }

    static String worker(WorkerInfo w) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", w.id());
        n.put("host", w.host());
        n.put("cpus", w.cpus());
        n.put("memoryBytes", w.memoryBytes());
        ArrayNode gpus = n.putArray("gpus");
        for (WorkerGpu g : w.gpus()) {
            gpus.addObject()
                    .put("index", g.index())
                    .put("uuid", g.uuid())
                    .put("model", g.model())
                    .put("memoryMib", g.memoryMib());
        }
        ObjectNode labels = n.putObject("labels");
        // Sorted, so equal workers encode to equal text.
        new java.util.TreeMap<>(w.labels()).forEach(labels::put);
        n.put("heartbeat", instant(w.heartbeat()));
        if (w.pool().size() > 0) { // absent for a worker without a pool, as before pools
            n.putObject("pool")
                    .put("size", w.pool().size())
                    .put("idle", w.pool().idle())
                    .put("starting", w.pool().starting());
        }
        return n.toString();
    }

    static String demand(DemandSample d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("gateway", d.gateway());
        n.put("function", d.function().toString());
        n.put("version", d.version());
        n.put("inFlight", d.inFlight());
        n.put("queued", d.queued());
        n.put("lastActive", instant(d.lastActive()));
        n.put("sampledAt", instant(d.sampledAt()));
        if (!d.busy().isEmpty()) {
            ObjectNode busy = n.putObject("busy");
            d.busy().forEach(busy::put);
        }
        return n.toString();
    }

    static String token(AccessToken t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", t.id());
        n.put("name", t.name());
        ArrayNode scopes = n.putArray("scopes");
        t.scopes().stream().sorted().forEach(s -> scopes.add(s.label()));
        ArrayNode apps = n.putArray("apps");
        t.apps().forEach(apps::add);
        n.put("secretHash", t.secretHash());
        n.put("createdAt", instant(t.createdAt()));
        return n.toString();
    }

    static AccessToken token(JsonNode n) {
        java.util.Set<AccessToken.Scope> scopes = java.util.EnumSet.noneOf(AccessToken.Scope.class);
        for (String label : stringList(n, "scopes")) {
            scopes.add(AccessToken.Scope.parse(label));
        }
        return new AccessToken(
                text(n, "id"),
                text(n, "name"),
                scopes,
                stringList(n, "apps"),
                text(n, "secretHash"),
                instantField(n, "createdAt"));
    }

    static String scaleOverride(ScaleOverride o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("function", o.function().toString());
        n.put("version", o.version());
        if (o.minContainers() != null) {
            n.put("minContainers", o.minContainers());
        }
        if (o.maxContainers() != null) {
            n.put("maxContainers", o.maxContainers());
        }
        if (o.bufferContainers() != null) {
            n.put("bufferContainers", o.bufferContainers());
        }
        if (o.targetInputs() != null) {
            n.put("targetInputs", o.targetInputs());
        }
        if (o.scaledownWindow() != null) {
            n.put("scaledownWindow", o.scaledownWindow().toString());
        }
        n.put("setAt", instant(o.setAt()));
        return n.toString();
    }

    static String scaleStatus(ScaleStatus s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("function", s.function().toString());
        n.put("version", s.version());
        n.put("desired", s.desired());
        n.put("panic", s.panic());
        n.put("reason", s.reason());
        n.put("decidedAt", instant(s.decidedAt()));
        return n.toString();
    }

    static String secret(FunctionSecret s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", s.name());
        ObjectNode values = n.putObject("sealed");
        s.sealed().forEach(values::put);
        n.put("updatedAt", instant(s.updatedAt()));
        return n.toString();
    }

    // ---- decoding ----

    /** Parses {@code text} as a JSON object. */
    static JsonNode parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException("not a JSON object");
        }
        return node;
    }

    /** Decodes a versioned hash value of {@code kind}. */
    static Versioned<Object> versioned(RoutingCopy.Kind kind, String key, String text) {
        return versioned(kind, key, parse(text));
    }

    /** Decodes a versioned value, {@code {"v": version, "r": record}}, of {@code kind} stored under {@code key}. */
    static Versioned<Object> versioned(RoutingCopy.Kind kind, String key, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException("not a JSON object");
        }
        long version = longField(node, "v");
        if (version <= 0) {
            throw new MalformedRecordException("version " + version + " (expected: > 0)");
        }
        JsonNode r = node.get("r");
        if (r == null || !r.isObject()) {
            throw new MalformedRecordException("no record \"r\"");
        }
        return new Versioned<>(version, record(kind, key, r));
    }

    /** Decodes the record of {@code kind} kept under {@code key}, checking that the two agree. */
    static Object record(RoutingCopy.Kind kind, String key, JsonNode r) {
        try {
            Object record = switch (kind) {
                case APP -> app(r);
                case ROUTE -> routeTarget(key, r);
                case CONTAINER -> container(r);
                case WORKER -> worker(r);
                case SCALE_OVERRIDE -> scaleOverride(r);
                case SCALE_STATUS -> scaleStatus(r);
                case TOKEN -> token(r);
                case SECRET -> secret(r);
            };
            String own = switch (kind) {
                case APP -> ((AppDeployment) record).app();
                case ROUTE -> key;
                case CONTAINER -> ((ContainerInfo) record).id();
                case WORKER -> ((WorkerInfo) record).id();
                case SCALE_OVERRIDE -> ((ScaleOverride) record).key().toString();
                case SCALE_STATUS -> ((ScaleStatus) record).key().toString();
                case TOKEN -> ((AccessToken) record).id();
                case SECRET -> ((FunctionSecret) record).name();
            };
            if (!own.equals(key)) {
                throw new MalformedRecordException(kind.label + " \"" + own + "\" stored under \"" + key + "\"");
            }
            return record;
        } catch (MalformedRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            // The records' own checks (names, ranges, nulls) reject invalid values.
            throw new MalformedRecordException(e.toString(), e);
        }
    }

    static AppDeployment app(JsonNode n) {
        String app = text(n, "app");
        String version = text(n, "version");
        JsonNode fs = n.get("functions");
        if (fs == null || !fs.isArray()) {
            throw new MalformedRecordException("field \"functions\" is not an array");
        }
        List<DeployedFunction> functions = new ArrayList<>();
        for (JsonNode f : fs) {
            JsonNode s = f.get("settings");
            if (s == null || !s.isObject()) {
                throw new MalformedRecordException("function without \"settings\"");
            }
            functions.add(new DeployedFunction(
                    text(f, "app"),
                    text(f, "version"),
                    text(f, "className"),
                    Path.of(text(f, "jar")),
                    text(f, "jarDigest"),
                    settings(s)));
        }
        return new AppDeployment(app, version, functions, instantField(n, "deployedAt"));
    }

    private static FunctionSettings settings(JsonNode n) {
        List<String> gpu = stringList(n, "gpu");
        JsonNode cpu = n.get("cpu");
        if (cpu == null || !cpu.isNumber()) {
            throw new MalformedRecordException("field \"cpu\" is not a number");
        }
        return new FunctionSettings(
                text(n, "name"),
                intField(n, "maxInputs"),
                intField(n, "targetInputs"),
                durationField(n, "timeout"),
                durationField(n, "scaledownWindow"),
                intField(n, "minContainers"),
                intField(n, "maxContainers"),
                intField(n, "bufferContainers"),
                cpu.doubleValue(),
                intField(n, "memoryMib"),
                gpu,
                longField(n, "maxRequestBody"),
                longField(n, "maxWebSocketMessage"),
                stringList(n, "workerLabels"),
                // Absent in records written before per-function queue bounds: the gateway's defaults.
                n.has("maxQueued") ? intField(n, "maxQueued") : 0,
                n.has("queueTimeout") ? durationField(n, "queueTimeout") : Duration.ZERO,
                // Absent in records written before endpoint auth, secrets and network settings.
                n.has("requiresAuth") && booleanField(n, "requiresAuth"),
                n.has("secrets") ? stringList(n, "secrets") : List.of(),
                n.has("network") ? text(n, "network") : FunctionSettings.NETWORK_DEFAULT);
    }

    /** A field holding an array of strings; absent (a record written before it existed) is empty. */
    private static List<String> stringList(JsonNode n, String field) {
        JsonNode node = n.get(field);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new MalformedRecordException("field \"" + field + "\" is not an array");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode entry : node) {
            if (!entry.isTextual()) {
                throw new MalformedRecordException("a \"" + field + "\" entry is not a string");
            }
            list.add(entry.textValue());
        }
        return list;
    }

    private static FunctionId routeTarget(String host, JsonNode n) {
        FunctionId function = FunctionId.parse(text(n, "function"));
        Routes.checkHost(host);
        return function;
    }

    static ContainerInfo container(JsonNode n) {
        ContainerState state;
        try {
            state = ContainerState.valueOf(text(n, "state"));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("unknown container state \"" + text(n, "state") + "\"");
        }
        JsonNode reason = n.get("reason");
        if (reason != null && !reason.isTextual()) {
            throw new MalformedRecordException("field \"reason\" is not a string");
        }
        JsonNode socket = n.get("socket"); // absent in records of containers without one, and of older workers
        if (socket != null && !socket.isTextual()) {
            throw new MalformedRecordException("field \"socket\" is not a string");
        }
        JsonNode secret = n.get("secret"); // absent while pending, and in records of older workers
        if (secret != null && !secret.isTextual()) {
            throw new MalformedRecordException("field \"secret\" is not a string");
        }
        ContainerSecret parsedSecret;
        try {
            parsedSecret = secret == null ? ContainerSecret.NONE : ContainerSecret.parse(secret.textValue());
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("field \"secret\": " + e.getMessage());
        }
        return new ContainerInfo(
                text(n, "id"),
                FunctionId.parse(text(n, "function")),
                text(n, "version"),
                text(n, "worker"),
                text(n, "host"),
                intField(n, "port"),
                state,
                intField(n, "maxInputs"),
                instantField(n, "startedAt"),
                resources(n.get("resources")),
                reason == null ? "" : reason.textValue(),
                socket == null ? "" : socket.textValue(),
                parsedSecret);
    }

    /** Absent in records written before resources were tracked: nothing set aside. */
    private static ContainerResources resources(JsonNode n) {
        if (n == null) {
            return ContainerResources.NONE;
        }
        if (!n.isObject() || !n.path("cpu").isNumber() || !n.path("gpus").isArray()) {
            throw new MalformedRecordException("field \"resources\" is not {cpu, memoryMib, gpus}");
        }
        List<Integer> gpus = new ArrayList<>();
        for (JsonNode g : n.get("gpus")) {
            if (!g.isInt()) {
                throw new MalformedRecordException("a \"resources.gpus\" entry is not an index");
            }
            gpus.add(g.intValue());
        }
        return new ContainerResources(n.get("cpu").doubleValue(), longField(n, "memoryMib"), gpus);
    }

    static WorkerInfo worker(JsonNode n) {
        JsonNode labelsNode = n.get("labels");
        if (labelsNode == null || !labelsNode.isObject()) {
            throw new MalformedRecordException("field \"labels\" is not an object");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : labelsNode.properties()) {
            if (!e.getValue().isTextual()) {
                throw new MalformedRecordException("label \"" + e.getKey() + "\" is not a string");
            }
            labels.put(e.getKey(), e.getValue().textValue());
        }
        List<WorkerGpu> gpus = new ArrayList<>();
        JsonNode gpusNode = n.get("gpus");
        if (gpusNode != null && gpusNode.isArray()) {
            for (JsonNode g : gpusNode) {
                gpus.add(new WorkerGpu(
                        intField(g, "index"), text(g, "uuid"), text(g, "model"), longField(g, "memoryMib")));
            }
        } else if (gpusNode != null && !gpusNode.isInt()) { // a count, written before devices were tracked
            throw new MalformedRecordException("field \"gpus\" is not an array");
        }
        return new WorkerInfo(
                text(n, "id"),
                text(n, "host"),
                intField(n, "cpus"),
                longField(n, "memoryBytes"),
                gpus,
                labels,
                instantField(n, "heartbeat"),
                pool(n.get("pool")));
    }

    private static WorkerPool pool(JsonNode n) {
        if (n == null) {
            return WorkerPool.NONE;
        }
        if (!n.isObject()) {
            throw new MalformedRecordException("field \"pool\" is not an object");
        }
        return new WorkerPool(intField(n, "size"), intField(n, "idle"), intField(n, "starting"));
    }

    static ScaleOverride scaleOverride(JsonNode n) {
        return new ScaleOverride(
                FunctionId.parse(text(n, "function")),
                text(n, "version"),
                optionalInt(n, "minContainers"),
                optionalInt(n, "maxContainers"),
                optionalInt(n, "bufferContainers"),
                optionalInt(n, "targetInputs"),
                n.has("scaledownWindow") ? durationField(n, "scaledownWindow") : null,
                instantField(n, "setAt"));
    }

    static ScaleStatus scaleStatus(JsonNode n) {
        JsonNode panic = n.get("panic");
        if (panic == null || !panic.isBoolean()) {
            throw new MalformedRecordException("field \"panic\" is not a boolean");
        }
        return new ScaleStatus(
                FunctionId.parse(text(n, "function")),
                text(n, "version"),
                intField(n, "desired"),
                panic.booleanValue(),
                text(n, "reason"),
                instantField(n, "decidedAt"));
    }

    static FunctionSecret secret(JsonNode n) {
        JsonNode sealed = n.get("sealed");
        if (sealed == null || !sealed.isObject()) {
            throw new MalformedRecordException("field \"sealed\" is not an object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : sealed.properties()) {
            if (!e.getValue().isTextual()) {
                throw new MalformedRecordException("sealed value of " + e.getKey() + " is not a string");
            }
            values.put(e.getKey(), e.getValue().textValue());
        }
        return new FunctionSecret(text(n, "name"), values, instantField(n, "updatedAt"));
    }

    private static Integer optionalInt(JsonNode n, String field) {
        return n.has(field) ? intField(n, field) : null;
    }

    /** Decodes a demand sample, as kept in the demand hash and published on the demand channel. */
    static DemandSample demand(String text) {
        JsonNode n = parse(text);
        try {
            return new DemandSample(
                    text(n, "gateway"),
                    FunctionId.parse(text(n, "function")),
                    text(n, "version"),
                    intField(n, "inFlight"),
                    intField(n, "queued"),
                    instantField(n, "lastActive"),
                    instantField(n, "sampledAt"),
                    busy(n.get("busy")));
        } catch (MalformedRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedRecordException(e.toString(), e);
        }
    }

    /** Calls per container; absent (none busy, or a sample from before it was sent) is empty. */
    private static Map<String, Integer> busy(JsonNode n) {
        if (n == null) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw new MalformedRecordException("field \"busy\" is not an object");
        }
        Map<String, Integer> busy = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            busy.put(e.getKey(), intField(n, e.getKey()));
        }
        return busy;
    }

    // ---- fields ----

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new MalformedRecordException("field \"" + field + "\" is not a string");
        }
        return v.textValue();
    }

    static long longField(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new MalformedRecordException("field \"" + field + "\" is not a whole number");
        }
        return v.longValue();
    }

    private static boolean booleanField(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isBoolean()) {
            throw new MalformedRecordException("field \"" + field + "\" is not true or false");
        }
        return v.booleanValue();
    }

    private static int intField(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new MalformedRecordException("field \"" + field + "\" is not a 32-bit whole number");
        }
        return v.intValue();
    }

    private static Instant instantField(JsonNode n, String field) {
        String text = text(n, field);
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            throw new MalformedRecordException("field \"" + field + "\" is not a timestamp: \"" + text + "\"");
        }
    }

    private static Duration durationField(JsonNode n, String field) {
        String text = text(n, field);
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new MalformedRecordException("field \"" + field + "\" is not an ISO-8601 duration: \"" + text + "\"");
        }
    }
}
