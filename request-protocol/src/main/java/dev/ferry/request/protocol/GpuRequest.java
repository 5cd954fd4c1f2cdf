package dev.ferry.request.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One GPU request of a function, in the form users know from Modal: a type and an optional
 * count, {@code "H100"}, {@code "a100-80gb:2"}, {@code "any"}. A function lists requests in
 * order of preference; the scheduler takes the first one some worker can serve.
 *
 * <p>Types name models, not boards: {@code A100} is either A100 size, {@code A100-40GB} and
 * {@code A100-80GB} one of them, {@code any} every GPU. {@link #modelOf} turns the names
 * {@code nvidia-smi} reports into these models.
 *
 * @param type the canonical type, upper case: one of {@link #TYPES}
 * @param count GPUs per container, 1..{@value #MAX_COUNT}
 */
public record GpuRequest(String type, int count) {

    /** The accepted types, as written in messages. */
    public static final List<String> TYPES =
            List.of("T4", "L4", "A10", "L40S", "A100", "A100-40GB", "A100-80GB", "H100", "H200", "B200", "ANY");

    /** The most GPUs one container may ask for: one machine's worth. */
    public static final int MAX_COUNT = 8;

    /** What every parse error says is accepted. */
    static final String ACCEPTED = "one of T4, L4, A10, L40S, A100, A100-40GB, A100-80GB, H100, H200, B200 or any,"
            + " with an optional count :1 to :" + MAX_COUNT + ", e.g. \"H100\" or \"A100-80GB:2\"; case-insensitive";

    /** An A100 reporting more memory than this (MiB) is the 80 GB board. */
    private static final long A100_40GB_MAX_MIB = 60_000;

    public GpuRequest {
        Objects.requireNonNull(type, "type");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("gpu type: \"" + type + "\" (expected: " + ACCEPTED + ")");
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("gpu count: " + count + " (expected: 1 to " + MAX_COUNT + ")");
        }
    }

    /**
     * Parses {@code text}: a type, optionally followed by {@code :n}.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static GpuRequest parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("gpu: null (expected: " + ACCEPTED + ")");
        }
        String upper = text.trim().toUpperCase(Locale.ROOT);
        int colon = upper.indexOf(':');
        String type = colon < 0 ? upper : upper.substring(0, colon);
        int count = 1;
        if (colon >= 0) {
            String n = upper.substring(colon + 1);
            if (!n.matches("[0-9]{1,2}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > MAX_COUNT) {
                throw new IllegalArgumentException(
                        "gpu: \"" + text + "\" has count \"" + n + "\" (expected: " + ACCEPTED + ")");
            }
            count = Integer.parseInt(n);
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("gpu: \"" + text + "\" (expected: " + ACCEPTED + ")");
        }
        return new GpuRequest(type, count);
    }

    /**
     * Parses an ordered list of fallbacks; empty means no GPU.
     *
     * @throws IllegalArgumentException naming the first bad value, or a type listed twice
     */
    public static List<GpuRequest> parseAll(List<String> texts) {
        List<GpuRequest> requests = new ArrayList<>(texts.size());
        for (String text : texts) {
            GpuRequest request = parse(text);
            if (requests.stream().anyMatch(r -> r.equals(request))) {
                throw new IllegalArgumentException(
                        "gpu: \"" + text + "\" is listed twice (expected: each fallback once)");
            }
            requests.add(request);
        }
        return List.copyOf(requests);
    }

    /** Whether a GPU of {@code model} (as {@link #modelOf} names it) serves this request. */
    public boolean accepts(String model) {
        return switch (type) {
            case "ANY" -> true;
            case "A100" -> model.equals("A100-40GB") || model.equals("A100-80GB");
            default -> type.equals(model);
        };
    }

    /**
     * The model of a GPU as {@code nvidia-smi} reports it, e.g. {@code "NVIDIA H100 80GB HBM3"}
     * → {@code "H100"}, {@code "NVIDIA A100-SXM4-40GB"} → {@code "A100-40GB"}, {@code "NVIDIA A10G"}
     * → {@code "A10"}. A model Ferry does not know keeps its name, upper case, with hyphens for
     * spaces and without the vendor: only {@code any} requests it.
     *
     * @param name the reported name
     * @param memoryMib the reported total memory, which tells A100 boards apart
     */
    public static String modelOf(String name, long memoryMib) {
        String upper = name.trim()
                .toUpperCase(Locale.ROOT)
                .replaceFirst("^(NVIDIA|TESLA)\\s+", "")
                .replaceFirst("^(NVIDIA|TESLA)\\s+", "");
        String[] words = upper.split("[\\s-]+");
        String first = words.length == 0 ? "" : words[0];
        return switch (first) {
            case "A100" -> memoryMib > A100_40GB_MAX_MIB ? "A100-80GB" : "A100-40GB";
            case "H100", "H200", "B200", "L40S", "L4", "T4" -> first;
            case "A10", "A10G" -> "A10";
            default -> String.join("-", words);
        };
    }

    /** The canonical text: {@code "H100"} for one, {@code "H100:2"} for more. */
    @Override
    public String toString() {
        String name = type.equals("ANY") ? "any" : type;
        return count == 1 ? name : name + ":" + count;
    }
}
