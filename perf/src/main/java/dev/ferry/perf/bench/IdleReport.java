package dev.ferry.perf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import java.util.Map;

/** The idle bench's summary.md, written from the figures it puts in idle.json. */
final class IdleReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private IdleReport() {}

    static String summary(Map<String, Object> figures) {
        JsonNode j = JSON.valueToTree(figures);
        StringBuilder md = new StringBuilder();
        md.append("# ferry bench idle\n\n");
        md.append("Machine: ")
                .append(j.path("machine").path("cpus").asText("?"))
                .append(" CPUs; load average before ")
                .append(j.path("load_average_before").asText())
                .append(", after ")
                .append(j.path("load_average_after").asText())
                .append("; run ")
                .append(j.path("run_seconds").asText())
                .append(" s.\n\n");
        JsonNode counts = j.path("counts");
        JsonNode ka = counts.path("keep_alives");
        JsonNode ws = counts.path("websockets");
        md.append("| | asked | held | time to open (s) | failed |\n|---|---:|---:|---:|---|\n");
        md.append(row("WebSockets (opened first)", counts.path("websockets_asked"), ws));
        md.append(row("keep-alive connections", counts.path("keep_alives_asked"), ka));
        md.append('\n');
        if (!counts.path("scaled_down").isNull() && !counts.path("scaled_down").isMissingNode()) {
            md.append("**Counts scaled down**: ")
                    .append(counts.path("scaled_down").asText())
                    .append(".\n\n");
        } else {
            md.append("Limits: ").append(counts.path("limits").asText()).append(".\n\n");
        }

        JsonNode g = j.path("gateway");
        md.append("| gateway | RSS (MiB) | live heap (MiB) | threads | fds |\n|---|---:|---:|---:|---:|\n");
        md.append(process("before", g.path("before")));
        md.append(process("with the WebSockets", g.path("with_websockets")));
        md.append(process("with the keep-alives added", g.path("with_keep_alives_added")));
        md.append(process("after closing them all", j.path("gateway_after_closing")));
        md.append('\n');
        JsonNode per = j.path("per_connection");
        md.append("| per held connection | RSS | live heap | fds |\n|---|---:|---:|---:|\n");
        md.append("| keep-alive | ")
                .append(bytes(per.path("rss_bytes_per_keep_alive")))
                .append(" | ")
                .append(bytes(per.path("heap_bytes_per_keep_alive")))
                .append(" | ")
                .append(per.path("fds_per_keep_alive").asText("?"))
                .append(" |\n");
        md.append("| WebSocket (gateway) | ")
                .append(bytes(per.path("rss_bytes_per_websocket")))
                .append(" | ")
                .append(bytes(per.path("heap_bytes_per_websocket")))
                .append(" | ")
                .append(per.path("fds_per_websocket").asText("?"))
                .append(" |\n");
        JsonNode c = j.path("container").path("per_websocket");
        md.append("| WebSocket (container) | ")
                .append(bytes(c.path("rss_bytes")))
                .append(" | ")
                .append(bytes(c.path("heap_bytes")))
                .append(" | ")
                .append(c.path("fds").asText("?"))
                .append(" |\n\n");
        md.append("Gateway threads added while holding: ")
                .append(per.path("threads_added").asText("?"))
                .append("; container threads per WebSocket: ")
                .append(c.path("threads").asText("?"))
                .append(" (container ")
                .append(j.path("container").path("before").path("threads").asText("?"))
                .append(" → ")
                .append(j.path("container")
                        .path("with_websockets")
                        .path("threads")
                        .asText("?"))
                .append(" threads).\n\n");

        JsonNode nr = j.path("new_requests");
        md.append("| new requests (hello, open loop) | rate/s | answered | errors | p50 (ms) | p99 (ms) |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        md.append(probe("before holding", nr.path("before")));
        md.append(probe("while holding", nr.path("while_holding")));
        md.append('\n');
        JsonNode end = j.path("at_the_end");
        md.append("At the end: ")
                .append(end.path("keep_alives_open").asText("?"))
                .append(" keep-alives and ")
                .append(end.path("websockets_open").asText("?"))
                .append(" WebSockets still open; a request on ")
                .append(check(end.path("keep_alive_check")))
                .append(" keep-alives, an echo on ")
                .append(check(end.path("websocket_check")))
                .append(" WebSockets. The first keep-alive had been idle ")
                .append(end.path("longest_keep_alive_idle_s").asText("?"))
                .append(" s (the gateway closes one idle for ")
                .append(IdleBench.KEEP_ALIVE_IDLE_TIMEOUT.toSeconds())
                .append(" s).\n\n");
        JsonNode after = j.path("gateway_after_closing");
        JsonNode left = after.path("client_connections_left_by_state");
        md.append("After closing them all, the gateway's side of client connections: ")
                .append(left.isEmpty() ? "none left" : failures(left))
                .append("; ")
                .append(after.path("containers_running").asText("?"))
                .append(" containers running (the gateway holds connections to each).\n");
        return md.toString();
    }

    private static String row(String what, JsonNode asked, JsonNode o) {
        return "| " + what + " | " + asked.asText("?") + " | " + o.path("held").asText("?") + " | "
                + o.path("open_seconds").asText("?") + " | " + failures(o.path("failures")) + " |\n";
    }

    private static String failures(JsonNode f) {
        if (f.isEmpty()) {
            return "0";
        }
        StringBuilder s = new StringBuilder();
        f.fields()
                .forEachRemaining(e -> s.append(s.isEmpty() ? "" : "; ")
                        .append(e.getValue().asLong())
                        .append(" ")
                        .append(e.getKey().replace("|", "/")));
        return s.toString();
    }

    private static String process(String when, JsonNode p) {
        return "| " + when + " | " + mib(p.path("rss_kib")) + " | " + mib(p.path("heap_used_after_gc_kib")) + " | "
                + p.path("threads").asText("?") + " | " + p.path("fds").asText("?") + " |\n";
    }

    private static String probe(String when, JsonNode p) {
        return "| " + when + " | " + p.path("rate_per_s").asText("?") + " | "
                + p.path("answered").asText("?")
                + " | " + p.path("errors").asText("?") + " | "
                + p.path("p50_ms").asText("?") + " | "
                + p.path("p99_ms").asText("?") + " |\n";
    }

    private static String check(JsonNode c) {
        String s = c.path("ok").asText("?") + " of " + c.path("checked").asText("?");
        return c.path("failures").isEmpty() ? s + " answered" : s + " answered (" + failures(c.path("failures")) + ")";
    }

    private static String mib(JsonNode kib) {
        return kib.isNumber() && kib.asLong() >= 0 ? String.format(Locale.ROOT, "%.1f", kib.asLong() / 1024.0) : "n/a";
    }

    private static String bytes(JsonNode b) {
        if (!b.isNumber()) {
            return "n/a";
        }
        long v = b.asLong();
        return Math.abs(v) >= 10 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", v / 1024.0) : v + " B";
    }
}
