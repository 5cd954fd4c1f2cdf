package dev.ferry.perf.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The overload bench's summary.md, from the figures of its JSON report. */
final class OverloadReport {

    private OverloadReport() {}

    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> json) {
        Map<String, Object> settings = (Map<String, Object>) json.get("settings");
        StringBuilder md = new StringBuilder();
        md.append("# ferry bench overload\n\n");
        md.append(Machine.clusterLine("1 controller, 1 worker, 1 gateway"))
                .append(" Function ")
                .append(settings.get("function"))
                .append(": ")
                .append(settings.get("containers"))
                .append(" containers of 4 inputs, each call sleeping ")
                .append(settings.get("work_ms"))
                .append(" ms; HTTP/1.1 keep-alive, open loop, latency from each request's intended start.\n\n");
        Map<String, Object> sat = (Map<String, Object>) json.get("saturation");
        if (sat != null) {
            md.append(String.format(
                    Locale.ROOT,
                    "Saturation (closed loop, %s connections, %s slots): **%s calls/s** (%s/s if every slot were always"
                            + " busy). Half of it for the baseline, the recovery and beside slowloris; the overload is"
                            + " %s times %s/s (the larger of the two).%n%n",
                    sat.get("connections"),
                    sat.get("slots"),
                    sat.get("per_s"),
                    sat.get("ideal_per_s"),
                    settings.get("factor"),
                    sat.get("overload_basis_per_s")));
        }
        Map<String, Object> spells = (Map<String, Object>) json.get("spells");
        if (spells != null) {
            md.append("| spell | offered /s | sent /s achieved | 2xx | 2xx ended /s | 2xx p50 / p99 / max (ms) | 503 |"
                    + " with Retry-After | time to 503 p50 / p99 (ms) | other errors | not sent | gateway RSS / heap used peak"
                    + " (MiB) |\n");
            md.append("|---|---:|---:|---:|---:|---|---:|---:|---|---|---:|---|\n");
            spells.forEach((name, s) -> row(
                    md, name, (Map<String, Object>) s, (Map<String, Object>) ((Map<String, Object>) s).get("gateway")));
            Map<String, Object> loris = (Map<String, Object>) json.get("slowloris");
            if (loris != null) {
                row(
                        md,
                        "with " + loris.get("peak_open") + " slowloris",
                        (Map<String, Object>) loris.get("normal_traffic"),
                        (Map<String, Object>) loris.get("gateway_while_open"));
            }
            md.append("\n");
            Map<String, Object> rec = (Map<String, Object>) json.get("recovery");
            md.append(String.format(
                    Locale.ROOT,
                    "After the overload (100 ms buckets, judged over the recovery spell's first %s s): throughput"
                            + " (2xx per bucket >= 90%% of the offered) back after **%s s**; every request succeeding"
                            + " after %s s; every request within %s ms (2x the baseline's p99 + 50 ms) after %s s"
                            + " (null: not within the spell).%n%n",
                    rec.get("judged_over_s"),
                    rec.get("throughput_back_after_s"),
                    rec.get("success_back_after_s"),
                    rec.get("latency_bound_ms"),
                    rec.get("latency_back_after_s")));
        }
        Map<String, Object> mem = (Map<String, Object>) json.get("gateway_memory");
        if (mem != null) {
            md.append(String.format(
                    Locale.ROOT,
                    "Gateway, whole run (sampled every 250 ms; heap from its hsperfdata counters): RSS peak **%s MiB**, heap used peak"
                            + " %s MiB, heap committed peak %s MiB, fds peak %s, threads peak %s.%n%n",
                    mem.get("rss_peak_mib"),
                    mem.get("heap_used_peak_mib"),
                    mem.get("heap_committed_peak_mib"),
                    mem.get("fds_peak"),
                    mem.get("threads_peak")));
        }
        Map<String, Object> loris = (Map<String, Object>) json.get("slowloris");
        if (loris != null) {
            Map<String, Object> open = (Map<String, Object>) loris.get("gateway_while_open");
            Map<String, Object> before = (Map<String, Object>) loris.get("gateway_before");
            md.append(String.format(
                    Locale.ROOT,
                    "Slowloris: %s connections asked, %s opened in all (replacements included), peak %s open, all open"
                            + " after %s s, from %s, a byte every %s-%s s. The gateway ended them: %s; 408 after %s s"
                            + " (min / p50 / max). Gateway RSS %s MiB before, peak %s MiB with them open (heap used"
                            + " peak %s MiB, fds peak %s).%n%n",
                    loris.get("connections_asked"),
                    loris.get("opened"),
                    loris.get("peak_open"),
                    loris.get("all_open_after_s"),
                    loris.get("source_addresses"),
                    (Double) loris.get("drip_interval_s") / 2,
                    loris.get("drip_interval_s"),
                    loris.get("ended_by_the_gateway"),
                    loris.get("answered_408_after_s"),
                    before.get("rss_mib"),
                    open.get("rss_peak_mib"),
                    open.get("heap_used_peak_mib"),
                    open.get("fds_peak")));
        }
        md.append("```\n");
        ((List<String>) json.get("goals")).forEach(g -> md.append(g).append('\n'));
        md.append("```\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Load average (1, 5, 15 min) before the run: %s; after it: %s. Whole run: %s s.%n",
                json.get("load_average_before"),
                json.get("load_average_after"),
                json.get("run_seconds")));
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static void row(StringBuilder md, String name, Map<String, Object> s, Map<String, Object> gateway) {
        Map<String, Object> ok = (Map<String, Object>) s.get("admitted_latency_ms");
        Map<String, Object> t503 = (Map<String, Object>) s.get("time_to_503_ms");
        Map<String, Object> others = (Map<String, Object>) s.get("other_errors");
        md.append("| ")
                .append(name)
                .append(" | ")
                .append(s.get("offered_per_s"))
                .append(" | ")
                .append(s.get("sent_per_s_achieved"))
                .append(" | ")
                .append(s.get("admitted_2xx"))
                .append(" | ")
                .append(s.get("2xx_ended_per_s"))
                .append(" | ")
                .append(ok.get("p50"))
                .append(" / ")
                .append(ok.get("p99"))
                .append(" / ")
                .append(ok.get("max"))
                .append(" | ")
                .append(s.get("refused_503"))
                .append(" | ")
                .append(s.get("refused_with_retry_after"))
                .append(" | ")
                .append(t503.get("p50"))
                .append(" / ")
                .append(t503.get("p99"))
                .append(" | ")
                .append(others.isEmpty() ? "–" : others.toString().replace("|", "\\|"))
                .append(" | ")
                .append(s.get("unsent_generator_limit"))
                .append(" | ")
                .append(gateway.get("rss_peak_mib"))
                .append(" / ")
                .append(gateway.get("heap_used_peak_mib"))
                .append(" |\n");
    }
}
