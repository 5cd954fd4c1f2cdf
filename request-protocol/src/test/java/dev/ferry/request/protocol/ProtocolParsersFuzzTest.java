package dev.ferry.request.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of what this module parses from outside: request targets, GPU
 * requests and the GPU models nvidia-smi names, identities (app names, function ids, version keys, container ids), container
 * secrets, and the sizes, durations, labels and names of function settings. Each either
 * returns a value that prints back to itself, or throws {@link IllegalArgumentException} with a
 * message that says what was expected; nothing else (no NPE, no index or arithmetic error).
 *
 * <p>One fuzz test for the module, choosing a parser from its input, because Jazzer fuzzes one
 * fuzz test per JVM: a plain {@code ./mvnw verify} fuzzes it for {@code maxDuration} and replays
 * the inputs under {@code src/test/resources}; see {@code docs/fuzzing.md} for longer sessions.
 */
class ProtocolParsersFuzzTest {

    /** Pieces of the forms these parsers accept, which random bytes would take long to hit. */
    @DictionaryEntries({
        "ms", "s", "m", "h", "b", "kb", "kib", "mb", "mib", "gb", "gib", "9223372036854775807",
        "H100", "a100-80gb", ":8", "any", "--", "@v3", "ct-", "%", "%C3%A9", "?", "#", "zone=eu"
    })
    @FuzzTest(maxDuration = "3s")
    void parsersReturnValuesOrSayWhatTheyExpected(FuzzedDataProvider data) {
        int parser = data.consumeInt(0, 9);
        switch (parser) {
            case 0 -> requestTarget(data.consumeRemainingAsString());
            case 1 -> percentEscapedPath(data.consumeRemainingAsString());
            case 2 -> gpuRequests(data);
            case 3 -> functionId(data.consumeRemainingAsString());
            case 4 -> versionKey(data.consumeRemainingAsString());
            case 5 -> containerId(data.consumeRemainingAsString());
            case 6 -> containerSecret(data.consumeRemainingAsString());
            case 7 -> size(data.consumeRemainingAsString());
            case 8 -> duration(data.consumeRemainingAsString());
            default -> labelAndName(data.consumeRemainingAsString());
        }
    }

    private static void requestTarget(String target) {
        RequestTargets.Parts parts;
        try {
            parts = RequestTargets.split(target);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "request target: ", "path: ");
            return;
        }
        String raw = new String(parts.rawPath(), StandardCharsets.ISO_8859_1);
        assertThat(target).startsWith(raw);
        if (raw.indexOf('%') < 0) {
            assertThat(parts.path()).isEqualTo(raw);
        }
    }

    /** Any text, percent-escaped as UTF-8, decodes back to itself. */
    private static void percentEscapedPath(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (!new String(utf8, StandardCharsets.UTF_8).equals(text)) {
            return; // a lone surrogate: no UTF-8 form to escape
        }
        StringBuilder escaped = new StringBuilder("/");
        for (byte b : utf8) {
            escaped.append('%').append(String.format("%02X", b & 0xff));
        }
        assertThat(RequestTargets.split(escaped.toString()).path()).isEqualTo("/" + text);
        try {
            RequestTargets.decodePath(text);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "path: ");
        }
    }

    private static void gpuRequests(FuzzedDataProvider data) {
        List<String> texts = new ArrayList<>();
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            texts.add(data.consumeString(20));
        }
        // What nvidia-smi reports is outside input too: any name gives a model, which any request can judge.
        String model = GpuRequest.modelOf(data.consumeString(40), data.consumeLong());
        assertThat(model).isNotNull();
        try {
            List<GpuRequest> requests = GpuRequest.parseAll(texts);
            for (GpuRequest request : requests) {
                assertThat(GpuRequest.parse(request.toString())).isEqualTo(request);
                assertThat(request.accepts(model)).isEqualTo(request.type().equals("ANY") || request.accepts(model));
            }
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "gpu: ");
        }
    }

    private static void functionId(String text) {
        var parsed = FunctionId.tryParse(text);
        try {
            FunctionId id = FunctionId.parse(text);
            assertThat(parsed).contains(id);
            assertThat(FunctionId.parse(id.toString())).isEqualTo(id);
            assertThat(id.toString()).isEqualTo(text);
        } catch (IllegalArgumentException e) {
            assertThat(parsed).isEmpty();
            assertRefusal(e, "function id: ");
        }
        try {
            assertThat(AppName.of(text).toString()).isEqualTo(text);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "app: ");
        }
    }

    private static void versionKey(String text) {
        try {
            VersionKey key = VersionKey.parse(text);
            assertThat(key.toString()).isEqualTo(text);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "version key: ");
        }
    }

    private static void containerId(String text) {
        try {
            assertThat(ContainerId.parse(text).toString()).isEqualTo(text);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "container id: ");
        }
    }

    private static void containerSecret(String text) {
        try {
            ContainerSecret secret = ContainerSecret.parse(text);
            assertThat(ContainerSecret.parse(secret.encoded())).isEqualTo(secret);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "container secret: ");
            if (text.length() >= 8) {
                assertThat(e.getMessage()).as("never repeats a secret").doesNotContain(text);
            }
        }
    }

    private static void size(String text) {
        try {
            assertThat(FunctionSettings.parseSize("maxRequestBody", text)).isNotNegative();
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "maxRequestBody: ");
        }
    }

    private static void duration(String text) {
        try {
            assertThat(FunctionSettings.parseDuration("timeout", text).isNegative())
                    .isFalse();
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "timeout: ");
        }
    }

    private static void labelAndName(String text) {
        try {
            assertThat(FunctionSettings.checkLabel("workerLabels", text)).isEqualTo(text);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "workerLabels: ");
        }
        try {
            assertThat(FunctionSettings.checkName("name", text)).isEqualTo(text);
        } catch (IllegalArgumentException e) {
            assertRefusal(e, "name: ");
        }
    }

    /** A refusal names what it refused (one of {@code prefixes}) and says what was expected. */
    static void assertRefusal(IllegalArgumentException e, String... prefixes) {
        assertThat(e.getMessage()).as("message of %s", e).isNotNull().contains("(expected: ");
        assertThat(prefixes).as("message of %s", e).anyMatch(p -> e.getMessage().startsWith(p));
    }
}
