package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.request.protocol.FunctionId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of what the store reads back: records in Redis may be foreign or
 * corrupt. Decoding any text, or a record Ferry wrote with one field replaced by any JSON value,
 * either gives a record that encodes and decodes back to itself, or throws a
 * {@link RecordCodec.MalformedRecordException} whose cause (if any) is the records' own check
 * ({@link IllegalArgumentException}) or the JSON parser's; never a {@link NullPointerException}
 * or another crash dressed as a malformed record. Route hosts and sealed secret values too.
 *
 * <p>One fuzz test for the module, because Jazzer fuzzes one per JVM; see {@code docs/fuzzing.md}.
 */
class RecordCodecFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecretCipher CIPHER = SecretCipher.of(new byte[32]);

    /** A record of each kind as Ferry writes it, under its own key. */
    private static final List<Sample> SAMPLES = List.of(
            new Sample(RoutingCopy.Kind.APP, "shop", RecordCodec.app(Samples.app("shop", "v3", "cart", "pay"))),
            new Sample(RoutingCopy.Kind.ROUTE, "api.example.com", RecordCodec.route(FunctionId.parse("shop--cart"))),
            new Sample(
                    RoutingCopy.Kind.CONTAINER,
                    "ct-abcdefgh",
                    RecordCodec.container(Samples.container("ct-abcdefgh", "shop--cart", ContainerState.FAILED))),
            new Sample(RoutingCopy.Kind.WORKER, "w1", RecordCodec.worker(Samples.worker("w1"))),
            new Sample(
                    RoutingCopy.Kind.SCALE_OVERRIDE,
                    "shop--cart@v3",
                    RecordCodec.scaleOverride(new ScaleOverride(
                            FunctionId.parse("shop--cart"), "v3", 1, 5, 0, 4, Duration.ofSeconds(30), Samples.T0))),
            new Sample(
                    RoutingCopy.Kind.SCALE_STATUS,
                    "shop--cart@v3",
                    RecordCodec.scaleStatus(
                            new ScaleStatus(FunctionId.parse("shop--cart"), "v3", 2, true, "burst", Samples.T0))),
            new Sample(
                    RoutingCopy.Kind.TOKEN,
                    "abcdefghijkl",
                    RecordCodec.token(new AccessToken(
                            "abcdefghijkl",
                            "ci",
                            EnumSet.of(AccessToken.Scope.DEPLOY, AccessToken.Scope.CALL),
                            List.of("shop"),
                            "0".repeat(64),
                            Samples.T0))),
            new Sample(
                    RoutingCopy.Kind.SECRET,
                    "stripe",
                    RecordCodec.secret(new FunctionSecret("stripe", Map.of("API_KEY", "v1:k:AAAA"), Samples.T0))));

    private record Sample(RoutingCopy.Kind kind, String key, String json) {}

    /** Pieces of records, which random bytes would take long to hit. */
    @DictionaryEntries({
        "shop--cart",
        "v3",
        "PT30S",
        "PT-1S",
        "2025-03-04T05:06:07.123456789Z",
        "+1000000000-12-31T23:59:59.999999999Z",
        "1e400",
        "9223372036854775807",
        "ct-abcdefgh",
        "v1:",
        "STARTING",
        "READY",
        "{",
        "}",
        ":",
        ","
    })
    @FuzzTest(maxDuration = "3s")
    void recordsDecodeToThemselvesOrAreRefusedAsMalformed(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 4)) {
            case 0, 1 -> {
                Sample sample = data.pickValue(SAMPLES);
                String key = data.consumeBoolean() ? sample.key() : data.consumeString(16);
                decode(sample.kind(), key, mutate(sample.json(), data));
            }
            case 2 -> {
                RoutingCopy.Kind kind = data.pickValue(RoutingCopy.Kind.values());
                decode(kind, data.consumeString(16), data.consumeRemainingAsString());
            }
            case 3 -> demand(data.consumeRemainingAsString());
            default -> hostsAndSealedValues(data);
        }
    }

    private static void decode(RoutingCopy.Kind kind, String key, String record) {
        Object decoded;
        try {
            decoded = RecordCodec.versioned(kind, key, "{\"v\":7,\"r\":" + record + "}")
                    .record();
        } catch (RecordCodec.MalformedRecordException e) {
            assertMalformed(e);
            return;
        }
        String again = encode(kind, decoded);
        assertThat(RecordCodec.versioned(kind, key, "{\"v\":7,\"r\":" + again + "}")
                        .record())
                .as("decoded from %s, encoded as %s", record, again)
                .isEqualTo(decoded);
    }

    private static void demand(String text) {
        try {
            DemandSample sample = RecordCodec.demand(text);
            assertThat(RecordCodec.demand(RecordCodec.demand(sample))).isEqualTo(sample);
        } catch (RecordCodec.MalformedRecordException e) {
            assertMalformed(e);
        }
    }

    private static void hostsAndSealedValues(FuzzedDataProvider data) {
        String host = data.consumeString(300);
        String normalized = Routes.normalizeHost(host);
        try {
            Routes.checkHost(normalized);
            assertThat(Routes.normalizeHost(normalized)).isEqualTo(normalized);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageStartingWith("route host: ").hasMessageContaining("(expected: ");
        }
        String sealed = data.consumeRemainingAsString();
        try {
            CIPHER.open("stripe", "API_KEY", sealed);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageStartingWith("secret stripe, key API_KEY: ");
        }
    }

    /** A malformed record is reported as one; a cause, if any, is a value check or the JSON parser's. */
    private static void assertMalformed(RecordCodec.MalformedRecordException e) {
        assertThat(e.getMessage()).as("message of %s", e).isNotBlank();
        Throwable cause = e.getCause();
        if (cause != null) {
            assertThat(cause)
                    .as("cause of %s", e)
                    .isInstanceOfAny(IllegalArgumentException.class, JsonProcessingException.class);
        }
    }

    /** {@code json} with one value, anywhere in it, replaced by one the fuzzer makes, or removed. */
    private static String mutate(String json, FuzzedDataProvider data) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
        for (int edits = data.consumeInt(1, 3); edits > 0; edits--) {
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            JsonNode parent = data.pickValue(containers);
            if (parent instanceof ObjectNode object) {
                List<String> fields = new ArrayList<>();
                object.fieldNames().forEachRemaining(fields::add);
                String field =
                        fields.isEmpty() || data.consumeBoolean() ? data.consumeString(12) : data.pickValue(fields);
                if (data.consumeInt(0, 5) == 0) {
                    object.remove(field);
                } else {
                    object.set(field, value(data));
                }
            } else if (parent instanceof ArrayNode array) {
                if (array.isEmpty() || data.consumeBoolean()) {
                    array.add(value(data));
                } else {
                    array.set(data.consumeInt(0, array.size() - 1), value(data));
                }
            }
        }
        return root.toString();
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode()) {
            containers.add(node);
            node.forEach(child -> collect(child, containers));
        }
    }

    private static JsonNode value(FuzzedDataProvider data) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (data.consumeInt(0, 8)) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(data.consumeBoolean());
            case 2 -> f.numberNode(data.consumeInt());
            case 3 -> f.numberNode(data.consumeLong());
            case 4 -> f.numberNode(data.consumeDouble());
            case 5 -> f.objectNode();
            case 6 -> f.arrayNode().add(data.consumeString(20));
            default -> f.textNode(data.consumeString(40));
        };
    }

    private static String encode(RoutingCopy.Kind kind, Object record) {
        return switch (kind) {
            case APP -> RecordCodec.app((AppDeployment) record);
            case ROUTE -> RecordCodec.route((FunctionId) record);
            case CONTAINER -> RecordCodec.container((ContainerInfo) record);
            case WORKER -> RecordCodec.worker((WorkerInfo) record);
            case SCALE_OVERRIDE -> RecordCodec.scaleOverride((ScaleOverride) record);
            case SCALE_STATUS -> RecordCodec.scaleStatus((ScaleStatus) record);
            case TOKEN -> RecordCodec.token((AccessToken) record);
            case SECRET -> RecordCodec.secret((FunctionSecret) record);
        };
    }
}
