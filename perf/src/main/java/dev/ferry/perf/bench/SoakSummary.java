package dev.ferry.perf.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak bench's summary.md, from the figures it puts in soak.json. */
final class SoakSummary {

    private static final List<String> METRICS = List.of("rss_mib", "fds", "threads");

    private SoakSummary() {}

    @SuppressWarnings("unchecked")
    static String markdown(
            Map<String, Object> json, SoakBench.Plan plan, String loadBefore, String loadAfter, double runSeconds) {
        StringBuilder md = new StringBuilder();
        md.append("# ferry bench soak\n\n");
        md.append(Machine.clusterLine("1 controller, 1 worker, 1 gateway")).append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Traffic for %s, open loop: hello %.1f/s; slow (2 s), SSE (%d events) and WebSocket (%d echoes)"
                        + " %.1f/s each. A rolling redeploy (the example app POSTed again: a new version of every"
                        + " function) every %s; every process sampled every %s. Slopes are least-squares fits of the"
                        + " samples after the first %s; a slope is **growing** when the fit grows over that span by more"
                        + " than %.0f%% of the mean and by more than twice the residuals' standard deviation (the"
                        + " noise), else **flat**.%n%n",
                DurationText.format(plan.duration()),
                plan.helloRate(),
                ChaosTraffic.SSE_EVENTS,
                ChaosTraffic.WS_ECHOES,
                plan.streamRate(),
                DurationText.format(plan.redeployEvery()),
                DurationText.format(plan.sampleEvery()),
                DurationText.format(plan.warmup()),
                SoakAnalysis.GROWING_SHARE * 100));

        md.append("## Calls\n\n| kind | calls | failed |\n|---|---:|---:|\n");
        ((Map<String, Map<String, Object>>) json.get("calls"))
                .forEach((kind, k) -> md.append("| ")
                        .append(kind)
                        .append(" | ")
                        .append(k.get("calls"))
                        .append(" | ")
                        .append(k.get("failed"))
                        .append(" |\n"));
        Map<String, Long> failures = (Map<String, Long>) json.get("failures");
        md.append("\nFailed calls by cause: ");
        if (failures.isEmpty()) {
            md.append("none.\n");
        } else {
            md.append('\n');
            failures.forEach((why, n) ->
                    md.append("- ").append(why).append(": ").append(n).append('\n'));
        }
        md.append("\nCalls still unfinished 12 s after the traffic stopped (in no row above): ")
                .append(json.get("calls_unfinished_12_s_after_the_end"))
                .append(".\n");
        Map<String, Object> priming = (Map<String, Object>) json.get("priming");
        md.append("\nBefore the clock started (until every kind had succeeded once: first containers): ")
                .append(priming.get("calls"))
                .append(" calls, ")
                .append(priming.get("failed"))
                .append(" failed; not counted above.\n\n");

        md.append("## Redeploys\n\n| at (s) | POST (s) | version | only the new version's containers after (s) |"
                + " failed calls sent until the next |\n|---:|---:|---|---:|---:|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("redeploys")) {
            Object settled = r.get("only_new_version_after_s");
            md.append("| ")
                    .append(r.get("at_s"))
                    .append(" | ")
                    .append(r.get("post_s"))
                    .append(" | ")
                    .append(r.containsKey("error") ? "failed: " + r.get("error") : r.get("version"))
                    .append(" | ")
                    .append(settled == null ? "not within the interval" : settled)
                    .append(" | ")
                    .append(r.get("failed_sent_until_next"))
                    .append(" |\n");
        }

        md.append("\n## Slopes after the warm-up\n\n");
        md.append("Per role: start → end (max) over the run, slope per hour after the warm-up, verdict. A container"
                + " role is the sum over all its function's containers at each sample, old and new version alike.\n\n");
        md.append("| role | samples | RSS MiB | MiB/h | | fds | fds/h | | threads | threads/h | |\n");
        md.append("|---|---:|---|---:|---|---|---:|---|---|---:|---|\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) json.get("slopes")) {
            md.append("| ").append(row.get("role")).append(" | ").append(row.get("samples"));
            for (String metric : METRICS) {
                Map<String, Object> t = (Map<String, Object>) row.get(metric);
                md.append(" | ");
                if (t.containsKey("start")) {
                    md.append(t.get("start"))
                            .append(" → ")
                            .append(t.get("end"))
                            .append(" (")
                            .append(t.get("max"))
                            .append(")");
                }
                md.append(" | ")
                        .append(t.getOrDefault("slope_per_h", "–"))
                        .append(" | ")
                        .append(t.get("verdict"));
            }
            md.append(" |\n");
        }

        md.append("\nHeap kept at the last collection (old generation and survivors, from the JVM's shared"
                + " counters, hsperfdata), MiB:\n\n| role | start → end (max) | MiB/h | |\n|---|---|---:|---|\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) json.get("slopes")) {
            Map<String, Object> t = (Map<String, Object>) row.get(SoakAnalysis.HEAP);
            if (t == null) {
                continue;
            }
            md.append("| ").append(row.get("role")).append(" | ");
            if (t.containsKey("start")) {
                md.append(t.get("start"))
                        .append(" → ")
                        .append(t.get("end"))
                        .append(" (")
                        .append(t.get("max"))
                        .append(")");
            }
            md.append(" | ")
                    .append(t.getOrDefault("slope_per_h", "–"))
                    .append(" | ")
                    .append(t.get("verdict"))
                    .append(" |\n");
        }

        md.append("\n## Container generations\n\n| function | version | containers | seen (s) | RSS MiB start / max"
                + " / end | fds | threads |\n|---|---|---:|---|---|---|---|\n");
        for (Map<String, Object> g : (List<Map<String, Object>>) json.get("generations")) {
            md.append("| ")
                    .append(g.get("function"))
                    .append(" | ")
                    .append(g.get("version"))
                    .append(" | ")
                    .append(((List<?>) g.get("containers")).size())
                    .append(" | ")
                    .append(g.get("first_seen_s"))
                    .append("–")
                    .append(g.get("last_seen_s"));
            for (String metric : METRICS) {
                Map<String, Object> m = (Map<String, Object>) g.get(metric);
                md.append(" | ")
                        .append(m.get("start"))
                        .append(" / ")
                        .append(m.get("max"))
                        .append(" / ")
                        .append(m.get("end"));
            }
            md.append(" |\n");
        }

        md.append("\n## Latency per interval (successful calls, ms)\n\n| interval (s) |");
        List<Map<String, Object>> intervals = (List<Map<String, Object>>) json.get("intervals");
        for (ChaosTraffic.Kind kind : ChaosTraffic.Kind.values()) {
            md.append(' ').append(kind.label()).append(" calls / failed / p50 / p99 |");
        }
        md.append("\n|---|");
        md.append("---|".repeat(ChaosTraffic.Kind.values().length));
        md.append('\n');
        for (Map<String, Object> interval : intervals) {
            md.append("| ")
                    .append(interval.get("from_s"))
                    .append("–")
                    .append(interval.get("to_s"))
                    .append(" |");
            Map<String, Map<String, Object>> kinds = (Map<String, Map<String, Object>>) interval.get("by_kind");
            for (ChaosTraffic.Kind kind : ChaosTraffic.Kind.values()) {
                Map<String, Object> k = kinds.get(kind.label());
                md.append(' ')
                        .append(k.get("calls"))
                        .append(" / ")
                        .append(k.get("failed"))
                        .append(" / ")
                        .append(k.get("p50_ms") == null ? "–" : k.get("p50_ms"))
                        .append(" / ")
                        .append(k.get("p99_ms") == null ? "–" : k.get("p99_ms"))
                        .append(" |");
            }
            md.append('\n');
        }

        md.append("\n```\n");
        ((List<String>) json.get("goals")).forEach(g -> md.append(g).append('\n'));
        md.append("```\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Samples: %s rounds (failed rounds: %s); every process's series is in samples.csv. Load average (1, 5,"
                        + " 15 min) before the run: %s; after it: %s. Whole run: %.0f s (%s).%n",
                json.get("sample_rounds"),
                json.get("sampler_failures"),
                loadBefore,
                loadAfter,
                runSeconds,
                json.get("phases_s")));
        return md.toString();
    }
}
